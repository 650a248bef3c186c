import type { z } from '@hono/zod-openapi';
import type { Clock } from '../../core/clock.ts';
import { type Db, fromJson, toJson } from '../../core/db.ts';
import { AppError } from '../../core/errors.ts';
import type { SecretBox } from '../../core/secrets.ts';
import { type UploadOptions, validateCertificateUpload } from '../../core/x509.ts';
import type { PreparedUser, Users } from '../users/repository.ts';
import { parseOrThrow } from '../validation/parse.ts';
import { certificateInfo, certificateView } from './certificate.ts';
import {
  type CertificateInfo,
  type CertificateView,
  DEFAULT_TABULATION,
  MEDIA,
  type Organization,
  OrganizationCreate,
  OrganizationUpdate,
  type RequiredDialerSetting,
  type Tabulation,
  TabulationUpdate,
} from './schemas.ts';
import { type OrgRow, organizationRow } from './scope.ts';
import { tabulationOf, unknownTag, writeTabulation } from './tabulation.ts';

/** What the dialer client needs to talk to an organization's dialer, secrets in clear. */
export type DialerSettings = {
  orgId: string;
  dialerUrl: string;
  dialerKey: string;
  webrtcUrl: string;
  /** The trusted certificate (the dialer's pinned one, or a CA), one canonical PEM block. */
  certificatePem: string;
  certificate: CertificateView;
};

export type PartialDialerSettings = {
  [K in keyof Omit<DialerSettings, 'orgId'>]: DialerSettings[K] | null;
} & { orgId: string; missing: RequiredDialerSetting[] };

const iso = (ms: number) => new Date(ms).toISOString();

/** "ACME Cobranças Ltda." → "acme-cobrancas-ltda". */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  return slug.length >= 2 ? slug : `org-${slug}`.replace(/-$/, '') || 'org';
}

/**
 * Organizations (Empresas): the dialer parameters (key sealed with the SecretBox, URLs), the dialer's certificate and
 * the tabulation settings. Deleting one removes everything of it. Errors: 404 ORGANIZATION_NOT_FOUND; 409
 * ORGANIZATION_EXISTS, DIALER_NOT_CONFIGURED; 422 VALIDATION_FAILED, TAG_UNKNOWN and the CERTIFICATE_* codes.
 */
export class Organizations {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #secrets: SecretBox;
  readonly #users: Users;
  readonly #listeners = new Set<(orgId: string) => void>();

  constructor(db: Db, clock: Clock, secrets: SecretBox, users: Users) {
    this.#db = db;
    this.#clock = clock;
    this.#secrets = secrets;
    this.#users = users;
  }

  /**
   * Calls `fn(orgId)` after an organization's dialer key, URLs or certificate change (or it is deleted), e.g. to drop
   * a cached dialer client. Returns the function that unsubscribes.
   */
  onDialerSettingsChange(fn: (orgId: string) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #dialerSettingsChanged(orgId: string): void {
    for (const fn of this.#listeners) fn(orgId);
  }

  /** Creates an organization, with its first administrator when `admin` is given (their password hashed first). */
  async create(input: z.input<typeof OrganizationCreate>): Promise<Organization> {
    const p = parseOrThrow(OrganizationCreate, input);
    const admin = p.admin ? await this.#users.prepare({ ...p.admin, role: 'admin' }) : undefined;
    return this.insert(p, admin);
  }

  /** `create` for a caller that groups it with other writes in one transaction: the admin comes prepared. */
  insert(input: z.input<typeof OrganizationCreate>, admin?: PreparedUser): Organization {
    const p = parseOrThrow(OrganizationCreate, input);
    return this.#db.transaction(() => {
      let id = p.id;
      if (id !== undefined) {
        if (this.exists(id))
          throw new AppError('ORGANIZATION_EXISTS', 409, `organization '${id}' already exists`, { id });
      } else {
        const base = slugify(p.name);
        id = base;
        for (let n = 2; this.exists(id); n++) id = `${base}-${n}`;
      }
      const now = this.#clock.now();
      const tab = { ...DEFAULT_TABULATION, ...p.tabulation };
      if (tab.autoTagCode !== null) throw unknownTag(tab.autoTagCode, 'tabulation.autoTagCode');
      this.#db
        .prepare(
          `INSERT INTO organizations (id, name, dialer_key_sealed, dialer_url, webrtc_url, auto_tabulation,
             tabulation_seconds, auto_tag_code, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          p.name,
          p.dialerKey ? this.#secrets.seal(p.dialerKey) : null,
          p.dialerUrl ?? null,
          p.webrtcUrl ?? null,
          tab.autoTabulation ? 1 : 0,
          tab.windowSeconds,
          null,
          now,
          now,
        );
      if (admin) this.#users.insert(id, admin);
      return this.get(id);
    })();
  }

  exists(orgId: string): boolean {
    return this.#db.prepare('SELECT 1 FROM organizations WHERE id = ?').get(orgId) !== undefined;
  }

  list(): Organization[] {
    const rows = this.#db.prepare('SELECT * FROM organizations ORDER BY created_at, id').all() as OrgRow[];
    return rows.map((r) => this.#organization(r));
  }

  get(orgId: string): Organization {
    return this.#organization(organizationRow(this.#db, orgId));
  }

  update(orgId: string, patch: z.input<typeof OrganizationUpdate>): Organization {
    const p = parseOrThrow(OrganizationUpdate, patch);
    return this.#db.transaction(() => {
      const row = organizationRow(this.#db, orgId);
      const sealedKey =
        p.dialerKey === undefined
          ? row.dialer_key_sealed
          : p.dialerKey === null
            ? null
            : this.#secrets.seal(p.dialerKey);
      this.#db
        .prepare(
          'UPDATE organizations SET name = ?, dialer_key_sealed = ?, dialer_url = ?, webrtc_url = ?, updated_at = ? WHERE id = ?',
        )
        .run(
          p.name ?? row.name,
          sealedKey,
          p.dialerUrl === undefined ? row.dialer_url : p.dialerUrl,
          p.webrtcUrl === undefined ? row.webrtc_url : p.webrtcUrl,
          this.#clock.now(),
          orgId,
        );
      if (p.tabulation) writeTabulation(this.#db, this.#clock, orgId, p.tabulation, 'tabulation.');
      if (p.dialerKey !== undefined || p.dialerUrl !== undefined || p.webrtcUrl !== undefined)
        this.#dialerSettingsChanged(orgId);
      return this.get(orgId);
    })();
  }

  /** Removes the organization and everything of it that references it (users, services, pauses, tags…). */
  delete(orgId: string): void {
    organizationRow(this.#db, orgId);
    this.#db.prepare('DELETE FROM organizations WHERE id = ?').run(orgId);
    this.#dialerSettingsChanged(orgId);
  }

  /**
   * Stores the dialer's certificate after `validateCertificateUpload` at the clock's now: Base64 (PEM) text, one
   * certificate or the dialer's followed by its issuers. What is stored is the trusted certificate alone (canonical
   * PEM) and what the answer shows (subject, issuer, validity, fingerprint, how it is trusted, the uploaded chain).
   * DER, garbage, private keys, cut files, other bundles, expired and not-yet-valid certificates are refused (422).
   */
  uploadCertificate(orgId: string, input: string | Buffer, options: UploadOptions = {}): CertificateView {
    organizationRow(this.#db, orgId);
    const now = this.#clock.now();
    const upload = validateCertificateUpload(input, now, options);
    const info = certificateInfo(upload, now);
    this.#db
      .prepare('UPDATE organizations SET certificate_pem = ?, certificate_info = ?, updated_at = ? WHERE id = ?')
      .run(upload.pem, toJson(info), now, orgId);
    this.#dialerSettingsChanged(orgId);
    return certificateView(info, now);
  }

  removeCertificate(orgId: string): void {
    organizationRow(this.#db, orgId);
    this.#db
      .prepare('UPDATE organizations SET certificate_pem = NULL, certificate_info = NULL, updated_at = ? WHERE id = ?')
      .run(this.#clock.now(), orgId);
    this.#dialerSettingsChanged(orgId);
  }

  /** The stored (trusted) certificate, canonical PEM (public information). */
  certificatePem(orgId: string): string | null {
    return organizationRow(this.#db, orgId).certificate_pem;
  }

  tabulation(orgId: string): Tabulation {
    return tabulationOf(organizationRow(this.#db, orgId));
  }

  /** Fields left out keep their value. `autoTagCode` must be the code of one of the organization's tags. */
  setTabulation(orgId: string, patch: z.input<typeof TabulationUpdate>): Tabulation {
    const p = parseOrThrow(TabulationUpdate, patch);
    return this.#db.transaction(() => {
      writeTabulation(this.#db, this.#clock, orgId, p, '');
      return this.tabulation(orgId);
    })();
  }

  /**
   * For the dialer client: URL, key in clear, WebRTC server, certificate. 409 DIALER_NOT_CONFIGURED (with
   * `details.missing`) when any of the four mandatory settings is missing.
   */
  dialerSettings(orgId: string): DialerSettings {
    const s = this.partialDialerSettings(orgId);
    const { dialerUrl, dialerKey, webrtcUrl, certificatePem, certificate } = s;
    if (!dialerUrl || !dialerKey || !webrtcUrl || !certificatePem || !certificate)
      throw new AppError(
        'DIALER_NOT_CONFIGURED',
        409,
        `organization '${orgId}' is not ready for the dialer: set ${s.missing.join(', ')} in its dialer settings`,
        { orgId, missing: s.missing },
      );
    return { orgId, dialerUrl, dialerKey, webrtcUrl, certificatePem, certificate };
  }

  /** The same, without refusing an incomplete configuration: what is not set is null and listed in `missing`. */
  partialDialerSettings(orgId: string): PartialDialerSettings {
    const row = organizationRow(this.#db, orgId);
    return {
      orgId,
      dialerUrl: row.dialer_url,
      dialerKey: row.dialer_key_sealed ? this.#secrets.open(row.dialer_key_sealed) : null,
      webrtcUrl: row.webrtc_url,
      certificatePem: row.certificate_pem,
      certificate: this.#certificate(row),
      missing: missing(row),
    };
  }

  #certificate(row: OrgRow): CertificateView | null {
    const info = fromJson<CertificateInfo>(row.certificate_info);
    return info ? certificateView(info, this.#clock.now()) : null;
  }

  #organization(row: OrgRow): Organization {
    return {
      id: row.id,
      name: row.name,
      media: MEDIA,
      hasDialerKey: row.dialer_key_sealed !== null,
      dialerUrl: row.dialer_url,
      webrtcUrl: row.webrtc_url,
      certificate: this.#certificate(row),
      tabulation: tabulationOf(row),
      missing: missing(row),
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
    };
  }
}

function missing(row: OrgRow): RequiredDialerSetting[] {
  const out: RequiredDialerSetting[] = [];
  if (!row.dialer_key_sealed) out.push('dialerKey');
  if (!row.dialer_url) out.push('dialerUrl');
  if (!row.webrtc_url) out.push('webrtcUrl');
  if (!row.certificate_pem) out.push('certificate');
  return out;
}
