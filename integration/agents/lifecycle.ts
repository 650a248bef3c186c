import { randomUUID } from 'node:crypto';
import { AppError, isAppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { Attendances, DialerCommands } from '../attendances/attendances.ts';
import type { DialerLink, Session, SessionConfig, Sessions } from '../auth/sessions.ts';
import type { Configuration } from '../configuration.ts';
import type { AgentRequests } from '../dialer/agent-requests.ts';
import type { DialerClients } from '../dialer/clients.ts';
import type { DialerCommandRoute } from '../dialer/commands.ts';
import type { Presence } from './presence.ts';

type AgentCommandRoute = Extract<DialerCommandRoute, `agents.${string}`>;

export type SoftphoneAccount = {
  webrtcUrl: string;
  sip: { username: string; password: string; domain: string; websocketPath: string };
};

export type LoginResult = {
  token: string;
  user: { id: string; name: string; username: string; role: Session['role'] };
  dialer: DialerLink & { softphone: SoftphoneAccount | null };
};

/** A refused dialer login says so in Omni's words: DIALER_LOGIN_FAILED, with the dialer's message and code. */
function dialerLoginError(e: unknown, dialerUser: string | null): unknown {
  if (isAppError(e) && e.status === 401 && e.details?.dialerCode === 'AGENT_CREDENTIALS_INVALID')
    return new AppError('DIALER_LOGIN_FAILED', 401, e.message, { ...e.details, dialerUser });
  return e;
}

/**
 * The agent's day: Omni login (and, with *Utilizar discador*, dialer login with their dialer credentials), pauses,
 * availability, logout. The user's configuration is read at login and kept in the session: a change made while
 * logged in applies at the next login ("basta o usuário deslogar e logar novamente").
 */
export class AgentLifecycle {
  constructor(
    private readonly config: Configuration,
    private readonly sessions: Sessions,
    private readonly clients: DialerClients,
    private readonly commands: DialerCommands,
    private readonly presence: Presence,
    private readonly attendances: Attendances,
    private readonly requests: AgentRequests,
    private readonly log: Logger,
  ) {}

  async login(input: { organization: string; username: string; password: string }): Promise<LoginResult> {
    const user = await this.config.users.authenticate(input.organization, input.username, input.password);
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
        const creds = this.config.users.dialerCredentials(user.id);
        const settings = this.config.organizations.dialerSettings(user.orgId);
        const res = await this.clients
          .get(user.orgId)
          .call('agents.login', { body: { dialerUser: creds.dialerUser, password: creds.dialerPassword } });
        dialer = { status: 'connected', reason: null };
        softphone = { webrtcUrl: settings.webrtcUrl, sip: res.body.sip };
      } catch (e) {
        const err = dialerLoginError(e, snapshot.dialerUser);
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
    if (s.dialer.status === 'connected' && s.config.dialerUser) this.#send(s, 'agents.logout');
  }

  /**
   * Ends the user's sessions at once, because what they may do changed (role, password, deactivation, deletion):
   * their token answers 401 from now on, and a dialer login made for them is logged out, durably.
   */
  endSessionsOf(userId: string): void {
    const s = this.sessions.activeOf(userId);
    this.sessions.endAllOf(userId);
    if (s?.dialer.status === 'connected' && s.config.dialerUser) this.#send(s, 'agents.logout');
  }

  /** Asks the dialer to pause the agent with the pause's ID Status; deferred by the dialer during a call. */
  requestPause(token: string, pauseId: string): { pause: { id: string; name: string; idStatus: number } } {
    const s = this.#dialerSession(token);
    const pause = this.config.pauses.get(s.orgId, pauseId);
    this.#send(s, 'agents.pause', { idStatus: pause.idStatus });
    return { pause: { id: pause.id, name: pause.name, idStatus: pause.idStatus } };
  }

  unpause(token: string): void {
    this.#send(this.#dialerSession(token), 'agents.unpause');
  }

  available(token: string): void {
    this.#send(this.#dialerSession(token), 'agents.available');
  }

  /** What the agent's screen shows: who, the dialer link, state and pause, slots. */
  me(token: string) {
    const s = this.sessions.get(token);
    if (!s) throw new AppError('SESSION_INVALID', 401, 'this session has ended or expired; log in again');
    const presence = this.presence.get(s.userId);
    const used = this.attendances.slotsUsed(s.userId);
    const pause = presence?.pauseId ? this.config.pauses.get(s.orgId, presence.pauseId) : undefined;
    return {
      userId: s.userId,
      orgId: s.orgId,
      role: s.role,
      config: s.config,
      dialer: s.dialer,
      presence: presence ?? null,
      pause: pause ? { id: pause.id, name: pause.name, idStatus: pause.idStatus } : null,
      slots: { total: s.config.slots, used, free: Math.max(0, s.config.slots - used) },
      dialerRequest: s.config.dialerUser ? this.requests.last(s.orgId, s.config.dialerUser, s.createdAt) : null,
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

  #send(s: Pick<Session, 'orgId' | 'config'>, command: AgentCommandRoute, body?: { idStatus: number }): void {
    const params = { dialerUser: s.config.dialerUser! };
    const dedupeKey = `${command}:${randomUUID()}`;
    if (command === 'agents.pause') this.commands.send(s.orgId, { route: command, params, body: body! }, dedupeKey);
    else this.commands.send(s.orgId, { route: command, params }, dedupeKey);
  }
}
