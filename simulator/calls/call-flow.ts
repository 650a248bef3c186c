import { createHash, randomUUID } from 'node:crypto';
import type { AgentState } from '../../contract/agents.ts';
import type { Call, CallOrigin, CallState, Disposition, DispositionRequest } from '../../contract/calls.ts';
import type { Lead } from '../../contract/mailing.ts';
import type { Pacing } from '../../contract/pacing.ts';
import { afterCommit } from '../../core/after-commit.ts';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../core/db.ts';
import type { DurableTimers } from '../../core/durable-timers.ts';
import { isAppError } from '../../core/errors.ts';
import type { AgentSessions } from '../agents/sessions.ts';
import type { CampaignRepository } from '../campaigns/repository.ts';
import type { EventLog } from '../events/event-log.ts';
import type { OrganizationRepository } from '../organizations/repository.ts';
import type { CallPlan } from '../pacing/outcome-model.ts';
import { CallRecords, type CallRow } from './call-records.ts';
import {
  type AnsweredRoute,
  type CallCore,
  type CallEffect,
  type CallEvent,
  type CallNotice,
  type CallStart,
  type CallTimer,
  type CallTransition,
  dispositionView,
  type KnownExtension,
  startCall,
  type TransferTarget,
  transitionCall,
  unknownExtension,
} from './call-state.ts';
import { type AgentLegEvent, autoAnswer, type CallDelivery, type CallOffer } from './delivery.ts';

// Durable timer kinds (as stored: a restart re-arms them by these names).
const timerKind = (t: CallTimer) => `call.${t}`;

export type NewCall = {
  lead: Lead;
  campaignId?: string | null;
  origin: CallOrigin;
  parentCallId?: string | null;
  originExtension?: string | null;
};

/**
 * Calls from dialling to disposition, persisted: each change loads the call, asks the pure state machine
 * (`call-state.ts`) what happens, stores the new state and carries out its effects (timers, the agent, events, the
 * lead), all in one transaction. The offer reaches its delivery (the agent's phone) only after that commits.
 */
export class CallFlow {
  delivery: CallDelivery = autoAnswer;
  /** One stable dispatch per organization, so several in one transaction run once after it commits. */
  readonly #dispatchers = new Map<string, () => void>();
  readonly #records: CallRecords;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly events: EventLog,
    private readonly timers: DurableTimers,
    private readonly agents: AgentSessions,
    private readonly orgs: OrganizationRepository,
    private readonly campaigns: CampaignRepository,
  ) {
    this.#records = new CallRecords(db);
    timers.on(timerKind('ring_end'), (id) => this.#ringEnded(id));
    timers.on(timerKind('talk_end'), (id) => this.#timerFired(id, { type: 'customer_hung_up' }));
    timers.on(timerKind('abandon'), (id) => this.#timerFired(id, { type: 'abandon_timeout' }));
    timers.on(timerKind('agv_hold'), (id) => this.#agvHoldEnded(id));
  }

  // --- reading ---

  get(orgId: string, callId: string): Call {
    return this.#records.toCall(this.#records.row(orgId, callId));
  }

  list(
    orgId: string,
    filter: { state?: CallState | undefined; dialerUser?: string | undefined; limit?: number | undefined } = {},
  ): Call[] {
    return this.#records.list(orgId, filter);
  }

  countInState(campaignId: string, state: CallState): number {
    return this.#records.countInState(campaignId, state);
  }

  /** An agent's state, or null when the organization has no such agent. */
  #agentState(orgId: string, dialerUser: string): AgentState | null {
    try {
      return this.agents.runtime(orgId, dialerUser).state;
    } catch (err) {
      if (isAppError(err) && err.code === 'AGENT_NOT_FOUND') return null;
      throw err;
    }
  }

  // --- persistence and effects ---

  /** Applies an event to a stored call in one transaction. Refusals thrown by the machine roll it back. */
  #apply(orgId: string, callId: string, event: CallEvent): CallTransition & { before: CallCore } {
    return this.db.transaction(() => {
      const before = this.#records.core(orgId, callId);
      const t = transitionCall(before, event, this.clock.now());
      if (t.next !== before) this.#records.update(orgId, before, t.next);
      this.#carryOut(orgId, t.next, t.effects);
      return { ...t, before };
    })();
  }

  /** A command: its refusal, if any, is thrown once what it recorded (a violation) is committed. */
  #command(orgId: string, callId: string, event: CallEvent): CallTransition & { before: CallCore } {
    const t = this.#apply(orgId, callId, event);
    if (t.refusal) throw t.refusal;
    return t;
  }

  /** Creates a call in its first state (inside the caller's transaction). */
  #start(orgId: string, id: string, c: NewCall, start: CallStart): void {
    const t = startCall(
      {
        id,
        origin: c.origin,
        campaignId: c.campaignId ?? null,
        leadId: c.lead.id,
        originExtension: c.originExtension ?? null,
      },
      start,
      this.clock.now(),
    );
    const n = t.next;
    this.#records.insert(orgId, n, { lead: c.lead, parentCallId: c.parentCallId ?? null });
    this.#carryOut(orgId, n, t.effects);
  }

  /** Carries out a transition's effects in order, in the current transaction (deliveries wait for its commit). */
  #carryOut(orgId: string, call: CallCore, effects: CallEffect[]): void {
    // The call as stored after the change: read once, for the events that carry it and for the delivery.
    let view: Call | undefined;
    const stored = () => {
      view ??= this.get(orgId, call.id);
      return view;
    };
    for (const e of effects) this.#effect(orgId, call, e, stored);
  }

  #effect(orgId: string, call: CallCore, e: CallEffect, stored: () => Call): void {
    switch (e.type) {
      case 'schedule_timer':
        this.timers.schedule(timerKind(e.timer), call.id, e.at);
        return;
      case 'cancel_timer':
        this.timers.cancel(timerKind(e.timer), call.id);
        return;
      case 'agent':
        this.agents.apply(orgId, e.dialerUser, e.command);
        return;
      case 'append_event':
        this.#append(orgId, e.event, stored);
        return;
      case 'deliver_offer': {
        const offer = { orgId, call: stored(), dialerUser: e.dialerUser };
        afterCommit(this.db, () => this.#deliver(offer));
        return;
      }
      case 'lead_attempt_ended': {
        const pacing = JSON.parse(
          (this.db.prepare('SELECT pacing FROM campaigns WHERE id = ?').get(call.campaignId) as { pacing: string })
            .pacing,
        ) as Pacing;
        this.campaigns.leadAttemptEnded(call.campaignId!, call.leadId!, e.outcome, pacing);
        return;
      }
      case 'start_transfer_leg': {
        const parent = this.#records.row(orgId, call.id);
        const leg: NewCall = {
          lead: JSON.parse(parent.lead) as Lead,
          campaignId: parent.campaign_id,
          origin: 'agent_transfer',
          parentCallId: parent.id,
        };
        this.#start(
          orgId,
          e.newCallId,
          leg,
          e.target.kind === 'agv'
            ? { kind: 'agv', extension: e.extension, holdMs: e.target.holdMs }
            : { kind: 'offer_to', dialerUser: e.target.dialerUser, agent: e.target.agent },
        );
        return;
      }
      case 'dispatch':
        afterCommit(this.db, this.#dispatcher(orgId));
        return;
    }
  }

  #append(orgId: string, n: CallNotice, stored: () => Call): void {
    switch (n.type) {
      case 'call.offered':
        this.events.append(orgId, 'call.offered', { call: stored(), dialerUser: n.dialerUser });
        return;
      case 'call.agv_transferred':
        this.events.append(orgId, 'call.agv_transferred', { call: stored(), extension: n.extension });
        return;
      case 'call.connected':
        this.events.append(orgId, n.type, n.data);
        return;
      case 'call.ended':
        this.events.append(orgId, n.type, n.data);
        return;
      case 'call.transferred':
        this.events.append(orgId, n.type, n.data);
        return;
      case 'call.disposed':
        this.events.append(orgId, n.type, n.data);
        return;
      case 'violation':
        this.events.append(orgId, n.type, n.data);
        return;
    }
  }

  #dispatcher(orgId: string): () => void {
    let run = this.#dispatchers.get(orgId);
    if (!run) {
      run = () => {
        this.dispatch(orgId);
      };
      this.#dispatchers.set(orgId, run);
    }
    return run;
  }

  /** Rings the agent's phone for a committed offer; what the phone reports goes back into the machine. */
  #deliver(offer: CallOffer): void {
    const { orgId, call, dialerUser } = offer;
    const current = this.#records.stateOf(call.id);
    if (current?.state !== 'offered' || current.dialer_user !== dialerUser) return; // ended meanwhile: nothing to ring
    this.delivery.deliver(offer, (event: AgentLegEvent) => {
      try {
        this.#apply(orgId, call.id, event);
      } catch (err) {
        if (!(isAppError(err) && err.code === 'CALL_NOT_FOUND')) throw err; // gone: its organization was reset
      }
    });
  }

  // --- creating calls ---

  /** The pacer dials a lead: the call rings for the plan's ring time, then its outcome happens. */
  dial(orgId: string, campaignId: string, lead: Lead, plan: CallPlan): string {
    return this.db.transaction(() => {
      const id = randomUUID();
      this.#start(orgId, id, { lead, campaignId, origin: 'campaign' }, { kind: 'dial', plan });
      return id;
    })();
  }

  /**
   * The control API's call: answered at once and offered to `dialerUser` (who must be available), held by the AGV at
   * `agvExtension`, or queued for the next free agent. It lasts until somebody hangs up.
   */
  scripted(orgId: string, c: NewCall & { dialerUser?: string | undefined; agvExtension?: string | undefined }): Call {
    const id = randomUUID();
    this.db.transaction(() => {
      if (c.agvExtension) {
        const agv = this.orgs.agv(orgId, c.agvExtension);
        if (!agv) throw unknownExtension(c.agvExtension, this.#knownExtensions(orgId));
        this.#start(orgId, id, c, { kind: 'agv', extension: c.agvExtension, holdMs: agv.behaviour.holdSeconds * 1000 });
      } else if (c.dialerUser) {
        const agent = this.#agentState(orgId, c.dialerUser);
        this.#start(orgId, id, c, { kind: 'offer_to', dialerUser: c.dialerUser, agent });
      } else this.#start(orgId, id, c, { kind: 'wait_for_agent' });
    })();
    return this.get(orgId, id);
  }

  // --- what happens to calls ---

  // Timers gather what the machine needs to decide (the plan, the campaign's route, the AGV's behaviour); a stale
  // one (its call moved on) asks nothing.
  #ringEnded(callId: string): void {
    const r = this.#records.rowById(callId);
    if (r?.state !== 'dialing') return;
    const plan = JSON.parse(r.plan ?? '{}') as CallPlan;
    this.#apply(
      r.org_id,
      callId,
      plan.outcome === 'answered'
        ? { type: 'customer_answered', route: this.#answeredRoute(r) }
        : { type: 'customer_unreached', outcome: plan.outcome },
    );
  }

  #answeredRoute(r: CallRow): AnsweredRoute {
    const campaign = r.campaign_id ? this.campaigns.get(r.org_id, r.campaign_id) : undefined;
    if (campaign?.routeTo.kind === 'agv') {
      const agv = this.orgs.agv(r.org_id, campaign.routeTo.extension);
      return agv
        ? { to: 'agv', extension: agv.extension, holdMs: agv.behaviour.holdSeconds * 1000 }
        : { to: 'agv_missing' };
    }
    return { to: 'agents', abandonAfterMs: (campaign?.pacing.abandonAfterSeconds ?? 2) * 1000 };
  }

  #agvHoldEnded(callId: string): void {
    const r = this.#records.rowById(callId);
    if (r?.state !== 'agv' || !r.agv_extension) return;
    const agv = this.orgs.agv(r.org_id, r.agv_extension);
    this.#apply(r.org_id, callId, {
      type: 'agv_acts',
      action: agv?.behaviour.action === 'hangup' ? 'hangup' : 'transfer',
    });
  }

  #timerFired(callId: string, event: CallEvent): void {
    const r = this.#records.stateOf(callId);
    if (r) this.#apply(r.org_id, callId, event);
  }

  /** Offers waiting calls (oldest answered first) to available agents (longest idle first). */
  dispatch(orgId: string): number {
    return this.db.transaction(() => {
      // Read only as many waiting calls and free agents as can be matched (both lists can be long).
      const waitingCount = (
        this.db.prepare("SELECT COUNT(*) AS n FROM calls WHERE org_id = ? AND state = 'waiting_agent'").get(orgId) as {
          n: number;
        }
      ).n;
      if (waitingCount === 0) return 0;
      const free = this.agents.available(orgId, Math.min(waitingCount, 1000));
      if (free.length === 0) return 0;
      const waiting = this.db
        .prepare(
          "SELECT id FROM calls WHERE org_id = ? AND state = 'waiting_agent' ORDER BY answered_at, rowid LIMIT ?",
        )
        .all(orgId, free.length) as { id: string }[];
      const n = Math.min(waiting.length, free.length);
      for (let i = 0; i < n; i++)
        this.#apply(orgId, waiting[i]!.id, { type: 'offer', dialerUser: free[i]!, agent: 'available' });
      return n;
    })();
  }

  /** Hang-up by the agent's side (or a supervisor through Omni), or the customer's through the control API. */
  hangup(orgId: string, callId: string, by: 'agent' | 'supervisor' | 'customer'): Call {
    this.#command(orgId, callId, { type: 'hangup', by });
    return this.get(orgId, callId);
  }

  /**
   * Transfers a connected call to an extension: an AGV holds it, an agent's extension offers it to that agent.
   * The transferring agent goes to wrap-up for their leg; the call goes on as a new leg.
   */
  transfer(orgId: string, callId: string, extension: string): { call: Call; newCall: Call } {
    const newCallId = randomUUID();
    this.#command(orgId, callId, {
      type: 'transfer',
      extension,
      target: this.#transferTarget(orgId, extension),
      newCallId,
    });
    return { call: this.get(orgId, callId), newCall: this.get(orgId, newCallId) };
  }

  #transferTarget(orgId: string, extension: string): TransferTarget {
    const agv = this.orgs.agv(orgId, extension);
    if (agv) return { kind: 'agv', holdMs: agv.behaviour.holdSeconds * 1000 };
    const dialerUser = this.agents.byExtension(orgId, extension);
    if (dialerUser) return { kind: 'agent', dialerUser, agent: this.agents.runtime(orgId, dialerUser).state };
    return { kind: 'unknown', known: this.#knownExtensions(orgId) };
  }

  #knownExtensions(orgId: string): KnownExtension[] {
    return [
      ...this.orgs.agvs(orgId).map((a) => ({ extension: a.extension, kind: 'agv' as const, name: a.name })),
      ...this.orgs
        .agents(orgId)
        .filter((a) => a.extension)
        .map((a) => ({ extension: a.extension!, kind: 'agent' as const, name: a.dialerUser })),
    ];
  }

  /** The AGV hands the call back to Omni now; Omni routes it to the service whose identifier is the AGV's extension. */
  agvTransferNow(orgId: string, callId: string): Call {
    this.#command(orgId, callId, { type: 'agv_transfer_now' });
    return this.get(orgId, callId);
  }

  /** Omni gives a queued (AGV-returned) call to one of its agents. */
  assign(orgId: string, callId: string, dialerUser: string): Call {
    this.#command(orgId, callId, { type: 'assign', dialerUser, agent: this.#agentState(orgId, dialerUser) });
    return this.get(orgId, callId);
  }

  /** An agent logs out: a call they are on ends (its disposition is still owed and accepted later). */
  agentLoggingOut(orgId: string, dialerUser: string): void {
    const rt = this.agents.runtime(orgId, dialerUser);
    if (rt.callId && (rt.state === 'reserved' || rt.state === 'in_call'))
      this.#apply(orgId, rt.callId, { type: 'agent_logged_out' });
  }

  // --- disposition ---

  /**
   * Records the one disposition of a call. The same Idempotency-Key replays the first answer; any other second
   * disposition is refused (409) and recorded as a violation, like VICIdial's dispo_set_twice.
   */
  dispose(
    orgId: string,
    callId: string,
    req: DispositionRequest,
    idempotencyKey: string | undefined,
  ): { disposition: Disposition; replayed: boolean } {
    const requestHash = createHash('sha256')
      .update(JSON.stringify([req.tagCode, req.notes, req.dialerUser ?? null]))
      .digest('hex');
    const t = this.#command(orgId, callId, {
      type: 'dispose',
      tagCode: req.tagCode,
      notes: req.notes,
      dialerUser: req.dialerUser,
      idempotencyKey,
      requestHash,
    });
    return {
      disposition: dispositionView(callId, t.next.disposition!),
      replayed: t.next.disposition === t.before.disposition,
    };
  }
}
