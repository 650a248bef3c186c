import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../core/db.ts';
import { AppError } from '../../core/errors.ts';
import type { Tabulation, TabulationUpdate } from './schemas.ts';
import { type OrgRow, organizationRow } from './scope.ts';

/**
 * The auto-tabulation settings of an organization: on/off, the window, and the tag an automatic finalization uses.
 * That tag is referenced by code, so the catalogue keeps the reference right when a tag is renamed or deleted
 * (`followTagRename`, `autoTagCode`).
 */

export const tabulationOf = (row: OrgRow): Tabulation => ({
  autoTabulation: row.auto_tabulation === 1,
  windowSeconds: row.tabulation_seconds,
  autoTagCode: row.auto_tag_code,
});

export const unknownTag = (code: string, path: string) =>
  new AppError('TAG_UNKNOWN', 422, `${path}: no tag with code '${code}' in this organization; create the tag first`, {
    path,
    code,
  });

/** Applies a validated patch; `path` names the field in errors ('autoTagCode', 'tabulation.autoTagCode'). */
export function writeTabulation(db: Db, clock: Clock, orgId: string, p: TabulationUpdate, pathPrefix: string): void {
  const current = tabulationOf(organizationRow(db, orgId));
  const next = { ...current, ...p };
  if (next.autoTagCode !== null && next.autoTagCode !== current.autoTagCode) {
    const exists = db.prepare('SELECT 1 FROM tags WHERE org_id = ? AND code = ?').get(orgId, next.autoTagCode);
    if (!exists) throw unknownTag(next.autoTagCode, `${pathPrefix}autoTagCode`);
  }
  db.prepare(
    'UPDATE organizations SET auto_tabulation = ?, tabulation_seconds = ?, auto_tag_code = ?, updated_at = ? WHERE id = ?',
  ).run(next.autoTabulation ? 1 : 0, next.windowSeconds, next.autoTagCode, clock.now(), orgId);
}

/** The code of the organization's auto-tabulation tag, or null. */
export const autoTagCode = (db: Db, orgId: string): string | null => organizationRow(db, orgId).auto_tag_code;

/** A tag's code changed: the auto-tabulation setting follows it. */
export function followTagRename(db: Db, orgId: string, from: string, to: string): void {
  db.prepare('UPDATE organizations SET auto_tag_code = ? WHERE id = ? AND auto_tag_code = ?').run(to, orgId, from);
}
