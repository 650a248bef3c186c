import { randomUUID } from 'node:crypto';
import type { z } from '@hono/zod-openapi';
import type { Clock } from '../../core/clock.ts';
import { type Db, fromJson, toJson } from '../../core/db.ts';
import { AppError, notFound } from '../../core/errors.ts';
import type { SecretBox } from '../../core/secrets.ts';
import { type UploadOptions, validateCertificateUpload } from '../../core/x509.ts';
import { DEFAULT_SCRYPT_COST, dummyHash, hashPassword, NO_PASSWORD, verifyPassword } from './passwords.ts';
import {
  type CertificateInfo,
  type CertificateView,
  DEFAULT_TABULATION,
  invalid,
  MEDIA,
  type Organization,
  OrganizationCreate,
  OrganizationUpdate,
  type Pause,
  PauseInput,
  PauseUpdate,
  parseOrThrow,
  type RequiredDialerSetting,
  type Service,
  ServiceInput,
  ServiceUpdate,
  type Tabulation,
  TabulationUpdate,
  type Tag,
  TagInput,
  TagUpdate,
  type User,
  UserCreate,
  UserCreateRelaxed,
  UserUpdate,
} from './schemas.ts';

type OrgRow = {
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
type UserRow = {
  id: string;
  org_id: string;
  username: string;
  name: string;
  role: User['role'];
  password_hash: string;
  use_dialer: number;
  dialer_user: string | null;
  dialer_password_sealed: string | null;
  slots: number;
  created_at: number;
  updated_at: number;
};
type ServiceRow = { id: string; org_id: string; name: string; identifier: string };
type PauseRow = { id: string; org_id: string; name: string; id_status: number };
type TagRow = { id: string; org_id: string; code: string; name: string };

/** What the dialer client needs to talk to an organization's dialer, secrets in clear. */
export type DialerSettings = {
  orgId: string;
  dialerUrl: string;
  dialerKey: string;
  webrtcUrl: string;
  /** The uploaded certificate, canonical PEM. */
  certificatePem: string;
  certificate: CertificateView;
};

export type PartialDialerSettings = {
  [K in keyof Omit<DialerSettings, 'orgId'>]: DialerSettings[K] | null;
} & { orgId: string; missing: RequiredDialerSetting[] };

export type DialerCredentials = { dialerUser: string; dialerPassword: string };

export type ConfigOptions = {
  /** scrypt cost (N) for new Omni password hashes; tests lower it. Default 16384. */
  scryptCost?: number;
};

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

const DIALER_USER_NEEDED = 'a user with "Utilizar discador" needs the dialer user (Usuário do Discador)';
const DIALER_PASSWORD_NEEDED = 'a user with "Utilizar discador" needs the dialer password (Senha do Discador)';

/**
 * The Omni configuration store: organizations (dialer parameters, certificate, tabulation), users, services,
 * pauses and tags. Secrets at rest: the dialer key and dialer passwords sealed with the SecretBox (Omni sends them
 * on), Omni passwords hashed with scrypt. Nothing this class returns from a public read carries a secret except the
 * two internal getters that exist for that (`dialerSettings`, `userDialerCredentials`).
 *
 * Every method validates its input with the schemas (so programmatic callers get the same 422s as HTTP ones) and
 * throws AppError: 404 `<ENTITY>_NOT_FOUND`, 409 `<ENTITY>_EXISTS` / `PAUSE_DUPLICATE` / `DIALER_USER_IN_USE` /
 * `LAST_ADMIN` / `TAG_IN_USE` / `DIALER_NOT_CONFIGURED` / `USER_DIALER_CREDENTIALS_MISSING`, 422 `VALIDATION_FAILED` / `SERVICE_UNKNOWN` / `TAG_UNKNOWN`.
 */
export class Config {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #secrets: SecretBox;
  readonly #cost: number;
  #dummy: string | undefined;
  readonly #listeners = new Set<(orgId: string) => void>();

  constructor(db: Db, clock: Clock, secrets: SecretBox, options: ConfigOptions = {}) {
    this.#db = db;
    this.#clock = clock;
    this.#secrets = secrets;
    this.#cost = options.scryptCost ?? DEFAULT_SCRYPT_COST;
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

  /** Runs `fn` in one SQLite transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }

  // --- organizations ---

  createOrganization(input: z.input<typeof OrganizationCreate>): Organization {
    const p = parseOrThrow(OrganizationCreate, input);
    return this.transaction(() => {
      let id = p.id;
      if (id !== undefined) {
        if (this.organizationExists(id))
          throw new AppError('ORGANIZATION_EXISTS', 409, `organization '${id}' already exists`, { id });
      } else {
        const base = slugify(p.name);
        id = base;
        for (let n = 2; this.organizationExists(id); n++) id = `${base}-${n}`;
      }
      const now = this.#clock.now();
      const tab = { ...DEFAULT_TABULATION, ...p.tabulation };
      if (tab.autoTagCode !== null) throw this.#unknownTag(tab.autoTagCode, 'tabulation.autoTagCode');
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
      if (p.admin) this.createUser(id, { ...p.admin, role: 'admin' });
      return this.getOrganization(id);
    });
  }

  organizationExists(orgId: string): boolean {
    return this.#db.prepare('SELECT 1 FROM organizations WHERE id = ?').get(orgId) !== undefined;
  }

  listOrganizations(): Organization[] {
    const rows = this.#db.prepare('SELECT * FROM organizations ORDER BY created_at, id').all() as OrgRow[];
    return rows.map((r) => this.#organization(r));
  }

  getOrganization(orgId: string): Organization {
    return this.#organization(this.#orgRow(orgId));
  }

  updateOrganization(orgId: string, patch: z.input<typeof OrganizationUpdate>): Organization {
    const p = parseOrThrow(OrganizationUpdate, patch);
    return this.transaction(() => {
      const row = this.#orgRow(orgId);
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
      if (p.tabulation) this.#setTabulation(orgId, p.tabulation, 'tabulation.');
      if (p.dialerKey !== undefined || p.dialerUrl !== undefined || p.webrtcUrl !== undefined)
        this.#dialerSettingsChanged(orgId);
      return this.getOrganization(orgId);
    });
  }

  /** Removes the organization and everything of it that references it (users, services, pauses, tags…). */
  deleteOrganization(orgId: string): void {
    this.#orgRow(orgId);
    this.#db.prepare('DELETE FROM organizations WHERE id = ?').run(orgId);
    this.#dialerSettingsChanged(orgId);
  }

  /**
   * Stores the dialer's certificate after `validateCertificateUpload` at the clock's now: only Base64 (PEM) text;
   * DER, garbage, private keys, cut files, expired and not-yet-valid certificates are refused (422, the x509 codes).
   */
  uploadCertificate(orgId: string, input: string | Buffer, options: UploadOptions = {}): CertificateView {
    this.#orgRow(orgId);
    const now = this.#clock.now();
    const c = validateCertificateUpload(input, now, options);
    const info: CertificateInfo = {
      subject: c.subject,
      issuer: c.issuer,
      subjectAltNames: c.subjectAltNames,
      validFrom: c.validFrom,
      validTo: c.validTo,
      fingerprintSha256: c.fingerprintSha256,
      serialNumber: c.serialNumber,
      isCA: c.isCA,
      uploadedAt: iso(now),
    };
    this.#db
      .prepare('UPDATE organizations SET certificate_pem = ?, certificate_info = ?, updated_at = ? WHERE id = ?')
      .run(c.pem, toJson(info), now, orgId);
    this.#dialerSettingsChanged(orgId);
    return this.#certificateView(info);
  }

  removeCertificate(orgId: string): void {
    this.#orgRow(orgId);
    this.#db
      .prepare('UPDATE organizations SET certificate_pem = NULL, certificate_info = NULL, updated_at = ? WHERE id = ?')
      .run(this.#clock.now(), orgId);
    this.#dialerSettingsChanged(orgId);
  }

  /** The stored certificate, canonical PEM (public information). */
  certificatePem(orgId: string): string | null {
    return this.#orgRow(orgId).certificate_pem;
  }

  tabulationSettings(orgId: string): Tabulation {
    return this.#tabulation(this.#orgRow(orgId));
  }

  /** Fields left out keep their value. `autoTagCode` must be the code of one of the organization's tags. */
  setTabulation(orgId: string, patch: z.input<typeof TabulationUpdate>): Tabulation {
    const p = parseOrThrow(TabulationUpdate, patch);
    return this.transaction(() => {
      this.#orgRow(orgId);
      this.#setTabulation(orgId, p, '');
      return this.tabulationSettings(orgId);
    });
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
    const row = this.#orgRow(orgId);
    const info = fromJson<CertificateInfo>(row.certificate_info);
    return {
      orgId,
      dialerUrl: row.dialer_url,
      dialerKey: row.dialer_key_sealed ? this.#secrets.open(row.dialer_key_sealed) : null,
      webrtcUrl: row.webrtc_url,
      certificatePem: row.certificate_pem,
      certificate: info ? this.#certificateView(info) : null,
      missing: this.#missing(row),
    };
  }

  // --- users ---

  /**
   * Creates a user. With `allowMissingSecrets` (imports) the Omni password and the dialer password may be left out:
   * such a user cannot log in (`hasPassword: false`) or into the dialer until they are set.
   */
  createUser(
    orgId: string,
    input: z.input<typeof UserCreateRelaxed>,
    options: { allowMissingSecrets?: boolean } = {},
  ): User {
    const p = parseOrThrow(options.allowMissingSecrets ? UserCreateRelaxed : UserCreate, input);
    return this.transaction(() => {
      this.#orgRow(orgId);
      this.#assertUsernameFree(orgId, p.username);
      if (p.dialerUser) this.#assertDialerUserFree(orgId, p.dialerUser, undefined);
      this.#assertServices(orgId, p.serviceIds, 'serviceIds');
      const id = randomUUID();
      const now = this.#clock.now();
      this.#db
        .prepare(
          `INSERT INTO users (id, org_id, username, name, role, password_hash, use_dialer, dialer_user,
             dialer_password_sealed, slots, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          orgId,
          p.username,
          p.name,
          p.role,
          p.password ? hashPassword(p.password, this.#cost) : NO_PASSWORD,
          p.useDialer ? 1 : 0,
          p.dialerUser ?? null,
          p.dialerPassword ? this.#secrets.seal(p.dialerPassword) : null,
          p.slots,
          now,
          now,
        );
      this.#setUserServices(id, p.serviceIds);
      return this.getUser(orgId, id);
    });
  }

  listUsers(orgId: string): User[] {
    this.#orgRow(orgId);
    const rows = this.#db.prepare('SELECT * FROM users WHERE org_id = ? ORDER BY username').all(orgId) as UserRow[];
    return rows.map((r) => this.#user(r));
  }

  getUser(orgId: string, userId: string): User {
    return this.#user(this.#userRow(orgId, userId));
  }

  /** A user of any organization by id (for the session layer); undefined when there is none. */
  findUser(userId: string): User | undefined {
    const row = this.#db.prepare('SELECT * FROM users WHERE id = ?').get(userId) as UserRow | undefined;
    return row && this.#user(row);
  }

  userByUsername(orgId: string, username: string): User | undefined {
    const row = this.#db.prepare('SELECT * FROM users WHERE org_id = ? AND username = ?').get(orgId, username) as
      | UserRow
      | undefined;
    return row && this.#user(row);
  }

  /** Fields left out keep their value; `null` clears the dialer user or password. */
  updateUser(
    orgId: string,
    userId: string,
    patch: z.input<typeof UserUpdate>,
    options: { allowMissingSecrets?: boolean } = {},
  ): User {
    const p = parseOrThrow(UserUpdate, patch);
    return this.transaction(() => {
      const row = this.#userRow(orgId, userId);
      const username = p.username ?? row.username;
      const role = p.role ?? row.role;
      const useDialer = p.useDialer ?? row.use_dialer === 1;
      const dialerUser = p.dialerUser === undefined ? row.dialer_user : p.dialerUser;
      const dialerSealed =
        p.dialerPassword === undefined
          ? row.dialer_password_sealed
          : p.dialerPassword === null
            ? null
            : this.#secrets.seal(p.dialerPassword);
      if (username !== row.username) this.#assertUsernameFree(orgId, username);
      if (dialerUser && dialerUser !== row.dialer_user) this.#assertDialerUserFree(orgId, dialerUser, userId);
      if (useDialer && !dialerUser)
        throw invalid([{ path: ['dialerUser'], message: DIALER_USER_NEEDED, code: 'custom' }]);
      if (useDialer && !dialerSealed && !options.allowMissingSecrets)
        throw invalid([{ path: ['dialerPassword'], message: DIALER_PASSWORD_NEEDED, code: 'custom' }]);
      if (row.role === 'admin' && role !== 'admin') this.#assertNotLastAdmin(row);
      if (p.serviceIds) this.#assertServices(orgId, p.serviceIds, 'serviceIds');
      this.#db
        .prepare(
          `UPDATE users SET username = ?, name = ?, role = ?, password_hash = ?, use_dialer = ?, dialer_user = ?,
             dialer_password_sealed = ?, slots = ?, updated_at = ? WHERE id = ?`,
        )
        .run(
          username,
          p.name ?? row.name,
          role,
          p.password ? hashPassword(p.password, this.#cost) : row.password_hash,
          useDialer ? 1 : 0,
          dialerUser,
          dialerSealed,
          p.slots ?? row.slots,
          this.#clock.now(),
          userId,
        );
      if (p.serviceIds) this.#setUserServices(userId, p.serviceIds);
      return this.getUser(orgId, userId);
    });
  }

  /** 409 LAST_ADMIN for the organization's only administrator. */
  deleteUser(orgId: string, userId: string): void {
    const row = this.#userRow(orgId, userId);
    if (row.role === 'admin') this.#assertNotLastAdmin(row);
    this.#db.prepare('DELETE FROM users WHERE id = ?').run(userId);
  }

  /** The user when username and Omni password match; undefined otherwise (also for a user without a password). */
  authenticate(orgId: string, username: string, password: string): User | undefined {
    const row = this.#db.prepare('SELECT * FROM users WHERE org_id = ? AND username = ?').get(orgId, username) as
      | UserRow
      | undefined;
    if (!row || row.password_hash === NO_PASSWORD) {
      this.#dummy ??= dummyHash(this.#cost);
      verifyPassword(password, this.#dummy); // same work either way: timing does not reveal usernames
      return undefined;
    }
    return verifyPassword(password, row.password_hash) ? this.#user(row) : undefined;
  }

  /**
   * For the dialer login: the user's *Usuário do Discador* and *Senha do Discador* in clear. 404 USER_NOT_FOUND;
   * 409 USER_DIALER_CREDENTIALS_MISSING (with `details.missing`) when either is not set.
   */
  userDialerCredentials(userId: string): DialerCredentials {
    const row = this.#db.prepare('SELECT * FROM users WHERE id = ?').get(userId) as UserRow | undefined;
    if (!row) throw notFound('User', userId, 'USER_NOT_FOUND');
    const missing = [
      ...(row.dialer_user ? [] : ['dialerUser']),
      ...(row.dialer_password_sealed ? [] : ['dialerPassword']),
    ];
    if (missing.length > 0 || !row.dialer_user || !row.dialer_password_sealed)
      throw new AppError(
        'USER_DIALER_CREDENTIALS_MISSING',
        409,
        `user '${row.username}' has no ${missing.join(' and ')} set: fill "Usuário do Discador" and "Senha do Discador" exactly as in the dialer`,
        { userId, username: row.username, missing },
      );
    return { dialerUser: row.dialer_user, dialerPassword: this.#secrets.open(row.dialer_password_sealed) };
  }

  /** Users serving a service (the agents an AGV transfer to that service can go to). */
  usersOfService(serviceId: string): User[] {
    const rows = this.#db
      .prepare(
        `SELECT u.* FROM users u JOIN user_services us ON us.user_id = u.id WHERE us.service_id = ? ORDER BY u.username`,
      )
      .all(serviceId) as UserRow[];
    return rows.map((r) => this.#user(r));
  }

  // --- services ---

  createService(orgId: string, input: z.input<typeof ServiceInput>): Service {
    const p = parseOrThrow(ServiceInput, input);
    return this.transaction(() => {
      this.#orgRow(orgId);
      this.#assertIdentifierFree(orgId, p.identifier);
      const id = randomUUID();
      this.#db
        .prepare('INSERT INTO services (id, org_id, name, identifier) VALUES (?, ?, ?, ?)')
        .run(id, orgId, p.name, p.identifier);
      return this.getService(orgId, id);
    });
  }

  listServices(orgId: string): Service[] {
    this.#orgRow(orgId);
    const rows = this.#db
      .prepare('SELECT * FROM services WHERE org_id = ? ORDER BY identifier')
      .all(orgId) as ServiceRow[];
    return rows.map(service);
  }

  getService(orgId: string, serviceId: string): Service {
    return service(this.#serviceRow(orgId, serviceId));
  }

  /** The service whose identifier is `identifier`: for an AGV transfer, the AGV's extension (ramal). */
  serviceByIdentifier(orgId: string, identifier: string): Service | undefined {
    const row = this.#db.prepare('SELECT * FROM services WHERE org_id = ? AND identifier = ?').get(orgId, identifier) as
      | ServiceRow
      | undefined;
    return row && service(row);
  }

  updateService(orgId: string, serviceId: string, patch: z.input<typeof ServiceUpdate>): Service {
    const p = parseOrThrow(ServiceUpdate, patch);
    return this.transaction(() => {
      const row = this.#serviceRow(orgId, serviceId);
      const identifier = p.identifier ?? row.identifier;
      if (identifier !== row.identifier) this.#assertIdentifierFree(orgId, identifier);
      this.#db
        .prepare('UPDATE services SET name = ?, identifier = ? WHERE id = ?')
        .run(p.name ?? row.name, identifier, serviceId);
      return this.getService(orgId, serviceId);
    });
  }

  /** Also unlinks the service from its users and tags. */
  deleteService(orgId: string, serviceId: string): void {
    this.#serviceRow(orgId, serviceId);
    this.#db.prepare('DELETE FROM services WHERE id = ?').run(serviceId);
  }

  // --- pauses ---

  createPause(orgId: string, input: z.input<typeof PauseInput>): Pause {
    const p = parseOrThrow(PauseInput, input);
    return this.transaction(() => {
      this.#orgRow(orgId);
      this.#assertPauseFree(orgId, p, undefined);
      const id = randomUUID();
      this.#db
        .prepare('INSERT INTO pauses (id, org_id, name, id_status) VALUES (?, ?, ?, ?)')
        .run(id, orgId, p.name, p.idStatus);
      return this.getPause(orgId, id);
    });
  }

  listPauses(orgId: string): Pause[] {
    this.#orgRow(orgId);
    const rows = this.#db.prepare('SELECT * FROM pauses WHERE org_id = ? ORDER BY id_status').all(orgId) as PauseRow[];
    return rows.map(pause);
  }

  getPause(orgId: string, pauseId: string): Pause {
    return pause(this.#pauseRow(orgId, pauseId));
  }

  /** Omni's pause for a dialer ID Status; undefined when Omni has none (report it, never guess). */
  pauseByIdStatus(orgId: string, idStatus: number): Pause | undefined {
    const row = this.#db.prepare('SELECT * FROM pauses WHERE org_id = ? AND id_status = ?').get(orgId, idStatus) as
      | PauseRow
      | undefined;
    return row && pause(row);
  }

  pauseByName(orgId: string, name: string): Pause | undefined {
    const row = this.#db.prepare('SELECT * FROM pauses WHERE org_id = ? AND name = ?').get(orgId, name) as
      | PauseRow
      | undefined;
    return row && pause(row);
  }

  updatePause(orgId: string, pauseId: string, patch: z.input<typeof PauseUpdate>): Pause {
    const p = parseOrThrow(PauseUpdate, patch);
    return this.transaction(() => {
      const row = this.#pauseRow(orgId, pauseId);
      const next = { name: p.name ?? row.name, idStatus: p.idStatus ?? row.id_status };
      this.#assertPauseFree(orgId, next, pauseId);
      this.#db.prepare('UPDATE pauses SET name = ?, id_status = ? WHERE id = ?').run(next.name, next.idStatus, pauseId);
      return this.getPause(orgId, pauseId);
    });
  }

  /**
   * Gives several pauses new ID Statuses at once, so that two pauses can swap theirs. 409 PAUSE_DUPLICATE when a
   * pause outside the set holds one of the new values.
   */
  reassignPauseIdStatuses(orgId: string, moves: ReadonlyArray<{ pauseId: string; idStatus: number }>): void {
    this.transaction(() => {
      moves.forEach((m, i) => {
        this.#pauseRow(orgId, m.pauseId);
        this.#db.prepare('UPDATE pauses SET id_status = ? WHERE id = ?').run(-1 - i, m.pauseId);
      });
      for (const m of moves) {
        const p = parseOrThrow(PauseUpdate, { idStatus: m.idStatus });
        const holder = this.pauseByIdStatus(orgId, p.idStatus!);
        if (holder) throw this.#pauseDuplicate('idStatus', holder);
        this.#db.prepare('UPDATE pauses SET id_status = ? WHERE id = ?').run(p.idStatus, m.pauseId);
      }
    });
  }

  deletePause(orgId: string, pauseId: string): void {
    this.#pauseRow(orgId, pauseId);
    this.#db.prepare('DELETE FROM pauses WHERE id = ?').run(pauseId);
  }

  // --- tags ---

  createTag(orgId: string, input: z.input<typeof TagInput>): Tag {
    const p = parseOrThrow(TagInput, input);
    return this.transaction(() => {
      this.#orgRow(orgId);
      this.#assertTagCodeFree(orgId, p.code);
      this.#assertServices(orgId, p.serviceIds, 'serviceIds');
      const id = randomUUID();
      this.#db.prepare('INSERT INTO tags (id, org_id, code, name) VALUES (?, ?, ?, ?)').run(id, orgId, p.code, p.name);
      this.#setTagServices(id, p.serviceIds);
      return this.getTag(orgId, id);
    });
  }

  listTags(orgId: string): Tag[] {
    this.#orgRow(orgId);
    const rows = this.#db.prepare('SELECT * FROM tags WHERE org_id = ? ORDER BY code').all(orgId) as TagRow[];
    return rows.map((r) => this.#tag(r));
  }

  getTag(orgId: string, tagId: string): Tag {
    return this.#tag(this.#tagRow(orgId, tagId));
  }

  tagByCode(orgId: string, code: string): Tag | undefined {
    const row = this.#db.prepare('SELECT * FROM tags WHERE org_id = ? AND code = ?').get(orgId, code) as
      | TagRow
      | undefined;
    return row && this.#tag(row);
  }

  /** The tags an attendance of this service may be finalized with: those linked to it and those linked to none. */
  tagsForService(orgId: string, serviceId: string): Tag[] {
    return this.listTags(orgId).filter((t) => t.serviceIds.length === 0 || t.serviceIds.includes(serviceId));
  }

  /** Renaming the code of the auto-tabulation tag updates the tabulation settings too. */
  updateTag(orgId: string, tagId: string, patch: z.input<typeof TagUpdate>): Tag {
    const p = parseOrThrow(TagUpdate, patch);
    return this.transaction(() => {
      const row = this.#tagRow(orgId, tagId);
      const code = p.code ?? row.code;
      if (code !== row.code) {
        this.#assertTagCodeFree(orgId, code);
        this.#db
          .prepare('UPDATE organizations SET auto_tag_code = ? WHERE id = ? AND auto_tag_code = ?')
          .run(code, orgId, row.code);
      }
      if (p.serviceIds) this.#assertServices(orgId, p.serviceIds, 'serviceIds');
      this.#db.prepare('UPDATE tags SET code = ?, name = ? WHERE id = ?').run(code, p.name ?? row.name, tagId);
      if (p.serviceIds) this.#setTagServices(tagId, p.serviceIds);
      return this.getTag(orgId, tagId);
    });
  }

  /** 409 TAG_IN_USE for the auto-tabulation tag. */
  deleteTag(orgId: string, tagId: string): void {
    const row = this.#tagRow(orgId, tagId);
    if (this.#orgRow(orgId).auto_tag_code === row.code)
      throw new AppError(
        'TAG_IN_USE',
        409,
        `tag '${row.code}' is the auto-tabulation tag; choose another one in the tabulation settings first`,
        { code: row.code },
      );
    this.#db.prepare('DELETE FROM tags WHERE id = ?').run(tagId);
  }

  // --- internals ---

  #orgRow(orgId: string): OrgRow {
    const row = this.#db.prepare('SELECT * FROM organizations WHERE id = ?').get(orgId) as OrgRow | undefined;
    if (!row) throw notFound('Organization', orgId, 'ORGANIZATION_NOT_FOUND');
    return row;
  }

  #userRow(orgId: string, userId: string): UserRow {
    this.#orgRow(orgId);
    const row = this.#db.prepare('SELECT * FROM users WHERE id = ? AND org_id = ?').get(userId, orgId) as
      | UserRow
      | undefined;
    if (!row) throw notFound('User', userId, 'USER_NOT_FOUND');
    return row;
  }

  #serviceRow(orgId: string, serviceId: string): ServiceRow {
    this.#orgRow(orgId);
    const row = this.#db.prepare('SELECT * FROM services WHERE id = ? AND org_id = ?').get(serviceId, orgId) as
      | ServiceRow
      | undefined;
    if (!row) throw notFound('Service', serviceId, 'SERVICE_NOT_FOUND');
    return row;
  }

  #pauseRow(orgId: string, pauseId: string): PauseRow {
    this.#orgRow(orgId);
    const row = this.#db.prepare('SELECT * FROM pauses WHERE id = ? AND org_id = ?').get(pauseId, orgId) as
      | PauseRow
      | undefined;
    if (!row) throw notFound('Pause', pauseId, 'PAUSE_NOT_FOUND');
    return row;
  }

  #tagRow(orgId: string, tagId: string): TagRow {
    this.#orgRow(orgId);
    const row = this.#db.prepare('SELECT * FROM tags WHERE id = ? AND org_id = ?').get(tagId, orgId) as
      | TagRow
      | undefined;
    if (!row) throw notFound('Tag', tagId, 'TAG_NOT_FOUND');
    return row;
  }

  #tabulation(row: OrgRow): Tabulation {
    return {
      autoTabulation: row.auto_tabulation === 1,
      windowSeconds: row.tabulation_seconds,
      autoTagCode: row.auto_tag_code,
    };
  }

  #setTabulation(orgId: string, p: TabulationUpdate, pathPrefix: string): void {
    const current = this.#tabulation(this.#orgRow(orgId));
    const next = { ...current, ...p };
    if (
      next.autoTagCode !== null &&
      next.autoTagCode !== current.autoTagCode &&
      !this.tagByCode(orgId, next.autoTagCode)
    )
      throw this.#unknownTag(next.autoTagCode, `${pathPrefix}autoTagCode`);
    this.#db
      .prepare(
        'UPDATE organizations SET auto_tabulation = ?, tabulation_seconds = ?, auto_tag_code = ?, updated_at = ? WHERE id = ?',
      )
      .run(next.autoTabulation ? 1 : 0, next.windowSeconds, next.autoTagCode, this.#clock.now(), orgId);
  }

  #unknownTag(code: string, path: string): AppError {
    return new AppError(
      'TAG_UNKNOWN',
      422,
      `${path}: no tag with code '${code}' in this organization; create the tag first`,
      { path, code },
    );
  }

  #certificateView(info: CertificateInfo): CertificateView {
    const now = this.#clock.now();
    const status =
      now > Date.parse(info.validTo) ? 'expired' : now < Date.parse(info.validFrom) ? 'not_yet_valid' : 'valid';
    return { ...info, status };
  }

  #missing(row: OrgRow): RequiredDialerSetting[] {
    const missing: RequiredDialerSetting[] = [];
    if (!row.dialer_key_sealed) missing.push('dialerKey');
    if (!row.dialer_url) missing.push('dialerUrl');
    if (!row.webrtc_url) missing.push('webrtcUrl');
    if (!row.certificate_pem) missing.push('certificate');
    return missing;
  }

  #organization(row: OrgRow): Organization {
    const info = fromJson<CertificateInfo>(row.certificate_info);
    return {
      id: row.id,
      name: row.name,
      media: MEDIA,
      hasDialerKey: row.dialer_key_sealed !== null,
      dialerUrl: row.dialer_url,
      webrtcUrl: row.webrtc_url,
      certificate: info ? this.#certificateView(info) : null,
      tabulation: this.#tabulation(row),
      missing: this.#missing(row),
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
    };
  }

  #user(row: UserRow): User {
    const serviceIds = (
      this.#db
        .prepare(
          'SELECT s.id FROM user_services us JOIN services s ON s.id = us.service_id WHERE us.user_id = ? ORDER BY s.identifier',
        )
        .all(row.id) as Array<{ id: string }>
    ).map((r) => r.id);
    return {
      id: row.id,
      orgId: row.org_id,
      username: row.username,
      name: row.name,
      role: row.role,
      hasPassword: row.password_hash !== NO_PASSWORD,
      useDialer: row.use_dialer === 1,
      dialerUser: row.dialer_user,
      hasDialerPassword: row.dialer_password_sealed !== null,
      slots: row.slots,
      serviceIds,
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
    };
  }

  #tag(row: TagRow): Tag {
    const serviceIds = (
      this.#db
        .prepare(
          'SELECT s.id FROM tag_services ts JOIN services s ON s.id = ts.service_id WHERE ts.tag_id = ? ORDER BY s.identifier',
        )
        .all(row.id) as Array<{ id: string }>
    ).map((r) => r.id);
    return { id: row.id, orgId: row.org_id, code: row.code, name: row.name, serviceIds };
  }

  #setUserServices(userId: string, serviceIds: readonly string[]): void {
    this.#db.prepare('DELETE FROM user_services WHERE user_id = ?').run(userId);
    const ins = this.#db.prepare('INSERT OR IGNORE INTO user_services (user_id, service_id) VALUES (?, ?)');
    for (const s of serviceIds) ins.run(userId, s);
  }

  #setTagServices(tagId: string, serviceIds: readonly string[]): void {
    this.#db.prepare('DELETE FROM tag_services WHERE tag_id = ?').run(tagId);
    const ins = this.#db.prepare('INSERT OR IGNORE INTO tag_services (tag_id, service_id) VALUES (?, ?)');
    for (const s of serviceIds) ins.run(tagId, s);
  }

  #assertServices(orgId: string, serviceIds: readonly string[], path: string): void {
    const q = this.#db.prepare('SELECT 1 FROM services WHERE id = ? AND org_id = ?');
    const unknown = serviceIds.filter((id) => q.get(id, orgId) === undefined);
    if (unknown.length > 0)
      throw new AppError(
        'SERVICE_UNKNOWN',
        422,
        `${path}: no service ${unknown.map((u) => `'${u}'`).join(', ')} in this organization`,
        { path, serviceIds: unknown },
      );
  }

  #assertUsernameFree(orgId: string, username: string): void {
    if (this.#db.prepare('SELECT 1 FROM users WHERE org_id = ? AND username = ?').get(orgId, username))
      throw new AppError('USER_EXISTS', 409, `a user '${username}' already exists in this organization`, {
        username,
      });
  }

  /** Two Omni users on one dialer login would log each other out of the dialer. */
  #assertDialerUserFree(orgId: string, dialerUser: string, exceptUserId: string | undefined): void {
    const other = this.#db
      .prepare('SELECT username FROM users WHERE org_id = ? AND dialer_user = ? AND id IS NOT ?')
      .get(orgId, dialerUser, exceptUserId ?? null) as { username: string } | undefined;
    if (other)
      throw new AppError(
        'DIALER_USER_IN_USE',
        409,
        `the dialer user '${dialerUser}' already belongs to user '${other.username}'; each Omni user needs their own`,
        { dialerUser, username: other.username },
      );
  }

  #assertNotLastAdmin(row: UserRow): void {
    const others = this.#db
      .prepare("SELECT COUNT(*) AS n FROM users WHERE org_id = ? AND role = 'admin' AND id <> ?")
      .get(row.org_id, row.id) as { n: number };
    if (others.n === 0)
      throw new AppError(
        'LAST_ADMIN',
        409,
        `'${row.username}' is the organization's only administrator; make another user admin first`,
        { userId: row.id, username: row.username },
      );
  }

  #assertIdentifierFree(orgId: string, identifier: string): void {
    const other = this.serviceByIdentifier(orgId, identifier);
    if (other)
      throw new AppError(
        'SERVICE_EXISTS',
        409,
        `service '${other.name}' already has the identifier '${identifier}'; an identifier (an AGV's ramal) names one service`,
        { identifier, serviceId: other.id },
      );
  }

  #assertPauseFree(orgId: string, p: { name: string; idStatus: number }, exceptId: string | undefined): void {
    const byName = this.pauseByName(orgId, p.name);
    if (byName && byName.id !== exceptId) throw this.#pauseDuplicate('name', byName);
    const byId = this.pauseByIdStatus(orgId, p.idStatus);
    if (byId && byId.id !== exceptId) throw this.#pauseDuplicate('idStatus', byId);
  }

  #pauseDuplicate(field: 'name' | 'idStatus', existing: Pause): AppError {
    const what = field === 'name' ? `the name '${existing.name}'` : `the ID Status ${existing.idStatus}`;
    return new AppError('PAUSE_DUPLICATE', 409, `pause '${existing.name}' already has ${what}`, {
      field,
      existing: { id: existing.id, name: existing.name, idStatus: existing.idStatus },
    });
  }

  #assertTagCodeFree(orgId: string, code: string): void {
    const other = this.tagByCode(orgId, code);
    if (other)
      throw new AppError('TAG_EXISTS', 409, `a tag with code '${code}' already exists`, { code, tagId: other.id });
  }
}

const service = (r: ServiceRow): Service => ({ id: r.id, orgId: r.org_id, name: r.name, identifier: r.identifier });
const pause = (r: PauseRow): Pause => ({ id: r.id, orgId: r.org_id, name: r.name, idStatus: r.id_status });
