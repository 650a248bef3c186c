import { createHash, randomBytes } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../core/db.ts';
import { AppError } from '../../core/errors.ts';
import type { IntegrationEnv, Role, SessionInfo } from '../http/app.ts';

/** What a session copied from the user's configuration at login; it stays until the next login (the seed's rule). */
export type SessionConfig = {
  name: string;
  useDialer: boolean;
  dialerUser: string | null;
  slots: number;
  serviceIds: string[];
};

export type DialerLink = { status: 'not_used' | 'connected' | 'failed' | 'logged_out'; reason: string | null };

export type Session = SessionInfo & { config: SessionConfig; dialer: DialerLink; createdAt: number; expiresAt: number };

type Row = {
  token_hash: string;
  user_id: string;
  org_id: string;
  role: Role;
  config: string;
  dialer_status: DialerLink['status'];
  dialer_reason: string | null;
  created_at: number;
  expires_at: number;
};

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
export const SESSION_TTL_MS = 12 * 3_600_000;

/** Omni sessions: opaque bearer tokens, stored only as hashes. */
export class Sessions {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  #toSession(r: Row, token: string): Session {
    return {
      token,
      userId: r.user_id,
      orgId: r.org_id,
      role: r.role,
      config: JSON.parse(r.config),
      dialer: { status: r.dialer_status, reason: r.dialer_reason },
      createdAt: r.created_at,
      expiresAt: r.expires_at,
    };
  }

  create(s: { userId: string; orgId: string; role: Role; config: SessionConfig; dialer: DialerLink }): Session {
    const token = `omni_${randomBytes(24).toString('base64url')}`;
    const now = this.clock.now();
    this.db
      .prepare(
        `INSERT INTO sessions (token_hash, user_id, org_id, role, config, dialer_user, dialer_status, dialer_reason,
                               created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        hash(token),
        s.userId,
        s.orgId,
        s.role,
        JSON.stringify(s.config),
        s.config.dialerUser,
        s.dialer.status,
        s.dialer.reason,
        now,
        now + SESSION_TTL_MS,
      );
    return this.get(token)!;
  }

  get(token: string): Session | undefined {
    const r = this.db
      .prepare('SELECT * FROM sessions WHERE token_hash = ? AND ended_at IS NULL AND expires_at > ?')
      .get(hash(token), this.clock.now()) as Row | undefined;
    return r && this.#toSession(r, token);
  }

  setDialer(token: string, dialer: DialerLink): void {
    this.db
      .prepare('UPDATE sessions SET dialer_status = ?, dialer_reason = ? WHERE token_hash = ?')
      .run(dialer.status, dialer.reason, hash(token));
  }

  end(token: string): void {
    this.db.prepare('UPDATE sessions SET ended_at = ? WHERE token_hash = ?').run(this.clock.now(), hash(token));
  }

  /** Ends every open session of a user (a new login replaces the old one). Returns how many. */
  endAllOf(userId: string): number {
    return this.db
      .prepare('UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL')
      .run(this.clock.now(), userId).changes;
  }

  /** The user's open session's configuration (the one copied at login), if logged in. */
  activeOf(userId: string): (Omit<Session, 'token'> & { token: null }) | undefined {
    const r = this.db
      .prepare(
        'SELECT * FROM sessions WHERE user_id = ? AND ended_at IS NULL AND expires_at > ? ORDER BY created_at DESC LIMIT 1',
      )
      .get(userId, this.clock.now()) as Row | undefined;
    return r && { ...this.#toSession(r, ''), token: null };
  }

  /** Logged-in users of an organization whose session uses the dialer, with their session configuration. */
  activeDialerUsers(orgId: string): Array<{ userId: string; config: SessionConfig; dialer: DialerLink }> {
    const rows = this.db
      .prepare(
        `SELECT * FROM sessions WHERE org_id = ? AND ended_at IS NULL AND expires_at > ?
         AND dialer_status = 'connected' ORDER BY created_at`,
      )
      .all(orgId, this.clock.now()) as Row[];
    return rows.map((r) => ({
      userId: r.user_id,
      config: JSON.parse(r.config),
      dialer: { status: r.dialer_status, reason: r.dialer_reason },
    }));
  }

  /** The logged-in user whose session's dialer user is `dialerUser` (runs for every dialer event: indexed). */
  userByDialerUser(orgId: string, dialerUser: string): string | undefined {
    const row = this.db
      .prepare(
        `SELECT user_id FROM sessions WHERE org_id = ? AND dialer_user = ? AND ended_at IS NULL AND expires_at > ?
           AND dialer_status = 'connected' ORDER BY created_at DESC LIMIT 1`,
      )
      .get(orgId, dialerUser, this.clock.now()) as { user_id: string } | undefined;
    return row?.user_id;
  }
}

/** Reads `Authorization: Bearer <token>` and sets `c.var.session`; 401 with a code when missing, unknown or expired. */
export function sessionAuth(sessions: Sessions): MiddlewareHandler<IntegrationEnv> {
  return async (c, next) => {
    const token = c.req
      .header('authorization')
      ?.match(/^Bearer\s+(.+)$/i)?.[1]
      ?.trim();
    if (!token)
      throw new AppError(
        'UNAUTHENTICATED',
        401,
        'log in first (POST /api/v1/sessions) and send Authorization: Bearer <token>',
      );
    const s = sessions.get(token);
    if (!s) throw new AppError('SESSION_INVALID', 401, 'this session has ended or expired; log in again');
    c.set('session', { token, userId: s.userId, orgId: s.orgId, role: s.role });
    await next();
  };
}
