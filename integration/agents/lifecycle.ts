import { randomUUID } from 'node:crypto';
import { AppError, isAppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { Attendances, DialerCommands } from '../attendances/attendances.ts';
import type { DialerLink, Session, SessionConfig, Sessions } from '../auth/sessions.ts';
import type { Config } from '../config/repository.ts';
import type { DialerClients } from '../dialer/clients.ts';
import type { Presence } from './presence.ts';

export type SoftphoneAccount = {
  webrtcUrl: string;
  sip: { username: string; password: string; domain: string; websocketPath: string };
};

export type LoginResult = {
  token: string;
  user: { id: string; name: string; username: string; role: Session['role'] };
  dialer: DialerLink & { softphone: SoftphoneAccount | null };
};

/**
 * The agent's day: Omni login (and, with *Utilizar discador*, dialer login with their dialer credentials), pauses,
 * availability, logout. The user's configuration is read at login and kept in the session: a change made while
 * logged in applies at the next login ("basta o usuário deslogar e logar novamente").
 */
export class AgentLifecycle {
  constructor(
    private readonly config: Config,
    private readonly sessions: Sessions,
    private readonly clients: DialerClients,
    private readonly commands: DialerCommands,
    private readonly presence: Presence,
    private readonly attendances: Attendances,
    private readonly log: Logger,
  ) {}

  async login(input: { organization: string; username: string; password: string }): Promise<LoginResult> {
    const user = this.config.authenticate(input.organization, input.username, input.password);
    if (!user) throw new AppError('LOGIN_INVALID', 401, 'organization, username or password is wrong');
    const snapshot: SessionConfig = {
      name: user.name,
      useDialer: user.useDialer,
      dialerUser: user.useDialer ? user.dialerUser : null,
      slots: user.slots,
      serviceIds: user.serviceIds,
    };
    // A new login replaces the user's previous session.
    this.sessions.endAllOf(user.id);
    let dialer: DialerLink = { status: 'not_used', reason: null };
    let softphone: SoftphoneAccount | null = null;
    if (snapshot.useDialer) {
      try {
        const creds = this.config.userDialerCredentials(user.id);
        const settings = this.config.dialerSettings(user.orgId);
        const res = await this.clients.get(user.orgId).login(creds.dialerUser, creds.dialerPassword);
        dialer = { status: 'connected', reason: null };
        softphone = { webrtcUrl: settings.webrtcUrl, sip: res.sip };
      } catch (err) {
        // The user stays logged into Omni without the dialer, and sees why.
        const reason = isAppError(err) ? `${err.message} [${err.code}]` : String(err);
        this.log.warn({ err, userId: user.id }, 'dialer login failed');
        dialer = { status: 'failed', reason };
      }
    }
    const session = this.sessions.create({
      userId: user.id,
      orgId: user.orgId,
      role: user.role,
      config: snapshot,
      dialer,
    });
    return {
      token: session.token,
      user: { id: user.id, name: user.name, username: user.username, role: user.role },
      dialer: { ...dialer, softphone },
    };
  }

  /** Logs out of Omni and, durably, of the dialer (the outbox delivers it even if the dialer is down now). */
  logout(token: string): void {
    const s = this.sessions.get(token);
    if (!s) return;
    this.sessions.end(token);
    if (s.dialer.status === 'connected' && s.config.dialerUser) this.#send(s, 'logout', {});
  }

  /** Asks the dialer to pause the agent with the pause's ID Status; deferred by the dialer during a call. */
  requestPause(token: string, pauseId: string): { pause: { id: string; name: string; idStatus: number } } {
    const s = this.#dialerSession(token);
    const pause = this.config.getPause(s.orgId, pauseId);
    this.#send(s, 'pause', { idStatus: pause.idStatus });
    return { pause: { id: pause.id, name: pause.name, idStatus: pause.idStatus } };
  }

  unpause(token: string): void {
    this.#send(this.#dialerSession(token), 'unpause', {});
  }

  available(token: string): void {
    this.#send(this.#dialerSession(token), 'available', {});
  }

  /** What the agent's screen shows: who, the dialer link, state and pause, slots. */
  me(token: string) {
    const s = this.sessions.get(token);
    if (!s) throw new AppError('SESSION_INVALID', 401, 'this session has ended or expired; log in again');
    const presence = this.presence.get(s.userId);
    const used = this.attendances.slotsUsed(s.userId);
    const pause = presence?.pauseId ? this.config.getPause(s.orgId, presence.pauseId) : undefined;
    return {
      userId: s.userId,
      orgId: s.orgId,
      role: s.role,
      config: s.config,
      dialer: s.dialer,
      presence: presence ?? null,
      pause: pause ? { id: pause.id, name: pause.name, idStatus: pause.idStatus } : null,
      slots: { total: s.config.slots, used, free: Math.max(0, s.config.slots - used) },
    };
  }

  #dialerSession(token: string): Session {
    const s = this.sessions.get(token);
    if (!s) throw new AppError('SESSION_INVALID', 401, 'this session has ended or expired; log in again');
    if (!s.config.useDialer)
      throw new AppError('DIALER_NOT_USED', 409, 'this user does not use the dialer (Utilizar discador is off)');
    if (s.dialer.status !== 'connected')
      throw new AppError(
        'DIALER_NOT_CONNECTED',
        409,
        `the dialer login failed at Omni login: ${s.dialer.reason}; log in again`,
        {
          reason: s.dialer.reason,
        },
      );
    return s;
  }

  #send(s: Pick<Session, 'orgId' | 'config'>, kind: 'pause' | 'unpause' | 'available' | 'logout', extra: object): void {
    const dialerUser = s.config.dialerUser!;
    this.commands.enqueue({
      orgId: s.orgId,
      kind,
      orderingKey: `agent:${dialerUser}`,
      payload: { dialerUser, ...extra },
      idempotencyKey: `${kind}:${randomUUID()}`,
    });
    this.commands.kick();
  }
}
