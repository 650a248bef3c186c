import { randomBytes } from 'node:crypto';
import type { AgentStatus } from '../../contract/agents.ts';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../core/db.ts';
import { AppError, notFound } from '../../core/errors.ts';
import type { SecretBox } from '../../core/secrets.ts';
import type { EventLog } from '../events/event-log.ts';
import type { OrganizationRepository } from '../organizations/repository.ts';
import { type AgentCommand, type AgentRuntime, type AgentTransition, transitionAgent } from './agent-state.ts';

type Row = {
  dialer_user: string;
  state: AgentRuntime['state'];
  id_status: number | null;
  pending_id_status: number | null;
  call_id: string | null;
  state_since: number;
  logged_in_at: number | null;
};

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Agents' sessions at the dialer: applies the pure state machine, persists the result and appends the
 * `agent.state_changed` event in one transaction.
 */
export class AgentSessions {
  readonly #get;
  readonly #save;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly events: EventLog,
    private readonly orgs: OrganizationRepository,
    private readonly secrets: SecretBox,
  ) {
    this.#get = db.prepare('SELECT * FROM agents WHERE org_id = ? AND dialer_user = ?');
    this.#save = db.prepare(
      `UPDATE agents SET state = ?, id_status = ?, pending_id_status = ?, call_id = ?, state_since = ?, logged_in_at = ?
       WHERE org_id = ? AND dialer_user = ?`,
    );
  }

  #row(orgId: string, dialerUser: string): Row {
    const row = this.#get.get(orgId, dialerUser) as Row | undefined;
    if (!row) throw notFound('Agent', dialerUser, 'AGENT_NOT_FOUND');
    return row;
  }

  runtime(orgId: string, dialerUser: string): AgentRuntime {
    const r = this.#row(orgId, dialerUser);
    return { state: r.state, idStatus: r.id_status, pendingIdStatus: r.pending_id_status, callId: r.call_id };
  }

  status(orgId: string, dialerUser: string): AgentStatus {
    const r = this.#row(orgId, dialerUser);
    const pause = r.id_status === null ? undefined : this.orgs.pause(orgId, r.id_status);
    return {
      dialerUser: r.dialer_user,
      state: r.state,
      idStatus: r.id_status,
      pauseName: pause?.name ?? null,
      pendingIdStatus: r.pending_id_status,
      callId: r.call_id,
      since: new Date(r.state_since).toISOString(),
      loggedInAt: iso(r.logged_in_at),
    };
  }

  statuses(orgId: string): AgentStatus[] {
    const users = this.db
      .prepare('SELECT dialer_user FROM agents WHERE org_id = ? ORDER BY dialer_user')
      .all(orgId) as {
      dialer_user: string;
    }[];
    return users.map((u) => this.status(orgId, u.dialer_user));
  }

  login(orgId: string, dialerUser: string, password: string): AgentStatus {
    const stored = this.orgs.agentPassword(orgId, dialerUser);
    // Same answer for an unknown user and a wrong password: the error does not reveal which users exist.
    if (stored === undefined || stored !== password)
      throw new AppError('AGENT_CREDENTIALS_INVALID', 401, 'dialer user or password is wrong', { dialerUser });
    // A repeated login (Omni reconnecting after its own restart) keeps the session as it is.
    if (this.runtime(orgId, dialerUser).state === 'logged_out')
      this.apply(orgId, dialerUser, { type: 'login', loginIdStatus: this.orgs.loginPause(orgId).idStatus });
    return this.status(orgId, dialerUser);
  }

  /** A new SIP secret for the agent's softphone, valid until the next login. */
  issueSipSecret(orgId: string, dialerUser: string): string {
    const secret = randomBytes(18).toString('base64url');
    this.db
      .prepare('UPDATE agents SET sip_secret_sealed = ? WHERE org_id = ? AND dialer_user = ?')
      .run(this.secrets.seal(secret), orgId, dialerUser);
    return secret;
  }

  /** The agent's current SIP secret (for the SIP registrar's digest check). */
  sipSecret(orgId: string, dialerUser: string): string | undefined {
    const row = this.#get.get(orgId, dialerUser) as { sip_secret_sealed: string | null } | undefined;
    return row?.sip_secret_sealed ? this.secrets.open(row.sip_secret_sealed) : undefined;
  }

  /** Applies a command; returns the transition. Call inside the caller's transaction when other writes go with it. */
  apply(orgId: string, dialerUser: string, cmd: AgentCommand): AgentTransition {
    return this.db.transaction(() => {
      const before = this.#row(orgId, dialerUser);
      const current = this.runtime(orgId, dialerUser);
      const t = transitionAgent(current, cmd);
      const now = this.clock.now();
      const stateChanged = t.next.state !== current.state || t.next.idStatus !== current.idStatus;
      const loggedInAt = cmd.type === 'login' ? now : t.next.state === 'logged_out' ? null : before.logged_in_at;
      this.#save.run(
        t.next.state,
        t.next.idStatus,
        t.next.pendingIdStatus,
        t.next.callId,
        stateChanged ? now : before.state_since,
        loggedInAt,
        orgId,
        dialerUser,
      );
      if (t.deferred) {
        const pause = this.orgs.pause(orgId, t.next.pendingIdStatus!);
        this.events.append(orgId, 'agent.pause_deferred', {
          dialerUser,
          idStatus: t.next.pendingIdStatus!,
          pauseName: pause?.name ?? '',
          callId: t.next.callId,
        });
      }
      if (stateChanged || t.next.pendingIdStatus !== current.pendingIdStatus) {
        const pause = t.next.idStatus === null ? undefined : this.orgs.pause(orgId, t.next.idStatus);
        this.events.append(orgId, 'agent.state_changed', {
          dialerUser,
          state: t.next.state,
          previousState: current.state,
          idStatus: t.next.idStatus,
          pauseName: pause?.name ?? null,
          pendingIdStatus: t.next.pendingIdStatus,
          callId: t.next.callId ?? current.callId,
          reason: t.reason,
        });
      }
      return t;
    })();
  }

  /** Available agents of an organization, longest idle first. */
  available(orgId: string, limit = 1000): string[] {
    return (
      this.db
        .prepare(
          "SELECT dialer_user FROM agents WHERE org_id = ? AND state = 'available' ORDER BY state_since, dialer_user LIMIT ?",
        )
        .all(orgId, limit) as { dialer_user: string }[]
    ).map((r) => r.dialer_user);
  }

  countAvailable(orgId: string): number {
    return (
      this.db.prepare("SELECT COUNT(*) AS n FROM agents WHERE org_id = ? AND state = 'available'").get(orgId) as {
        n: number;
      }
    ).n;
  }

  byExtension(orgId: string, extension: string): string | undefined {
    const row = this.db
      .prepare('SELECT dialer_user FROM agents WHERE org_id = ? AND extension = ?')
      .get(orgId, extension) as { dialer_user: string } | undefined;
    return row?.dialer_user;
  }
}
