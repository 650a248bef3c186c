import type { AgentState } from '../../contract/agents.ts';
import type { CallOrigin, CallState, Disposition, EndedBy } from '../../contract/calls.ts';
import type { DialerEventData } from '../../contract/events.ts';
import type { CallOutcome } from '../../contract/pacing.ts';
import { AppError, notFound } from '../../core/errors.ts';
import type { AgentCommand } from '../agents/agent-state.ts';
import type { CallPlan } from '../pacing/outcome-model.ts';

/** A disposition as stored: what the contract shows plus what makes a retry recognisable. */
export type StoredDisposition = {
  dialerUser: string | null;
  tagCode: string;
  notes: string;
  idempotencyKey: string | null;
  requestHash: string;
  at: number;
};

/** What the call state machine knows of a call (times in epoch ms). */
export type CallCore = {
  id: string;
  state: CallState;
  origin: CallOrigin;
  campaignId: string | null;
  leadId: string | null;
  originExtension: string | null;
  dialerUser: string | null;
  agvExtension: string | null;
  transferredTo: string | null;
  outcome: CallOutcome | null;
  plan: CallPlan | null;
  startedAt: number;
  answeredAt: number | null;
  offeredAt: number | null;
  connectedAt: number | null;
  endedAt: number | null;
  endedBy: EndedBy | null;
  disposition: StoredDisposition | null;
  /** The state of the call's agent while they are on this call (reserved, in call, wrap-up); null otherwise. */
  agentState: AgentState | null;
};

/** The call's durable deadlines; each survives a restart (stored as `call.<name>`). */
export type CallTimer = 'ring_end' | 'talk_end' | 'abandon' | 'agv_hold';
const ALL_TIMERS: readonly CallTimer[] = ['ring_end', 'talk_end', 'abandon', 'agv_hold'];

/** Where an answered campaign call goes. */
export type AnsweredRoute =
  | { to: 'agents'; abandonAfterMs: number }
  | { to: 'agv'; extension: string; holdMs: number }
  /** The campaign's AGV was removed while the call rang. */
  | { to: 'agv_missing' };

export type TransferTarget =
  | { kind: 'agv'; holdMs: number }
  | { kind: 'agent'; dialerUser: string; agent: AgentState }
  | { kind: 'unknown'; known: KnownExtension[] };

/**
 * What happens to a call. Facts from its legs (a timer, the customer's side, the agent's softphone) are never refused:
 * one that no longer applies (a late answer, a stale timer) changes nothing. Commands (hangup, transfer, assign,
 * dispose, agv_transfer_now) are refused with a stable code when they do not apply.
 */
export type CallEvent =
  // the customer's leg
  | { type: 'customer_answered'; route: AnsweredRoute }
  | { type: 'customer_unreached'; outcome: CallOutcome }
  | { type: 'customer_hung_up' }
  | { type: 'abandon_timeout' }
  // the agent's leg: the offer, then what its delivery (auto-answer, the SIP edge) reports
  | { type: 'offer'; dialerUser: string; agent: AgentState | null }
  | { type: 'answered' }
  | { type: 'rejected'; reason: string }
  | { type: 'ring_timeout' }
  | { type: 'agent_hung_up' }
  | { type: 'agent_logged_out' }
  // the AGV holding the call
  | { type: 'agv_acts'; action: 'hangup' | 'transfer' }
  // commands
  | { type: 'agv_transfer_now' }
  | { type: 'assign'; dialerUser: string; agent: AgentState | null }
  | { type: 'hangup'; by: 'agent' | 'supervisor' | 'customer' }
  | { type: 'transfer'; extension: string; target: TransferTarget; newCallId: string }
  | {
      type: 'dispose';
      tagCode: string;
      notes: string;
      dialerUser: string | undefined;
      idempotencyKey: string | undefined;
      /** Identifies the request body, so a retry with the same key is told apart from a different disposition. */
      requestHash: string;
    };

/** An event for the dialer's log; `call.offered` and `call.agv_transferred` carry the call as stored after the change. */
export type CallNotice =
  | { type: 'call.offered'; dialerUser: string }
  | { type: 'call.agv_transferred'; extension: string }
  | { type: 'call.connected'; data: DialerEventData<'call.connected'> }
  | { type: 'call.ended'; data: DialerEventData<'call.ended'> }
  | { type: 'call.transferred'; data: DialerEventData<'call.transferred'> }
  | { type: 'call.disposed'; data: DialerEventData<'call.disposed'> }
  | { type: 'violation'; data: DialerEventData<'violation'> };

/** Side effects, as data: `call-flow.ts` carries them out in the transaction, in order (deliveries after commit). */
export type CallEffect =
  | { type: 'schedule_timer'; timer: CallTimer; at: number }
  | { type: 'cancel_timer'; timer: CallTimer }
  | { type: 'agent'; dialerUser: string; command: AgentCommand }
  | { type: 'append_event'; event: CallNotice }
  /** Ring the agent's phone — only once the offer is committed: an INVITE never goes out for a rolled-back offer. */
  | { type: 'deliver_offer'; dialerUser: string }
  | { type: 'lead_attempt_ended'; outcome: CallOutcome }
  /** The call goes on as a new leg at the transfer's target. */
  | {
      type: 'start_transfer_leg';
      newCallId: string;
      extension: string;
      target: Exclude<TransferTarget, { kind: 'unknown' }>;
    }
  /** Offer the organization's waiting calls to its free agents (after commit). */
  | { type: 'dispatch' };

/**
 * The result of an event. `refusal`, when present, is answered after the transition's effects are committed (a
 * refused disposition is recorded as a violation, then refused).
 */
export type CallTransition = { next: CallCore; effects: CallEffect[]; refusal?: AppError };

/**
 * How a new call starts: dialled (rings per its plan), held by an AGV, answered and waiting for the next free agent,
 * or answered and offered to one agent at once.
 */
export type CallStart =
  | { kind: 'dial'; plan: CallPlan }
  | { kind: 'agv'; extension: string; holdMs: number }
  | { kind: 'wait_for_agent' }
  | { kind: 'offer_to'; dialerUser: string; agent: AgentState | null };

export type NewCallCore = Pick<CallCore, 'id' | 'origin' | 'campaignId' | 'leadId' | 'originExtension'>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const isLive = (s: CallState) => s !== 'dialing' && s !== 'ended';

export type KnownExtension = { extension: string; kind: 'agv' | 'agent'; name: string };

/** Refuses an extension that is neither an AGV nor an agent's, listing those that are. */
export const unknownExtension = (extension: string, known: KnownExtension[]): AppError =>
  new AppError(
    'EXTENSION_NOT_FOUND',
    404,
    `extension ${extension} is neither an AGV nor an agent's; known: ${known.map((k) => k.extension).join(', ') || 'none'}`,
    { extension, known },
  );

function agentNotAvailable(dialerUser: string, state: AgentState): never {
  throw new AppError('AGENT_NOT_AVAILABLE', 409, `agent '${dialerUser}' is ${state}, not available`, {
    dialerUser,
    state,
  });
}

/** A new call, in its first state, with its first deadline. */
export function startCall(base: NewCallCore, start: CallStart, now: number): CallTransition {
  // Spelled out, not `...base` then more fields: V8 builds that shape on a slow path (~40× slower here).
  const call: CallCore = {
    id: base.id,
    origin: base.origin,
    campaignId: base.campaignId,
    leadId: base.leadId,
    originExtension: base.originExtension,
    state: 'waiting_agent',
    dialerUser: null,
    agvExtension: null,
    transferredTo: null,
    outcome: null,
    plan: null,
    startedAt: now,
    answeredAt: now,
    offeredAt: null,
    connectedAt: null,
    endedAt: null,
    endedBy: null,
    disposition: null,
    agentState: null,
  };
  switch (start.kind) {
    case 'dial':
      return {
        next: { ...call, state: 'dialing', answeredAt: null, plan: start.plan },
        effects: [{ type: 'schedule_timer', timer: 'ring_end', at: now + start.plan.ringMs }],
      };
    case 'agv':
      return {
        next: { ...call, state: 'agv', agvExtension: start.extension },
        effects: [{ type: 'schedule_timer', timer: 'agv_hold', at: now + start.holdMs }],
      };
    case 'wait_for_agent':
      return { next: call, effects: [{ type: 'dispatch' }] };
    case 'offer_to':
      return transitionCall(call, { type: 'offer', dialerUser: start.dialerUser, agent: start.agent }, now);
  }
}

/**
 * The call state machine, pure: dialing → waiting_agent → offered → connected → ended; dialing → ended when nobody
 * answers; agv (held by a virtual agent) → queued (handed back to Omni) → offered; ended takes exactly one disposition.
 */
export function transitionCall(c: CallCore, event: CallEvent, now: number): CallTransition {
  const to = (next: Partial<CallCore>, effects: CallEffect[] = []): CallTransition => ({
    next: { ...c, ...next },
    effects,
  });
  const same = (): CallTransition => ({ next: c, effects: [] });

  switch (event.type) {
    case 'customer_answered': {
      if (c.state !== 'dialing') return same();
      const route = event.route;
      if (route.to === 'agv_missing') return end(c, now, 'abandoned', 'dialer');
      if (route.to === 'agv')
        return to({ state: 'agv', answeredAt: now, agvExtension: route.extension }, [
          { type: 'schedule_timer', timer: 'agv_hold', at: now + route.holdMs },
        ]);
      return to({ state: 'waiting_agent', answeredAt: now }, [
        { type: 'schedule_timer', timer: 'abandon', at: now + route.abandonAfterMs },
        { type: 'dispatch' },
      ]);
    }
    case 'customer_unreached':
      return c.state === 'dialing' ? end(c, now, event.outcome, 'dialer') : same();
    case 'customer_hung_up':
      return isLive(c.state) ? end(c, now, 'answered', 'customer') : same();
    case 'abandon_timeout':
      return c.state === 'waiting_agent' ? end(c, now, 'abandoned', 'dialer') : same();

    case 'offer':
      if (c.state !== 'waiting_agent')
        throw new AppError('CALL_NOT_WAITING', 409, `call ${c.id} is ${c.state}; only a waiting call can be offered`, {
          state: c.state,
        });
      return offer(c, event.dialerUser, event.agent, now);
    case 'answered':
      if (c.state !== 'offered' || !c.dialerUser) return same();
      return to({ state: 'connected', connectedAt: now, agentState: 'in_call' }, [
        { type: 'agent', dialerUser: c.dialerUser, command: { type: 'connect', callId: c.id } },
        { type: 'append_event', event: { type: 'call.connected', data: { callId: c.id, dialerUser: c.dialerUser } } },
        ...(c.plan && c.plan.talkMs > 0
          ? [{ type: 'schedule_timer', timer: 'talk_end', at: now + c.plan.talkMs } as const]
          : []),
      ]);
    // The phone did not take the call: the agent goes to wrap-up like after a short call, never silently back.
    case 'rejected':
    case 'ring_timeout':
      return c.state === 'offered' ? end(c, now, 'abandoned', 'agent') : same();
    case 'agent_hung_up':
      return c.state === 'offered' || c.state === 'connected' ? end(c, now, 'answered', 'agent') : same();
    case 'agent_logged_out':
      return c.state !== 'ended' ? end(c, now, 'answered', 'agent') : same();

    case 'agv_acts':
      if (c.state !== 'agv' || !c.agvExtension) return same();
      return event.action === 'hangup' ? end(c, now, 'answered', 'agv') : handBack(c);
    case 'agv_transfer_now':
      if (c.state !== 'agv')
        throw new AppError('CALL_NOT_AT_AGV', 409, `call ${c.id} is ${c.state}, not held by an AGV`, {
          state: c.state,
        });
      return handBack(c);

    case 'assign':
      if (c.state !== 'queued')
        throw new AppError('CALL_NOT_QUEUED', 409, `call ${c.id} is ${c.state}; only a queued call can be assigned`, {
          state: c.state,
        });
      return offer(c, event.dialerUser, event.agent, now);

    case 'hangup':
      if (c.state === 'ended')
        throw new AppError('CALL_ALREADY_ENDED', 409, `call ${c.id} already ended (${c.endedBy})`, {
          endedBy: c.endedBy,
          endedAt: iso(c.endedAt),
        });
      if (c.state === 'dialing' && event.by !== 'customer')
        throw new AppError('CALL_NOT_ANSWERED', 409, `call ${c.id} is still ringing; nobody is on it to hang up`);
      return withDispatch(end(c, now, c.state === 'dialing' ? 'no_answer' : 'answered', event.by));

    case 'transfer':
      return transfer(c, event, now);

    case 'dispose':
      return dispose(c, event, now);
  }
}

function offer(c: CallCore, dialerUser: string, agent: AgentState | null, now: number): CallTransition {
  if (agent === null) throw notFound('Agent', dialerUser, 'AGENT_NOT_FOUND');
  if (agent !== 'available') agentNotAvailable(dialerUser, agent);
  return {
    next: { ...c, state: 'offered', dialerUser, offeredAt: now, agentState: 'reserved' },
    effects: [
      { type: 'agent', dialerUser, command: { type: 'reserve', callId: c.id } },
      { type: 'cancel_timer', timer: 'abandon' },
      { type: 'append_event', event: { type: 'call.offered', dialerUser } },
      { type: 'deliver_offer', dialerUser },
    ],
  };
}

/** The AGV hands the call back to Omni, which routes it to the service whose identifier is the AGV's extension. */
function handBack(c: CallCore): CallTransition {
  return {
    next: { ...c, state: 'queued', originExtension: c.agvExtension },
    effects: [
      { type: 'cancel_timer', timer: 'agv_hold' },
      { type: 'append_event', event: { type: 'call.agv_transferred', extension: c.agvExtension! } },
    ],
  };
}

/** Ends a call. An agent on it goes to wrap-up (the disposition is still owed); a campaign lead is updated. */
function end(
  c: CallCore,
  now: number,
  outcome: CallOutcome,
  endedBy: EndedBy,
  transferredTo: string | null = null,
): CallTransition {
  const agentOnCall =
    c.dialerUser !== null && (c.state === 'offered' || c.state === 'connected') && c.agentState !== null;
  const effects: CallEffect[] = ALL_TIMERS.map((timer) => ({ type: 'cancel_timer', timer }));
  if (agentOnCall)
    effects.push({ type: 'agent', dialerUser: c.dialerUser!, command: { type: 'call_ended', callId: c.id } });
  effects.push({
    type: 'append_event',
    event: {
      type: 'call.ended',
      data: {
        callId: c.id,
        campaignId: c.campaignId,
        outcome,
        endedBy,
        dialerUser: c.dialerUser,
        talkMs: c.connectedAt === null ? null : now - c.connectedAt,
      },
    },
  });
  if (c.campaignId && c.leadId && c.origin === 'campaign') effects.push({ type: 'lead_attempt_ended', outcome });
  return {
    next: {
      ...c,
      state: 'ended',
      outcome,
      endedAt: now,
      endedBy,
      transferredTo,
      agentState: agentOnCall ? 'wrap_up' : c.agentState,
    },
    effects,
  };
}

const withDispatch = (t: CallTransition): CallTransition => ({ ...t, effects: [...t.effects, { type: 'dispatch' }] });

/**
 * A connected call goes to an extension: an AGV holds it, an agent's extension offers it to that agent. The
 * transferring agent goes to wrap-up for their leg; the call goes on as a new leg.
 */
function transfer(c: CallCore, e: Extract<CallEvent, { type: 'transfer' }>, now: number): CallTransition {
  if (c.state !== 'connected' || !c.dialerUser)
    throw new AppError(
      'CALL_NOT_CONNECTED',
      409,
      `call ${c.id} is ${c.state}; only a connected call can be transferred`,
      {
        state: c.state,
      },
    );
  const { extension, target } = e;
  if (target.kind === 'unknown') throw unknownExtension(extension, target.known);
  if (target.kind === 'agent') {
    if (target.dialerUser === c.dialerUser)
      throw new AppError('TRANSFER_TO_SELF', 422, `extension ${extension} is the transferring agent's own`);
    if (target.agent === 'logged_out')
      throw new AppError(
        'TRANSFER_TARGET_OFFLINE',
        409,
        `agent '${target.dialerUser}' at extension ${extension} is not logged in`,
        { extension, dialerUser: target.dialerUser },
      );
    if (target.agent !== 'available')
      throw new AppError(
        'TRANSFER_TARGET_BUSY',
        409,
        `agent '${target.dialerUser}' at extension ${extension} is ${target.agent}`,
        {
          extension,
          dialerUser: target.dialerUser,
          state: target.agent,
        },
      );
  }
  const ended = end(c, now, 'answered', 'transfer', extension);
  return {
    next: ended.next,
    effects: [
      ...ended.effects,
      { type: 'start_transfer_leg', newCallId: e.newCallId, extension, target },
      {
        type: 'append_event',
        event: {
          type: 'call.transferred',
          data: { callId: c.id, dialerUser: c.dialerUser, toExtension: extension, newCallId: e.newCallId },
        },
      },
    ],
  };
}

export const dispositionView = (callId: string, d: StoredDisposition): Disposition => ({
  callId,
  dialerUser: d.dialerUser,
  tagCode: d.tagCode,
  notes: d.notes,
  at: new Date(d.at).toISOString(),
});

/**
 * Exactly one disposition per call. The same Idempotency-Key replays the first (no change, no effect); any other
 * second disposition is refused (409) and recorded as a violation, like VICIdial's dispo_set_twice.
 */
function dispose(c: CallCore, e: Extract<CallEvent, { type: 'dispose' }>, now: number): CallTransition {
  const violation = (data: Omit<DialerEventData<'violation'>, 'callId'>, refusal: AppError): CallTransition => ({
    next: c,
    effects: [{ type: 'append_event', event: { type: 'violation', data: { ...data, callId: c.id } } }],
    refusal,
  });
  const existing = c.disposition;
  if (existing) {
    if (e.idempotencyKey && existing.idempotencyKey === e.idempotencyKey) {
      if (existing.requestHash !== e.requestHash)
        throw new AppError(
          'IDEMPOTENCY_KEY_REUSED',
          422,
          'this Idempotency-Key was used for a different disposition; use a new key for a new request',
          { callId: c.id },
        );
      return { next: c, effects: [] };
    }
    const first = dispositionView(c.id, existing);
    return violation(
      {
        kind: 'disposition_twice',
        dialerUser: e.dialerUser ?? c.dialerUser,
        message: `a second disposition (${e.tagCode}) was sent for call ${c.id}, already disposed as ${first.tagCode}`,
        details: { first, second: { tagCode: e.tagCode, notes: e.notes } },
      },
      new AppError('CALL_ALREADY_DISPOSED', 409, `call ${c.id} already has a disposition`, { first }),
    );
  }
  if (c.state !== 'ended')
    return violation(
      {
        kind: 'disposition_on_open_call',
        dialerUser: e.dialerUser ?? c.dialerUser,
        message: `a disposition was sent for call ${c.id} while it is ${c.state}`,
        details: { state: c.state },
      },
      new AppError(
        'CALL_NOT_ENDED',
        409,
        `call ${c.id} is ${c.state}; hang it up first (POST /api/v1/calls/${c.id}/hangup)`,
        { state: c.state },
      ),
    );
  if (!c.dialerUser)
    return violation(
      {
        kind: 'disposition_without_agent',
        dialerUser: e.dialerUser ?? null,
        message: `call ${c.id} never reached an agent (${c.outcome}); it takes no disposition`,
        details: { outcome: c.outcome },
      },
      new AppError('CALL_HAS_NO_AGENT', 409, `call ${c.id} never reached an agent; it takes no disposition`, {
        outcome: c.outcome,
      }),
    );
  const disposition: StoredDisposition = {
    dialerUser: e.dialerUser ?? c.dialerUser,
    tagCode: e.tagCode,
    notes: e.notes,
    idempotencyKey: e.idempotencyKey ?? null,
    requestHash: e.requestHash,
    at: now,
  };
  const agentWrapsThisUp = c.agentState === 'wrap_up';
  const effects: CallEffect[] = [
    { type: 'append_event', event: { type: 'call.disposed', data: dispositionView(c.id, disposition) } },
  ];
  if (agentWrapsThisUp)
    effects.push({ type: 'agent', dialerUser: c.dialerUser, command: { type: 'disposed', callId: c.id } });
  effects.push({ type: 'dispatch' });
  return {
    next: { ...c, disposition, agentState: agentWrapsThisUp ? null : c.agentState },
    effects,
  };
}
