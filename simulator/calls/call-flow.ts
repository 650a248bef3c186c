import { createHash, randomUUID } from 'node:crypto';
import type { Call, CallOrigin, CallState, Disposition, DispositionRequest, EndedBy } from '../../contract/calls.ts';
import type { Lead } from '../../contract/mailing.ts';
import type { CallOutcome, Pacing } from '../../contract/pacing.ts';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../core/db.ts';
import type { DurableTimers } from '../../core/durable-timers.ts';
import { AppError, notFound } from '../../core/errors.ts';
import type { AgentSessions } from '../agents/sessions.ts';
import type { CampaignRepository } from '../campaigns/repository.ts';
import type { EventLog } from '../events/event-log.ts';
import type { OrganizationRepository } from '../organizations/repository.ts';
import type { CallPlan } from '../pacing/outcome-model.ts';
import { autoAnswer, type CallDelivery } from './delivery.ts';

type CallRow = {
  id: string;
  org_id: string;
  campaign_id: string | null;
  lead_id: string | null;
  lead: string;
  parent_call_id: string | null;
  origin: CallOrigin;
  origin_extension: string | null;
  state: CallState;
  outcome: CallOutcome | null;
  dialer_user: string | null;
  agv_extension: string | null;
  transferred_to: string | null;
  plan: string | null;
  started_at: number;
  answered_at: number | null;
  offered_at: number | null;
  connected_at: number | null;
  ended_at: number | null;
  ended_by: EndedBy | null;
};

type DispositionRow = {
  call_id: string;
  dialer_user: string | null;
  tag_code: string;
  notes: string;
  idempotency_key: string | null;
  request_hash: string;
  at: number;
};

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const dispositionFromRow = (d: DispositionRow): Disposition => ({
  callId: d.call_id,
  dialerUser: d.dialer_user,
  tagCode: d.tag_code,
  notes: d.notes,
  at: new Date(d.at).toISOString(),
});

// Durable timer kinds: each survives a restart and fires at its original time.
const RING_END = 'call.ring_end';
const TALK_END = 'call.talk_end';
const ABANDON = 'call.abandon';
const AGV_HOLD = 'call.agv_hold';

export type NewCall = {
  lead: Lead;
  campaignId?: string | null;
  origin: CallOrigin;
  parentCallId?: string | null;
  originExtension?: string | null;
};

/**
 * Calls from dialling to disposition: answered calls meet free agents (or an AGV), the call's end puts the agent in
 * wrap-up, and exactly one disposition per call returns the agent to available (or to a deferred pause).
 * Every change is one transaction that also appends its events.
 */
export class CallFlow {
  delivery: CallDelivery = autoAnswer;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly events: EventLog,
    private readonly timers: DurableTimers,
    private readonly agents: AgentSessions,
    private readonly orgs: OrganizationRepository,
    private readonly campaigns: CampaignRepository,
  ) {
    timers.on(RING_END, (id) => this.#ringEnded(id));
    timers.on(TALK_END, (id) => this.#customerHangsUp(id));
    timers.on(ABANDON, (id) => this.#abandon(id));
    timers.on(AGV_HOLD, (id) => this.#agvActs(id));
  }

  // --- reading ---

  #row(orgId: string, callId: string): CallRow {
    const row = this.db.prepare('SELECT * FROM calls WHERE id = ? AND org_id = ?').get(callId, orgId) as
      | CallRow
      | undefined;
    if (!row) throw notFound('Call', callId, 'CALL_NOT_FOUND');
    return row;
  }

  #rowById(callId: string): CallRow | undefined {
    return this.db.prepare('SELECT * FROM calls WHERE id = ?').get(callId) as CallRow | undefined;
  }

  #toCall(r: CallRow): Call {
    const d = this.db.prepare('SELECT * FROM dispositions WHERE call_id = ?').get(r.id) as DispositionRow | undefined;
    const service = r.campaign_id
      ? (this.db.prepare('SELECT service FROM campaigns WHERE id = ?').get(r.campaign_id) as
          | { service: string | null }
          | undefined)
      : undefined;
    return {
      id: r.id,
      campaignId: r.campaign_id,
      service: service?.service ?? null,
      parentCallId: r.parent_call_id,
      lead: JSON.parse(r.lead),
      origin: r.origin,
      originExtension: r.origin_extension,
      state: r.state,
      outcome: r.outcome,
      dialerUser: r.dialer_user,
      agvExtension: r.agv_extension,
      transferredTo: r.transferred_to,
      startedAt: new Date(r.started_at).toISOString(),
      answeredAt: iso(r.answered_at),
      offeredAt: iso(r.offered_at),
      connectedAt: iso(r.connected_at),
      endedAt: iso(r.ended_at),
      endedBy: r.ended_by,
      disposition: d ? dispositionFromRow(d) : null,
    };
  }

  get(orgId: string, callId: string): Call {
    return this.#toCall(this.#row(orgId, callId));
  }

  list(
    orgId: string,
    filter: { state?: CallState | undefined; dialerUser?: string | undefined; limit?: number | undefined } = {},
  ): Call[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM calls WHERE org_id = ? AND (? IS NULL OR state = ?) AND (? IS NULL OR dialer_user = ?)
         ORDER BY started_at DESC, rowid DESC LIMIT ?`,
      )
      .all(
        orgId,
        filter.state ?? null,
        filter.state ?? null,
        filter.dialerUser ?? null,
        filter.dialerUser ?? null,
        filter.limit ?? 100,
      ) as CallRow[];
    return rows.map((r) => this.#toCall(r));
  }

  countInState(campaignId: string, state: CallState): number {
    return (
      this.db.prepare('SELECT COUNT(*) AS n FROM calls WHERE campaign_id = ? AND state = ?').get(campaignId, state) as {
        n: number;
      }
    ).n;
  }

  // --- creating calls ---

  #insert(orgId: string, c: NewCall, state: CallState, extra: { plan?: CallPlan; agvExtension?: string } = {}): string {
    const id = randomUUID();
    const now = this.clock.now();
    this.db
      .prepare(
        `INSERT INTO calls (id, org_id, campaign_id, lead_id, lead, parent_call_id, origin, origin_extension, state,
                            agv_extension, plan, started_at, answered_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        orgId,
        c.campaignId ?? null,
        c.lead.id,
        JSON.stringify(c.lead),
        c.parentCallId ?? null,
        c.origin,
        c.originExtension ?? null,
        state,
        extra.agvExtension ?? null,
        extra.plan ? JSON.stringify(extra.plan) : null,
        now,
        state === 'dialing' ? null : now,
      );
    return id;
  }

  /** The pacer dials a lead: the call rings for the plan's ring time, then its outcome happens. */
  dial(orgId: string, campaignId: string, lead: Lead, plan: CallPlan): string {
    return this.db.transaction(() => {
      const id = this.#insert(orgId, { lead, campaignId, origin: 'campaign' }, 'dialing', { plan });
      this.timers.schedule(RING_END, id, this.clock.now() + plan.ringMs);
      return id;
    })();
  }

  /**
   * The control API's call: answered at once and offered to `dialerUser` (who must be available), held by the AGV at
   * `agvExtension`, or queued for the next free agent. It lasts until somebody hangs up.
   */
  scripted(orgId: string, c: NewCall & { dialerUser?: string | undefined; agvExtension?: string | undefined }): Call {
    const id = this.db.transaction(() => {
      if (c.agvExtension) {
        const agv = this.orgs.agv(orgId, c.agvExtension);
        if (!agv) throw this.#unknownExtension(orgId, c.agvExtension);
        const id = this.#insert(orgId, c, 'agv', { agvExtension: c.agvExtension });
        this.#holdAtAgv(id, agv.behaviour.holdSeconds);
        return id;
      }
      if (c.dialerUser) {
        const rt = this.agents.runtime(orgId, c.dialerUser);
        if (rt.state !== 'available')
          throw new AppError('AGENT_NOT_AVAILABLE', 409, `agent '${c.dialerUser}' is ${rt.state}, not available`, {
            dialerUser: c.dialerUser,
            state: rt.state,
          });
        const id = this.#insert(orgId, c, 'waiting_agent');
        this.#offer(orgId, id, c.dialerUser);
        return id;
      }
      const id = this.#insert(orgId, c, 'waiting_agent');
      this.dispatch(orgId);
      return id;
    })();
    return this.get(orgId, id);
  }

  // --- the call's life ---

  #ringEnded(callId: string): void {
    const r = this.#rowById(callId);
    if (r?.state !== 'dialing') return;
    const plan = JSON.parse(r.plan ?? '{}') as CallPlan;
    if (plan.outcome !== 'answered') {
      this.#end(r, plan.outcome, 'dialer');
      return;
    }
    const now = this.clock.now();
    const campaign = r.campaign_id ? this.campaigns.get(r.org_id, r.campaign_id) : undefined;
    if (campaign?.routeTo.kind === 'agv') {
      const agv = this.orgs.agv(r.org_id, campaign.routeTo.extension);
      if (!agv) {
        this.#end(r, 'abandoned', 'dialer'); // the AGV was removed while the call rang
        return;
      }
      this.db
        .prepare("UPDATE calls SET state = 'agv', answered_at = ?, agv_extension = ? WHERE id = ?")
        .run(now, agv.extension, callId);
      this.#holdAtAgv(callId, agv.behaviour.holdSeconds);
      return;
    }
    this.db.prepare("UPDATE calls SET state = 'waiting_agent', answered_at = ? WHERE id = ?").run(now, callId);
    const abandonMs = (campaign?.pacing.abandonAfterSeconds ?? 2) * 1000;
    this.timers.schedule(ABANDON, callId, now + abandonMs);
    this.dispatch(r.org_id);
  }

  #abandon(callId: string): void {
    const r = this.#rowById(callId);
    if (r?.state === 'waiting_agent') this.#end(r, 'abandoned', 'dialer');
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
      for (let i = 0; i < n; i++) this.#offer(orgId, waiting[i]!.id, free[i]!);
      return n;
    })();
  }

  #offer(orgId: string, callId: string, dialerUser: string): void {
    const now = this.clock.now();
    this.agents.apply(orgId, dialerUser, { type: 'reserve', callId });
    this.db
      .prepare("UPDATE calls SET state = 'offered', dialer_user = ?, offered_at = ? WHERE id = ?")
      .run(dialerUser, now, callId);
    this.timers.cancel(ABANDON, callId);
    const call = this.get(orgId, callId);
    this.events.append(orgId, 'call.offered', { call, dialerUser });
    this.delivery.deliver(
      orgId,
      call,
      dialerUser,
      () => this.#connect(orgId, callId),
      () => this.#offerFailed(orgId, callId),
    );
  }

  #connect(orgId: string, callId: string): void {
    this.db.transaction(() => {
      const r = this.#row(orgId, callId);
      if (r.state !== 'offered' || !r.dialer_user) return;
      const now = this.clock.now();
      this.agents.apply(orgId, r.dialer_user, { type: 'connect', callId });
      this.db.prepare("UPDATE calls SET state = 'connected', connected_at = ? WHERE id = ?").run(now, callId);
      this.events.append(orgId, 'call.connected', { callId, dialerUser: r.dialer_user });
      const plan = r.plan ? (JSON.parse(r.plan) as CallPlan) : undefined;
      if (plan && plan.talkMs > 0) this.timers.schedule(TALK_END, callId, now + plan.talkMs);
    })();
  }

  /** The softphone did not take the call: the agent goes to wrap-up like after a short call, never silently back. */
  #offerFailed(orgId: string, callId: string): void {
    const r = this.#row(orgId, callId);
    if (r.state === 'offered') this.#end(r, 'abandoned', 'agent');
  }

  #customerHangsUp(callId: string): void {
    const r = this.#rowById(callId);
    if (r && r.state !== 'ended' && r.state !== 'dialing') this.#end(r, 'answered', 'customer');
  }

  /** Ends a call. An agent on it goes to wrap-up (the disposition is still owed); a campaign lead is updated. */
  #end(r: CallRow, outcome: CallOutcome, endedBy: EndedBy, transferredTo: string | null = null): void {
    this.db.transaction(() => {
      const now = this.clock.now();
      this.db
        .prepare(
          "UPDATE calls SET state = 'ended', outcome = ?, ended_at = ?, ended_by = ?, transferred_to = ? WHERE id = ?",
        )
        .run(outcome, now, endedBy, transferredTo, r.id);
      for (const kind of [RING_END, TALK_END, ABANDON, AGV_HOLD]) this.timers.cancel(kind, r.id);
      const agentOnCall =
        r.dialer_user && (r.state === 'offered' || r.state === 'connected')
          ? this.agents.runtime(r.org_id, r.dialer_user).callId === r.id
          : false;
      if (agentOnCall) this.agents.apply(r.org_id, r.dialer_user!, { type: 'call_ended', callId: r.id });
      this.events.append(r.org_id, 'call.ended', {
        callId: r.id,
        campaignId: r.campaign_id,
        outcome,
        endedBy,
        dialerUser: r.dialer_user,
        talkMs: r.connected_at === null ? null : now - r.connected_at,
      });
      if (r.campaign_id && r.lead_id && r.origin === 'campaign') {
        const pacing = JSON.parse(
          (this.db.prepare('SELECT pacing FROM campaigns WHERE id = ?').get(r.campaign_id) as { pacing: string })
            .pacing,
        ) as Pacing;
        this.campaigns.leadAttemptEnded(r.campaign_id, r.lead_id, outcome, pacing);
      }
    })();
  }

  /** Hang-up by the agent's side (or a supervisor through Omni). */
  hangup(orgId: string, callId: string, by: 'agent' | 'supervisor' | 'customer'): Call {
    const r = this.#row(orgId, callId);
    if (r.state === 'ended')
      throw new AppError('CALL_ALREADY_ENDED', 409, `call ${callId} already ended (${r.ended_by})`, {
        endedBy: r.ended_by,
        endedAt: iso(r.ended_at),
      });
    if (r.state === 'dialing' && by !== 'customer')
      throw new AppError('CALL_NOT_ANSWERED', 409, `call ${callId} is still ringing; nobody is on it to hang up`);
    this.#end(r, r.state === 'dialing' ? 'no_answer' : 'answered', by);
    this.dispatch(orgId);
    return this.get(orgId, callId);
  }

  /**
   * Transfers a connected call to an extension: an AGV holds it, an agent's extension offers it to that agent.
   * The transferring agent goes to wrap-up for their leg; the call goes on as a new leg.
   */
  transfer(orgId: string, callId: string, extension: string): { call: Call; newCall: Call } {
    const newId = this.db.transaction(() => {
      const r = this.#row(orgId, callId);
      if (r.state !== 'connected' || !r.dialer_user)
        throw new AppError(
          'CALL_NOT_CONNECTED',
          409,
          `call ${callId} is ${r.state}; only a connected call can be transferred`,
          {
            state: r.state,
          },
        );
      const lead = JSON.parse(r.lead) as Lead;
      const leg: NewCall = { lead, campaignId: r.campaign_id, origin: 'agent_transfer', parentCallId: r.id };
      const agv = this.orgs.agv(orgId, extension);
      const targetAgent = agv ? undefined : this.agents.byExtension(orgId, extension);
      if (!agv && !targetAgent) throw this.#unknownExtension(orgId, extension);
      if (targetAgent) {
        if (targetAgent === r.dialer_user)
          throw new AppError('TRANSFER_TO_SELF', 422, `extension ${extension} is the transferring agent's own`);
        const rt = this.agents.runtime(orgId, targetAgent);
        if (rt.state === 'logged_out')
          throw new AppError(
            'TRANSFER_TARGET_OFFLINE',
            409,
            `agent '${targetAgent}' at extension ${extension} is not logged in`,
            {
              extension,
              dialerUser: targetAgent,
            },
          );
        if (rt.state !== 'available')
          throw new AppError(
            'TRANSFER_TARGET_BUSY',
            409,
            `agent '${targetAgent}' at extension ${extension} is ${rt.state}`,
            {
              extension,
              dialerUser: targetAgent,
              state: rt.state,
            },
          );
      }
      this.#end(r, 'answered', 'transfer', extension);
      const newId = this.#insert(orgId, leg, agv ? 'agv' : 'waiting_agent', agv ? { agvExtension: extension } : {});
      if (agv) this.#holdAtAgv(newId, agv.behaviour.holdSeconds);
      else this.#offer(orgId, newId, targetAgent!);
      this.events.append(orgId, 'call.transferred', {
        callId,
        dialerUser: r.dialer_user,
        toExtension: extension,
        newCallId: newId,
      });
      return newId;
    })();
    return { call: this.get(orgId, callId), newCall: this.get(orgId, newId) };
  }

  #holdAtAgv(callId: string, holdSeconds: number): void {
    this.timers.schedule(AGV_HOLD, callId, this.clock.now() + holdSeconds * 1000);
  }

  #agvActs(callId: string): void {
    const r = this.#rowById(callId);
    if (r?.state !== 'agv' || !r.agv_extension) return;
    const agv = this.orgs.agv(r.org_id, r.agv_extension);
    if (agv?.behaviour.action === 'hangup') this.#end(r, 'answered', 'agv');
    else this.#agvTransfer(r);
  }

  /** The AGV hands the call back to Omni now; Omni routes it to the service whose identifier is the AGV's extension. */
  agvTransferNow(orgId: string, callId: string): Call {
    const r = this.#row(orgId, callId);
    if (r.state !== 'agv')
      throw new AppError('CALL_NOT_AT_AGV', 409, `call ${callId} is ${r.state}, not held by an AGV`, {
        state: r.state,
      });
    this.#agvTransfer(r);
    return this.get(orgId, callId);
  }

  #agvTransfer(r: CallRow): void {
    this.db.transaction(() => {
      this.timers.cancel(AGV_HOLD, r.id);
      this.db.prepare("UPDATE calls SET state = 'queued', origin_extension = agv_extension WHERE id = ?").run(r.id);
      this.events.append(r.org_id, 'call.agv_transferred', {
        call: this.get(r.org_id, r.id),
        extension: r.agv_extension!,
      });
    })();
  }

  /** Omni gives a queued (AGV-returned) call to one of its agents. */
  assign(orgId: string, callId: string, dialerUser: string): Call {
    this.db.transaction(() => {
      const r = this.#row(orgId, callId);
      if (r.state !== 'queued')
        throw new AppError('CALL_NOT_QUEUED', 409, `call ${callId} is ${r.state}; only a queued call can be assigned`, {
          state: r.state,
        });
      const rt = this.agents.runtime(orgId, dialerUser);
      if (rt.state !== 'available')
        throw new AppError('AGENT_NOT_AVAILABLE', 409, `agent '${dialerUser}' is ${rt.state}, not available`, {
          dialerUser,
          state: rt.state,
        });
      this.#offer(orgId, callId, dialerUser);
    })();
    return this.get(orgId, callId);
  }

  /** An agent logs out: a call they are on ends (its disposition is still owed and accepted later). */
  agentLoggingOut(orgId: string, dialerUser: string): void {
    const rt = this.agents.runtime(orgId, dialerUser);
    if (rt.callId && (rt.state === 'reserved' || rt.state === 'in_call')) {
      const r = this.#row(orgId, rt.callId);
      if (r.state !== 'ended') this.#end(r, 'answered', 'agent');
    }
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
    const result = this.db.transaction(() => {
      const r = this.#row(orgId, callId);
      const hash = createHash('sha256')
        .update(JSON.stringify([req.tagCode, req.notes, req.dialerUser ?? null]))
        .digest('hex');
      const existing = this.db.prepare('SELECT * FROM dispositions WHERE call_id = ?').get(callId) as
        | DispositionRow
        | undefined;
      if (existing) {
        if (idempotencyKey && existing.idempotency_key === idempotencyKey) {
          if (existing.request_hash !== hash)
            throw new AppError(
              'IDEMPOTENCY_KEY_REUSED',
              422,
              'this Idempotency-Key was used for a different disposition; use a new key for a new request',
              { callId },
            );
          return { disposition: dispositionFromRow(existing), replayed: true };
        }
        const first = dispositionFromRow(existing);
        this.events.append(orgId, 'violation', {
          kind: 'disposition_twice',
          callId,
          dialerUser: req.dialerUser ?? r.dialer_user,
          message: `a second disposition (${req.tagCode}) was sent for call ${callId}, already disposed as ${first.tagCode}`,
          details: { first, second: { tagCode: req.tagCode, notes: req.notes } },
        });
        return { violation: first };
      }
      if (r.state !== 'ended') {
        this.events.append(orgId, 'violation', {
          kind: 'disposition_on_open_call',
          callId,
          dialerUser: req.dialerUser ?? r.dialer_user,
          message: `a disposition was sent for call ${callId} while it is ${r.state}`,
          details: { state: r.state },
        });
        return { openCall: r.state };
      }
      if (!r.dialer_user) {
        this.events.append(orgId, 'violation', {
          kind: 'disposition_without_agent',
          callId,
          dialerUser: req.dialerUser ?? null,
          message: `call ${callId} never reached an agent (${r.outcome}); it takes no disposition`,
          details: { outcome: r.outcome },
        });
        return { noAgent: r.outcome };
      }
      const now = this.clock.now();
      this.db
        .prepare(
          'INSERT INTO dispositions (call_id, org_id, dialer_user, tag_code, notes, idempotency_key, request_hash, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(callId, orgId, req.dialerUser ?? r.dialer_user, req.tagCode, req.notes, idempotencyKey ?? null, hash, now);
      const disposition = dispositionFromRow(
        this.db.prepare('SELECT * FROM dispositions WHERE call_id = ?').get(callId) as DispositionRow,
      );
      this.events.append(orgId, 'call.disposed', disposition);
      const rt = this.agents.runtime(orgId, r.dialer_user);
      if (rt.state === 'wrap_up' && rt.callId === callId)
        this.agents.apply(orgId, r.dialer_user, { type: 'disposed', callId });
      return { disposition, replayed: false };
    })();
    // Refusals are answered after the transaction, so the violation they record is committed.
    if ('violation' in result)
      throw new AppError('CALL_ALREADY_DISPOSED', 409, `call ${callId} already has a disposition`, {
        first: result.violation,
      });
    if ('openCall' in result)
      throw new AppError(
        'CALL_NOT_ENDED',
        409,
        `call ${callId} is ${result.openCall}; hang it up first (POST /api/v1/calls/${callId}/hangup)`,
        { state: result.openCall },
      );
    if ('noAgent' in result)
      throw new AppError('CALL_HAS_NO_AGENT', 409, `call ${callId} never reached an agent; it takes no disposition`, {
        outcome: result.noAgent,
      });
    if (!result.replayed) this.dispatch(orgId);
    return result;
  }

  #unknownExtension(orgId: string, extension: string): AppError {
    const known = [
      ...this.orgs.agvs(orgId).map((a) => ({ extension: a.extension, kind: 'agv', name: a.name })),
      ...this.orgs
        .agents(orgId)
        .filter((a) => a.extension)
        .map((a) => ({ extension: a.extension!, kind: 'agent', name: a.dialerUser })),
    ];
    return new AppError(
      'EXTENSION_NOT_FOUND',
      404,
      `extension ${extension} is neither an AGV nor an agent's; known: ${known.map((k) => k.extension).join(', ') || 'none'}`,
      { extension, known },
    );
  }
}
