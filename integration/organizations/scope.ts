import type { Db } from '../../core/db.ts';
import { notFound } from '../../core/errors.ts';

/** An organization as stored. */
export type OrgRow = {
  id: string;
  name: string;
  dialer_key_sealed: string | null;
  dialer_url: string | null;
  webrtc_url: string | null;
  certificate_pem: string | null;
  certificate_info: string | null;
  auto_tabulation: number;
  tabulation_seconds: number;
  auto_tag_code: string | null;
  created_at: number;
  updated_at: number;
};

/**
 * The organization's row, or 404 ORGANIZATION_NOT_FOUND. Every aggregate of an organization (users, catalogue) starts
 * here, so that an unknown organization answers the same everywhere.
 */
export function organizationRow(db: Db, orgId: string): OrgRow {
  const row = db.prepare('SELECT * FROM organizations WHERE id = ?').get(orgId) as OrgRow | undefined;
  if (!row) throw notFound('Organization', orgId, 'ORGANIZATION_NOT_FOUND');
  return row;
}
