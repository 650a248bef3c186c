import { randomUUID } from 'node:crypto';
import type { z } from '@hono/zod-openapi';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../core/db.ts';
import { AppError, notFound } from '../../core/errors.ts';
import type { SecretBox } from '../../core/secrets.ts';
import { assertServices } from '../catalogue/services.ts';
import { organizationRow } from '../organizations/scope.ts';
import { invalid, parseOrThrow } from '../validation/parse.ts';
import { DEFAULT_SCRYPT_COST, dummyHash, hashPassword, NO_PASSWORD, verifyPassword } from './passwords.ts';
import {
  DIALER_PASSWORD_NEEDED,
  DIALER_USER_NEEDED,
  Password,
  type User,
  UserCreate,
  UserCreateRelaxed,
  UserUpdate,
} from './schemas.ts';

type UserRow = {
  id: string;
  org_id: string;
  username: string;
  name: string;
  role: User['role'];
  active: number;
  password_hash: string;
  use_dialer: number;
  dialer_user: string | null;
  dialer_password_sealed: string | null;
  slots: number;
  created_at: number;
  updated_at: number;
};

export type DialerCredentials = { dialerUser: string; dialerPassword: string };

/** Why a user's sessions must end now: what they were allowed to do changed. */
export type AccessChange = 'role' | 'password' | 'deactivated' | 'deleted';

/** An Omni password hashed off the event loop, to be stored later (inside a transaction). */
export type PasswordHash = { readonly scrypt: string };
/** A user ready to be inserted: validated, the password already hashed (off the event loop). */
export type PreparedUser = { readonly input: UserCreateRelaxed; readonly passwordHash: string };
/** A change ready to be applied: validated, a new password already hashed. */
export type PreparedUserUpdate = { readonly patch: UserUpdate; readonly passwordHash: string | undefined };

export type UsersOptions = {
  /** scrypt cost (N) for new Omni password hashes; tests lower it. Default 16384. */
  scryptCost?: number;
};

type SecretsOption = { allowMissingSecrets?: boolean };

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Omni users of an organization. Omni passwords are hashed with scrypt, dialer passwords sealed with the SecretBox
 * (Omni sends them on); reads carry neither, only `dialerCredentials` opens the dialer password for the dialer login.
 *
 * Writes come in two steps because hashing is asynchronous and a SQLite transaction is not: `prepare` /
 * `prepareUpdate` validate and hash, `insert` / `apply` write synchronously and may be grouped in one transaction
 * (an import, a provisioning). `create` / `update` do both for a single write.
 *
 * A role change, a new password, a deactivation or a deletion tells the `onAccessChange` listeners inside the same
 * transaction, so that the user's sessions end at once.
 *
 * Errors: 404 USER_NOT_FOUND / ORGANIZATION_NOT_FOUND; 409 USER_EXISTS, DIALER_USER_IN_USE, LAST_ADMIN,
 * USER_DIALER_CREDENTIALS_MISSING; 422 VALIDATION_FAILED, SERVICE_UNKNOWN.
 */
export class Users {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #secrets: SecretBox;
  readonly #cost: number;
  #dummy: Promise<string> | undefined;
  readonly #listeners = new Set<(userId: string, change: AccessChange) => void>();

  constructor(db: Db, clock: Clock, secrets: SecretBox, options: UsersOptions = {}) {
    this.#db = db;
    this.#clock = clock;
    this.#secrets = secrets;
    this.#cost = options.scryptCost ?? DEFAULT_SCRYPT_COST;
  }

  /** Calls `fn` (inside the writing transaction) when a user's access changes. Returns the unsubscribe function. */
  onAccessChange(fn: (userId: string, change: AccessChange) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /**
   * Validates a new user and hashes their password. With `allowMissingSecrets` (imports) the Omni password and the
   * dialer password may be left out: such a user cannot log in (`hasPassword: false`) or into the dialer until set.
   */
  async prepare(input: z.input<typeof UserCreateRelaxed>, options: SecretsOption = {}): Promise<PreparedUser> {
    const p = parseOrThrow(options.allowMissingSecrets ? UserCreateRelaxed : UserCreate, input);
    return { input: p, passwordHash: p.password ? await hashPassword(p.password, this.#cost) : NO_PASSWORD };
  }

  /** Hashes an Omni password (off the event loop) for `prepareWith` / `prepareUpdateWith`. */
  async hash(password: string): Promise<PasswordHash> {
    return { scrypt: await hashPassword(parseOrThrow(Password, password, 'password'), this.#cost) };
  }

  /**
   * `prepare` without waiting, for writes grouped in one transaction: the password comes hashed already (`hash`),
   * and `input.password` is ignored.
   */
  prepareWith(
    input: z.input<typeof UserCreateRelaxed>,
    passwordHash: PasswordHash | undefined,
    options: SecretsOption = {},
  ): PreparedUser {
    const p = parseOrThrow(UserCreateRelaxed, { ...input, password: undefined });
    if (!options.allowMissingSecrets) {
      if (!passwordHash) throw invalid([{ path: ['password'], message: 'a password is required', code: 'custom' }]);
      if (p.useDialer && !p.dialerPassword)
        throw invalid([{ path: ['dialerPassword'], message: DIALER_PASSWORD_NEEDED, code: 'custom' }]);
    }
    return { input: p, passwordHash: passwordHash?.scrypt ?? NO_PASSWORD };
  }

  insert(orgId: string, prepared: PreparedUser): User {
    const p = prepared.input;
    return this.#db.transaction(() => {
      organizationRow(this.#db, orgId);
      this.#assertUsernameFree(orgId, p.username);
      if (p.dialerUser) this.#assertDialerUserFree(orgId, p.dialerUser, undefined);
      assertServices(this.#db, orgId, p.serviceIds, 'serviceIds');
      const id = randomUUID();
      const now = this.#clock.now();
      this.#db
        .prepare(
          `INSERT INTO users (id, org_id, username, name, role, active, password_hash, use_dialer, dialer_user,
             dialer_password_sealed, slots, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          orgId,
          p.username,
          p.name,
          p.role,
          p.active ? 1 : 0,
          prepared.passwordHash,
          p.useDialer ? 1 : 0,
          p.dialerUser ?? null,
          p.dialerPassword ? this.#secrets.seal(p.dialerPassword) : null,
          p.slots,
          now,
          now,
        );
      this.#setServices(id, p.serviceIds);
      return this.get(orgId, id);
    })();
  }

  async create(orgId: string, input: z.input<typeof UserCreateRelaxed>, options: SecretsOption = {}): Promise<User> {
    return this.insert(orgId, await this.prepare(input, options));
  }

  list(orgId: string): User[] {
    organizationRow(this.#db, orgId);
    const rows = this.#db.prepare('SELECT * FROM users WHERE org_id = ? ORDER BY username').all(orgId) as UserRow[];
    return rows.map((r) => this.#user(r));
  }

  get(orgId: string, userId: string): User {
    return this.#user(this.#row(orgId, userId));
  }

  byUsername(orgId: string, username: string): User | undefined {
    const row = this.#db.prepare('SELECT * FROM users WHERE org_id = ? AND username = ?').get(orgId, username) as
      | UserRow
      | undefined;
    return row && this.#user(row);
  }

  async prepareUpdate(patch: z.input<typeof UserUpdate>): Promise<PreparedUserUpdate> {
    const p = parseOrThrow(UserUpdate, patch);
    return { patch: p, passwordHash: p.password ? await hashPassword(p.password, this.#cost) : undefined };
  }

  /** `prepareUpdate` without waiting: a new password comes hashed already (`hash`); `patch.password` is ignored. */
  prepareUpdateWith(patch: z.input<typeof UserUpdate>, passwordHash: PasswordHash | undefined): PreparedUserUpdate {
    return { patch: parseOrThrow(UserUpdate, { ...patch, password: undefined }), passwordHash: passwordHash?.scrypt };
  }

  /** Fields left out keep their value; `null` clears the dialer user or password. */
  apply(orgId: string, userId: string, prepared: PreparedUserUpdate, options: SecretsOption = {}): User {
    const p = prepared.patch;
    return this.#db.transaction(() => {
      const row = this.#row(orgId, userId);
      const username = p.username ?? row.username;
      const role = p.role ?? row.role;
      const active = p.active ?? row.active === 1;
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
      const wasActiveAdmin = row.role === 'admin' && row.active === 1;
      if (wasActiveAdmin && (role !== 'admin' || !active)) this.#assertNotLastAdmin(row);
      if (p.serviceIds) assertServices(this.#db, orgId, p.serviceIds, 'serviceIds');
      this.#db
        .prepare(
          `UPDATE users SET username = ?, name = ?, role = ?, active = ?, password_hash = ?, use_dialer = ?,
             dialer_user = ?, dialer_password_sealed = ?, slots = ?, updated_at = ? WHERE id = ?`,
        )
        .run(
          username,
          p.name ?? row.name,
          role,
          active ? 1 : 0,
          prepared.passwordHash ?? row.password_hash,
          useDialer ? 1 : 0,
          dialerUser,
          dialerSealed,
          p.slots ?? row.slots,
          this.#clock.now(),
          userId,
        );
      if (p.serviceIds) this.#setServices(userId, p.serviceIds);
      const change: AccessChange | undefined =
        row.active === 1 && !active
          ? 'deactivated'
          : role !== row.role
            ? 'role'
            : prepared.passwordHash !== undefined
              ? 'password'
              : undefined;
      if (change) this.#accessChanged(userId, change);
      return this.get(orgId, userId);
    })();
  }

  async update(
    orgId: string,
    userId: string,
    patch: z.input<typeof UserUpdate>,
    options: SecretsOption = {},
  ): Promise<User> {
    return this.apply(orgId, userId, await this.prepareUpdate(patch), options);
  }

  /** 409 LAST_ADMIN for the organization's only active administrator. */
  delete(orgId: string, userId: string): void {
    this.#db.transaction(() => {
      const row = this.#row(orgId, userId);
      if (row.role === 'admin' && row.active === 1) this.#assertNotLastAdmin(row);
      this.#accessChanged(userId, 'deleted');
      this.#db.prepare('DELETE FROM users WHERE id = ?').run(userId);
    })();
  }

  /**
   * The user when username and Omni password match; undefined otherwise (also for a user without a password); 403
   * USER_INACTIVE for a deactivated user with the right password. The check runs off the event loop and costs the
   * same whether or not the user exists.
   */
  async authenticate(orgId: string, username: string, password: string): Promise<User | undefined> {
    const row = this.#db.prepare('SELECT * FROM users WHERE org_id = ? AND username = ?').get(orgId, username) as
      | UserRow
      | undefined;
    if (!row || row.password_hash === NO_PASSWORD) {
      this.#dummy ??= dummyHash(this.#cost);
      await verifyPassword(password, await this.#dummy); // same work either way: timing does not reveal usernames
      return undefined;
    }
    if (!(await verifyPassword(password, row.password_hash))) return undefined;
    // Read again: the user may have changed while the hash was computed.
    const fresh = this.#db.prepare('SELECT * FROM users WHERE id = ?').get(row.id) as UserRow | undefined;
    if (!fresh || fresh.password_hash !== row.password_hash) return undefined;
    if (fresh.active !== 1)
      throw new AppError(
        'USER_INACTIVE',
        403,
        `user '${fresh.username}' is deactivated; an administrator of the organization can activate them again`,
      );
    return this.#user(fresh);
  }

  /**
   * For the dialer login: the user's *Usuário do Discador* and *Senha do Discador* in clear. 404 USER_NOT_FOUND;
   * 409 USER_DIALER_CREDENTIALS_MISSING (with `details.missing`) when either is not set.
   */
  dialerCredentials(userId: string): DialerCredentials {
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

  // --- internals ---

  #accessChanged(userId: string, change: AccessChange): void {
    for (const fn of this.#listeners) fn(userId, change);
  }

  #row(orgId: string, userId: string): UserRow {
    organizationRow(this.#db, orgId);
    const row = this.#db.prepare('SELECT * FROM users WHERE id = ? AND org_id = ?').get(userId, orgId) as
      | UserRow
      | undefined;
    if (!row) throw notFound('User', userId, 'USER_NOT_FOUND');
    return row;
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
      active: row.active === 1,
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

  #setServices(userId: string, serviceIds: readonly string[]): void {
    this.#db.prepare('DELETE FROM user_services WHERE user_id = ?').run(userId);
    const ins = this.#db.prepare('INSERT OR IGNORE INTO user_services (user_id, service_id) VALUES (?, ?)');
    for (const s of serviceIds) ins.run(userId, s);
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
      .prepare("SELECT COUNT(*) AS n FROM users WHERE org_id = ? AND role = 'admin' AND active = 1 AND id <> ?")
      .get(row.org_id, row.id) as { n: number };
    if (others.n === 0)
      throw new AppError(
        'LAST_ADMIN',
        409,
        `'${row.username}' is the organization's only active administrator; make another user admin first`,
        { userId: row.id, username: row.username },
      );
  }
}
