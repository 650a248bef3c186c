import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallState } from '../../contract/calls.ts';
import { type AppError, isAppError } from '../../core/errors.ts';
import { type AgentRuntime, transitionAgent } from '../agents/agent-state.ts';
import type { CallPlan } from '../pacing/outcome-model.ts';
import {
  type CallCore,
  type CallEffect,
  type CallEvent,
  type CallStart,
  type CallTransition,
  type StoredDisposition,
  startCall,
  transitionCall,
} from './call-state.ts';

const T0 = Date.UTC(2025, 0, 6, 12);
const PLAN: CallPlan = { outcome: 'answered', ringMs: 4_000, talkMs: 60_000 };
const base = { id: 'c1', origin: 'campaign' as const, campaignId: 'camp', leadId: 'L1', originExtension: null };
const ALL_TIMERS_CANCELLED: CallEffect[] = (['ring_end', 'talk_end', 'abandon', 'agv_hold'] as const).map((timer) => ({
  type: 'cancel_timer',
  timer,
}));

const start = (s: CallStart, now = T0) => startCall(base, s, now);
/** A call in a given state, as the flow would load it. */
const call = (state: CallState, more: Partial<CallCore> = {}): CallCore => ({
  ...start({ kind: 'dial', plan: PLAN }).next,
  state,
  ...(state === 'dialing' ? {} : { answeredAt: T0 }),
  ...(state === 'offered' || state === 'connected' ? { dialerUser: 'ana', offeredAt: T0 } : {}),
  ...(state === 'offered' ? { agentState: 'reserved' as const } : {}),
  ...(state === 'connected' ? { connectedAt: T0, agentState: 'in_call' as const } : {}),
  ...(state === 'agv' || state === 'queued' ? { agvExtension: '7001', origin: 'scripted' as const } : {}),
  ...(state === 'queued' ? { originExtension: '7001' } : {}),
  ...more,
});
const ended = (more: Partial<CallCore> = {}) =>
  call('ended', {
    dialerUser: 'ana',
    connectedAt: T0,
    endedAt: T0 + 1_000,
    endedBy: 'customer',
    outcome: 'answered',
    agentState: 'wrap_up',
    ...more,
  });

const refusal = (f: () => unknown): AppError => {
  try {
    f();
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  throw new Error('expected a refusal');
};
const at = (c: CallCore, e: CallEvent, now = T0 + 5_000) => transitionCall(c, e, now);
const unchanged = (c: CallCore, t: CallTransition) => {
  expect(t.next).toBe(c);
  expect(t.effects).toEqual([]);
};

describe('startCall', () => {
  it('a dialled call rings for its plan’s ring time', () => {
    const t = start({ kind: 'dial', plan: PLAN });
    expect(t.next).toMatchObject({ state: 'dialing', answeredAt: null, plan: PLAN, startedAt: T0 });
    expect(t.effects).toEqual([{ type: 'schedule_timer', timer: 'ring_end', at: T0 + 4_000 }]);
  });

  it('a call for an AGV is held for the AGV’s hold time', () => {
    const t = start({ kind: 'agv', extension: '7001', holdMs: 10_000 });
    expect(t.next).toMatchObject({ state: 'agv', agvExtension: '7001', answeredAt: T0 });
    expect(t.effects).toEqual([{ type: 'schedule_timer', timer: 'agv_hold', at: T0 + 10_000 }]);
  });

  it('an answered call without a target waits for the next free agent', () => {
    const t = start({ kind: 'wait_for_agent' });
    expect(t.next).toMatchObject({ state: 'waiting_agent', answeredAt: T0, dialerUser: null });
    expect(t.effects).toEqual([{ type: 'dispatch' }]);
  });

  it('a call for an available agent is offered to them at once, and rings their phone after commit', () => {
    const t = start({ kind: 'offer_to', dialerUser: 'ana', agent: 'available' });
    expect(t.next).toMatchObject({ state: 'offered', dialerUser: 'ana', offeredAt: T0, agentState: 'reserved' });
    expect(t.effects).toEqual([
      { type: 'agent', dialerUser: 'ana', command: { type: 'reserve', callId: 'c1' } },
      { type: 'cancel_timer', timer: 'abandon' },
      { type: 'append_event', event: { type: 'call.offered', dialerUser: 'ana' } },
      { type: 'deliver_offer', dialerUser: 'ana' },
    ]);
  });

  it('refuses a call for an agent who is not available (409 AGENT_NOT_AVAILABLE) or unknown (404 AGENT_NOT_FOUND)', () => {
    const busy = refusal(() => start({ kind: 'offer_to', dialerUser: 'ana', agent: 'paused' }));
    expect(busy).toMatchObject({
      code: 'AGENT_NOT_AVAILABLE',
      status: 409,
      message: "agent 'ana' is paused, not available",
      details: { dialerUser: 'ana', state: 'paused' },
    });
    expect(refusal(() => start({ kind: 'offer_to', dialerUser: 'zé', agent: null }))).toMatchObject({
      code: 'AGENT_NOT_FOUND',
      status: 404,
    });
  });
});

describe('the customer’s leg', () => {
  it('an answered campaign call waits for an agent until the abandon deadline, and asks for a dispatch', () => {
    const t = at(call('dialing'), { type: 'customer_answered', route: { to: 'agents', abandonAfterMs: 2_000 } });
    expect(t.next).toMatchObject({ state: 'waiting_agent', answeredAt: T0 + 5_000 });
    expect(t.effects).toEqual([{ type: 'schedule_timer', timer: 'abandon', at: T0 + 7_000 }, { type: 'dispatch' }]);
  });

  it('an answered call of an AGV campaign goes to the AGV', () => {
    const t = at(call('dialing'), {
      type: 'customer_answered',
      route: { to: 'agv', extension: '7001', holdMs: 10_000 },
    });
    expect(t.next).toMatchObject({ state: 'agv', agvExtension: '7001', answeredAt: T0 + 5_000 });
    expect(t.effects).toEqual([{ type: 'schedule_timer', timer: 'agv_hold', at: T0 + 15_000 }]);
  });

  it('an answered call whose campaign’s AGV was removed is abandoned by the dialer', () => {
    const t = at(call('dialing'), { type: 'customer_answered', route: { to: 'agv_missing' } });
    expect(t.next).toMatchObject({ state: 'ended', outcome: 'abandoned', endedBy: 'dialer' });
    expect(t.effects).toContainEqual({ type: 'lead_attempt_ended', outcome: 'abandoned' });
  });

  it('a call nobody answers ends with its outcome: timers cancelled, event, lead updated', () => {
    const t = at(call('dialing'), { type: 'customer_unreached', outcome: 'busy' });
    expect(t.next).toMatchObject({ state: 'ended', outcome: 'busy', endedBy: 'dialer', endedAt: T0 + 5_000 });
    expect(t.effects).toEqual([
      ...ALL_TIMERS_CANCELLED,
      {
        type: 'append_event',
        event: {
          type: 'call.ended',
          data: {
            callId: 'c1',
            campaignId: 'camp',
            outcome: 'busy',
            endedBy: 'dialer',
            dialerUser: null,
            talkMs: null,
          },
        },
      },
      { type: 'lead_attempt_ended', outcome: 'busy' },
    ]);
  });

  it('the lead is updated only for a campaign’s own calls', () => {
    const t = at(call('dialing', { origin: 'scripted' }), { type: 'customer_unreached', outcome: 'no_answer' });
    expect(t.effects.some((e) => e.type === 'lead_attempt_ended')).toBe(false);
  });

  it('the customer hangs up a connected call: the agent goes to wrap-up and the talk time is told', () => {
    const t = at(call('connected'), { type: 'customer_hung_up' });
    expect(t.next).toMatchObject({ state: 'ended', outcome: 'answered', endedBy: 'customer', agentState: 'wrap_up' });
    expect(t.effects).toContainEqual({
      type: 'agent',
      dialerUser: 'ana',
      command: { type: 'call_ended', callId: 'c1' },
    });
    expect(t.effects).toContainEqual({
      type: 'append_event',
      event: {
        type: 'call.ended',
        data: {
          callId: 'c1',
          campaignId: 'camp',
          outcome: 'answered',
          endedBy: 'customer',
          dialerUser: 'ana',
          talkMs: 5_000,
        },
      },
    });
  });

  it('an agent no longer on the call is left alone when it ends', () => {
    const t = at(call('connected', { agentState: null }), { type: 'customer_hung_up' });
    expect(t.next.state).toBe('ended');
    expect(t.effects.some((e) => e.type === 'agent')).toBe(false);
  });

  it('an answered call nobody took by the deadline is abandoned', () => {
    const t = at(call('waiting_agent'), { type: 'abandon_timeout' });
    expect(t.next).toMatchObject({ state: 'ended', outcome: 'abandoned', endedBy: 'dialer' });
  });

  it('facts that no longer apply (stale timers, a hang-up after the end) change nothing', () => {
    for (const [state, event] of [
      ['waiting_agent', { type: 'customer_answered', route: { to: 'agv_missing' } }],
      ['ended', { type: 'customer_unreached', outcome: 'busy' }],
      ['dialing', { type: 'customer_hung_up' }],
      ['ended', { type: 'customer_hung_up' }],
      ['offered', { type: 'abandon_timeout' }],
      ['connected', { type: 'answered' }],
      ['connected', { type: 'rejected', reason: 'late' }],
      ['ended', { type: 'ring_timeout' }],
      ['waiting_agent', { type: 'agent_hung_up' }],
      ['ended', { type: 'agent_logged_out' }],
      ['queued', { type: 'agv_acts', action: 'hangup' }],
    ] as Array<[CallState, CallEvent]>) {
      const c = call(state);
      unchanged(c, at(c, event));
    }
  });
});

describe('the agent’s leg', () => {
  it('the phone answers: connected, the agent in call, the talk deadline set from the plan', () => {
    const t = at(call('offered'), { type: 'answered' });
    expect(t.next).toMatchObject({ state: 'connected', connectedAt: T0 + 5_000, agentState: 'in_call' });
    expect(t.effects).toEqual([
      { type: 'agent', dialerUser: 'ana', command: { type: 'connect', callId: 'c1' } },
      { type: 'append_event', event: { type: 'call.connected', data: { callId: 'c1', dialerUser: 'ana' } } },
      { type: 'schedule_timer', timer: 'talk_end', at: T0 + 65_000 },
    ]);
  });

  it('a call without a talk plan lasts until somebody hangs up', () => {
    const t = at(call('offered', { plan: null }), { type: 'answered' });
    expect(t.effects.some((e) => e.type === 'schedule_timer')).toBe(false);
  });

  it('a phone that rejects the call or never answers ends it as abandoned by the agent, who goes to wrap-up', () => {
    for (const event of [{ type: 'rejected', reason: '486 Busy Here' }, { type: 'ring_timeout' }] as CallEvent[]) {
      const t = at(call('offered'), event);
      expect(t.next).toMatchObject({ state: 'ended', outcome: 'abandoned', endedBy: 'agent', agentState: 'wrap_up' });
      expect(t.effects).toContainEqual({
        type: 'agent',
        dialerUser: 'ana',
        command: { type: 'call_ended', callId: 'c1' },
      });
    }
  });

  it('the agent’s phone hangs up, or the agent logs out: the call ends by the agent', () => {
    expect(at(call('connected'), { type: 'agent_hung_up' }).next).toMatchObject({
      state: 'ended',
      outcome: 'answered',
      endedBy: 'agent',
    });
    expect(at(call('offered'), { type: 'agent_logged_out' }).next).toMatchObject({ state: 'ended', endedBy: 'agent' });
  });

  it('a dispatch offers only a waiting call (409 CALL_NOT_WAITING otherwise)', () => {
    expect(at(call('waiting_agent'), { type: 'offer', dialerUser: 'bia', agent: 'available' }).next).toMatchObject({
      state: 'offered',
      dialerUser: 'bia',
    });
    expect(refusal(() => at(call('queued'), { type: 'offer', dialerUser: 'bia', agent: 'available' }))).toMatchObject({
      code: 'CALL_NOT_WAITING',
      status: 409,
    });
  });
});

describe('the AGV', () => {
  it('an AGV with the hang-up behaviour ends the call', () => {
    expect(at(call('agv'), { type: 'agv_acts', action: 'hangup' }).next).toMatchObject({
      state: 'ended',
      outcome: 'answered',
      endedBy: 'agv',
    });
  });

  it('an AGV hands the call back to Omni: queued, from its extension', () => {
    for (const event of [{ type: 'agv_acts', action: 'transfer' }, { type: 'agv_transfer_now' }] as CallEvent[]) {
      const t = at(call('agv'), event);
      expect(t.next).toMatchObject({ state: 'queued', originExtension: '7001' });
      expect(t.effects).toEqual([
        { type: 'cancel_timer', timer: 'agv_hold' },
        { type: 'append_event', event: { type: 'call.agv_transferred', extension: '7001' } },
      ]);
    }
  });

  it('refuses a hand-back of a call no AGV holds with 409 CALL_NOT_AT_AGV', () => {
    expect(refusal(() => at(call('connected'), { type: 'agv_transfer_now' }))).toMatchObject({
      code: 'CALL_NOT_AT_AGV',
      status: 409,
      message: 'call c1 is connected, not held by an AGV',
      details: { state: 'connected' },
    });
  });

  it('Omni assigns a queued call to an available agent', () => {
    const t = at(call('queued'), { type: 'assign', dialerUser: 'bia', agent: 'available' });
    expect(t.next).toMatchObject({ state: 'offered', dialerUser: 'bia', originExtension: '7001' });
    expect(t.effects).toContainEqual({ type: 'deliver_offer', dialerUser: 'bia' });
  });

  it('refuses to assign a call that is not queued (CALL_NOT_QUEUED, checked first) or to a busy agent', () => {
    expect(refusal(() => at(call('connected'), { type: 'assign', dialerUser: 'zé', agent: null }))).toMatchObject({
      code: 'CALL_NOT_QUEUED',
      status: 409,
      message: 'call c1 is connected; only a queued call can be assigned',
      details: { state: 'connected' },
    });
    expect(refusal(() => at(call('queued'), { type: 'assign', dialerUser: 'bia', agent: 'wrap_up' }))).toMatchObject({
      code: 'AGENT_NOT_AVAILABLE',
      message: "agent 'bia' is wrap_up, not available",
    });
  });
});

describe('hang-up (a command)', () => {
  it('ends a live call by whoever asked, then asks for a dispatch', () => {
    const t = at(call('connected'), { type: 'hangup', by: 'supervisor' });
    expect(t.next).toMatchObject({ state: 'ended', outcome: 'answered', endedBy: 'supervisor' });
    expect(t.effects.at(-1)).toEqual({ type: 'dispatch' });
  });

  it('the customer hanging up a ringing call ends it unanswered', () => {
    expect(at(call('dialing'), { type: 'hangup', by: 'customer' }).next).toMatchObject({
      state: 'ended',
      outcome: 'no_answer',
      endedBy: 'customer',
    });
  });

  it('refuses a ringing call for the agent’s side (CALL_NOT_ANSWERED) and an ended one (CALL_ALREADY_ENDED)', () => {
    expect(refusal(() => at(call('dialing'), { type: 'hangup', by: 'agent' }))).toMatchObject({
      code: 'CALL_NOT_ANSWERED',
      status: 409,
      message: 'call c1 is still ringing; nobody is on it to hang up',
    });
    expect(refusal(() => at(ended(), { type: 'hangup', by: 'agent' }))).toMatchObject({
      code: 'CALL_ALREADY_ENDED',
      status: 409,
      message: 'call c1 already ended (customer)',
      details: { endedBy: 'customer', endedAt: new Date(T0 + 1_000).toISOString() },
    });
  });
});

describe('transfer (a command)', () => {
  const transfer = (target: Extract<CallEvent, { type: 'transfer' }>['target'], extension = '7001') =>
    ({ type: 'transfer', extension, target, newCallId: 'c2' }) as const;

  it('to an AGV: the leg ends by transfer, the agent wraps up, a new leg starts at the AGV, then the event', () => {
    const t = at(call('connected'), transfer({ kind: 'agv', holdMs: 10_000 }));
    expect(t.next).toMatchObject({ state: 'ended', endedBy: 'transfer', transferredTo: '7001', agentState: 'wrap_up' });
    expect(t.effects.slice(-3)).toEqual([
      { type: 'lead_attempt_ended', outcome: 'answered' },
      { type: 'start_transfer_leg', newCallId: 'c2', extension: '7001', target: { kind: 'agv', holdMs: 10_000 } },
      {
        type: 'append_event',
        event: {
          type: 'call.transferred',
          data: { callId: 'c1', dialerUser: 'ana', toExtension: '7001', newCallId: 'c2' },
        },
      },
    ]);
  });

  it('to an available agent’s extension: the new leg is offered to them', () => {
    const t = at(call('connected'), transfer({ kind: 'agent', dialerUser: 'bia', agent: 'available' }, '2002'));
    expect(t.effects).toContainEqual({
      type: 'start_transfer_leg',
      newCallId: 'c2',
      extension: '2002',
      target: { kind: 'agent', dialerUser: 'bia', agent: 'available' },
    });
  });

  it('says why a transfer fails, with today’s codes', () => {
    const cases: Array<[CallCore, CallEvent, Partial<AppError>]> = [
      [
        call('offered'),
        transfer({ kind: 'unknown', known: [] }),
        {
          code: 'CALL_NOT_CONNECTED',
          status: 409,
          message: 'call c1 is offered; only a connected call can be transferred',
        },
      ],
      [
        call('connected'),
        transfer({ kind: 'unknown', known: [{ extension: '7001', kind: 'agv', name: 'URA' }] }, '9999'),
        {
          code: 'EXTENSION_NOT_FOUND',
          status: 404,
          message: "extension 9999 is neither an AGV nor an agent's; known: 7001",
        },
      ],
      [
        call('connected'),
        transfer({ kind: 'unknown', known: [] }, '9999'),
        { code: 'EXTENSION_NOT_FOUND', message: "extension 9999 is neither an AGV nor an agent's; known: none" },
      ],
      [
        call('connected'),
        transfer({ kind: 'agent', dialerUser: 'ana', agent: 'in_call' }, '2001'),
        { code: 'TRANSFER_TO_SELF', status: 422, message: "extension 2001 is the transferring agent's own" },
      ],
      [
        call('connected'),
        transfer({ kind: 'agent', dialerUser: 'bia', agent: 'logged_out' }, '2002'),
        { code: 'TRANSFER_TARGET_OFFLINE', status: 409, message: "agent 'bia' at extension 2002 is not logged in" },
      ],
      [
        call('connected'),
        transfer({ kind: 'agent', dialerUser: 'bia', agent: 'paused' }, '2002'),
        { code: 'TRANSFER_TARGET_BUSY', status: 409, message: "agent 'bia' at extension 2002 is paused" },
      ],
    ];
    for (const [c, event, expected] of cases) expect(refusal(() => at(c, event))).toMatchObject(expected);
  });
});

describe('disposition (a command)', () => {
  const dispose = (more: Partial<Extract<CallEvent, { type: 'dispose' }>> = {}): CallEvent => ({
    type: 'dispose',
    tagCode: 'VENDA',
    notes: 'ok',
    dialerUser: undefined,
    idempotencyKey: 'k1',
    requestHash: 'h1',
    ...more,
  });
  const first: StoredDisposition = {
    dialerUser: 'ana',
    tagCode: 'RECUSA',
    notes: '',
    idempotencyKey: 'k0',
    requestHash: 'h0',
    at: T0 + 2_000,
  };

  it('records the one disposition of an ended call and frees the agent in wrap-up for it', () => {
    const t = at(ended(), dispose());
    expect(t.next.disposition).toEqual({
      dialerUser: 'ana',
      tagCode: 'VENDA',
      notes: 'ok',
      idempotencyKey: 'k1',
      requestHash: 'h1',
      at: T0 + 5_000,
    });
    expect(t.refusal).toBeUndefined();
    expect(t.effects).toEqual([
      {
        type: 'append_event',
        event: {
          type: 'call.disposed',
          data: {
            callId: 'c1',
            dialerUser: 'ana',
            tagCode: 'VENDA',
            notes: 'ok',
            at: new Date(T0 + 5_000).toISOString(),
          },
        },
      },
      { type: 'agent', dialerUser: 'ana', command: { type: 'disposed', callId: 'c1' } },
      { type: 'dispatch' },
    ]);
  });

  it('a disposition after the agent left (logged out) is still recorded, without touching the agent', () => {
    const t = at(ended({ agentState: null }), dispose());
    expect(t.next.disposition?.tagCode).toBe('VENDA');
    expect(t.effects.some((e) => e.type === 'agent')).toBe(false);
  });

  it('the same Idempotency-Key and body replays: nothing changes', () => {
    const c = ended({ disposition: first });
    unchanged(c, at(c, dispose({ idempotencyKey: 'k0', requestHash: 'h0' })));
  });

  it('refuses the same key with another body with 422 IDEMPOTENCY_KEY_REUSED', () => {
    expect(refusal(() => at(ended({ disposition: first }), dispose({ idempotencyKey: 'k0' })))).toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      status: 422,
      message: 'this Idempotency-Key was used for a different disposition; use a new key for a new request',
    });
  });

  it('records a violation, then refuses: a second disposition, one on an open call, one on a call without agent', () => {
    const cases: Array<[CallCore, string, Partial<AppError>]> = [
      [
        ended({ disposition: first }),
        'disposition_twice',
        { code: 'CALL_ALREADY_DISPOSED', status: 409, message: 'call c1 already has a disposition' },
      ],
      [
        call('connected'),
        'disposition_on_open_call',
        {
          code: 'CALL_NOT_ENDED',
          status: 409,
          message: 'call c1 is connected; hang it up first (POST /api/v1/calls/c1/hangup)',
        },
      ],
      [
        ended({ dialerUser: null, outcome: 'busy', agentState: null }),
        'disposition_without_agent',
        { code: 'CALL_HAS_NO_AGENT', status: 409, message: 'call c1 never reached an agent; it takes no disposition' },
      ],
    ];
    for (const [c, kind, expected] of cases) {
      const t = at(c, dispose());
      expect(t.next).toBe(c);
      expect(t.refusal).toMatchObject(expected);
      expect(t.effects).toEqual([
        { type: 'append_event', event: { type: 'violation', data: expect.objectContaining({ kind, callId: 'c1' }) } },
      ]);
    }
  });
});

// --- properties: random lives of one call, its agents simulated by the agent state machine ---

const ALLOWED: Record<CallState, readonly CallState[]> = {
  dialing: ['waiting_agent', 'agv', 'ended'],
  waiting_agent: ['offered', 'ended'],
  offered: ['connected', 'ended'],
  connected: ['ended'],
  agv: ['queued', 'ended'],
  queued: ['offered', 'ended'],
  ended: [],
};
const REFUSAL_CODES = new Set([
  'AGENT_NOT_AVAILABLE',
  'AGENT_NOT_FOUND',
  'CALL_NOT_WAITING',
  'CALL_NOT_QUEUED',
  'CALL_NOT_AT_AGV',
  'CALL_NOT_ANSWERED',
  'CALL_ALREADY_ENDED',
  'CALL_NOT_CONNECTED',
  'EXTENSION_NOT_FOUND',
  'TRANSFER_TO_SELF',
  'TRANSFER_TARGET_OFFLINE',
  'TRANSFER_TARGET_BUSY',
  'IDEMPOTENCY_KEY_REUSED',
  'CALL_ALREADY_DISPOSED',
  'CALL_NOT_ENDED',
  'CALL_HAS_NO_AGENT',
]);
const USERS = ['ana', 'bia', 'zé'] as const; // zé is not an agent of the organization

type Step =
  | { kind: 'event'; event: CallEvent | 'offer' | 'assign' | 'transfer_to_agent' }
  | { kind: 'pick'; user: (typeof USERS)[number] }
  | { kind: 'agent_logs_out' };

const plainEvent = fc.constantFrom<CallEvent>(
  { type: 'customer_answered', route: { to: 'agents', abandonAfterMs: 2_000 } },
  { type: 'customer_answered', route: { to: 'agv', extension: '7001', holdMs: 10_000 } },
  { type: 'customer_answered', route: { to: 'agv_missing' } },
  { type: 'customer_unreached', outcome: 'busy' },
  { type: 'customer_hung_up' },
  { type: 'abandon_timeout' },
  { type: 'answered' },
  { type: 'rejected', reason: '603 Decline' },
  { type: 'ring_timeout' },
  { type: 'agent_hung_up' },
  { type: 'agv_acts', action: 'hangup' },
  { type: 'agv_acts', action: 'transfer' },
  { type: 'agv_transfer_now' },
  { type: 'hangup', by: 'agent' },
  { type: 'hangup', by: 'customer' },
  { type: 'hangup', by: 'supervisor' },
  { type: 'transfer', extension: '7001', target: { kind: 'agv', holdMs: 10_000 }, newCallId: 'leg' },
  { type: 'transfer', extension: '9999', target: { kind: 'unknown', known: [] }, newCallId: 'leg' },
  {
    type: 'dispose',
    tagCode: 'VENDA',
    notes: '',
    dialerUser: undefined,
    idempotencyKey: 'k1',
    requestHash: 'h1',
  },
  {
    type: 'dispose',
    tagCode: 'VENDA',
    notes: 'outra',
    dialerUser: undefined,
    idempotencyKey: 'k1',
    requestHash: 'h2',
  },
  {
    type: 'dispose',
    tagCode: 'RECUSA',
    notes: '',
    dialerUser: undefined,
    idempotencyKey: 'k2',
    requestHash: 'h3',
  },
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: plainEvent.map((event) => ({ kind: 'event' as const, event })) },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom('offer' as const, 'assign' as const, 'transfer_to_agent' as const)
      .map((event) => ({ kind: 'event' as const, event })),
  },
  { weight: 1, arbitrary: fc.constantFrom(...USERS).map((user) => ({ kind: 'pick' as const, user })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'agent_logs_out' as const }) },
);
const firstState = fc.constantFrom<CallStart>(
  { kind: 'dial', plan: PLAN },
  { kind: 'dial', plan: { outcome: 'no_answer', ringMs: 1_000, talkMs: 0 } },
  { kind: 'agv', extension: '7001', holdMs: 10_000 },
  { kind: 'wait_for_agent' },
  { kind: 'offer_to', dialerUser: 'ana', agent: 'available' },
);

/** Plays a random life of one call against the agent machine; checks the invariants at every step. */
function play(first: CallStart, steps: Step[], gaps: number[]): void {
  const agents = new Map<string, AgentRuntime>([
    ['ana', { state: 'available', idStatus: null, pendingIdStatus: null, callId: null }],
    ['bia', { state: 'available', idStatus: null, pendingIdStatus: null, callId: null }],
  ]);
  // The agents' side of each effect: the agent machine must accept every command the call machine gives.
  const applyToAgents = (effects: CallEffect[]): void => {
    for (const e of effects) {
      if (e.type === 'agent') agents.set(e.dialerUser, transitionAgent(agents.get(e.dialerUser)!, e.command).next);
      if (e.type === 'start_transfer_leg' && e.target.kind === 'agent') {
        const leg = startCall(
          { ...base, id: e.newCallId },
          { kind: 'offer_to', dialerUser: e.target.dialerUser, agent: e.target.agent },
          0,
        );
        applyToAgents(leg.effects);
      }
    }
  };
  let now = T0;
  let user: (typeof USERS)[number] = 'bia';
  const t0 = startCall(base, first, now);
  applyToAgents(t0.effects);
  let c = t0.next;
  for (const [i, s] of steps.entries()) {
    now += gaps[i % gaps.length]!;
    // As call-flow loads it: the agent's state while they are on this call.
    const rt = c.dialerUser ? agents.get(c.dialerUser) : undefined;
    c = { ...c, agentState: rt && rt.callId === c.id ? rt.state : null };
    if (s.kind === 'pick') {
      user = s.user;
      continue;
    }
    let event: CallEvent;
    if (s.kind === 'agent_logs_out') {
      if (!rt || rt.state === 'logged_out') continue;
      const logout = () => agents.set(c.dialerUser!, transitionAgent(rt, { type: 'logout' }).next);
      // call-flow tells the call only when the agent is reserved for it or in it, then logs the agent out.
      if (rt.callId !== c.id || (rt.state !== 'reserved' && rt.state !== 'in_call')) {
        logout();
        continue;
      }
      const t = transitionCall(c, { type: 'agent_logged_out' }, now);
      applyToAgents(t.effects);
      c = t.next;
      agents.set(c.dialerUser!, transitionAgent(agents.get(c.dialerUser!)!, { type: 'logout' }).next);
      continue;
    }
    if (s.event === 'offer' || s.event === 'assign') {
      event = { type: s.event, dialerUser: user, agent: agents.get(user)?.state ?? null };
    } else if (s.event === 'transfer_to_agent') {
      const target = agents.get(user);
      event = {
        type: 'transfer',
        extension: '2002',
        target: target
          ? { kind: 'agent', dialerUser: user, agent: target.state }
          : { kind: 'unknown', known: [{ extension: '7001', kind: 'agv', name: 'URA' }] },
        newCallId: 'leg',
      };
    } else event = s.event;

    let t: CallTransition;
    try {
      t = transitionCall(c, event, now);
    } catch (e) {
      // A refusal is a coded AppError and changes nothing.
      expect(isAppError(e) && REFUSAL_CODES.has(e.code)).toBe(true);
      continue;
    }
    if (t.refusal) expect(REFUSAL_CODES.has(t.refusal.code)).toBe(true);
    const before = c;
    const after = t.next;
    if (after.state !== before.state) expect(ALLOWED[before.state]).toContain(after.state);
    // A disposition, once there, never changes; only an ended call with an agent takes one.
    if (before.disposition) expect(after.disposition).toBe(before.disposition);
    if (after.disposition) expect(after).toMatchObject({ state: 'ended', dialerUser: expect.any(String) });
    const endedNow = before.state !== 'ended' && after.state === 'ended';
    const endEvents = t.effects.filter((e) => e.type === 'append_event' && e.event.type === 'call.ended');
    expect(endEvents).toHaveLength(endedNow ? 1 : 0);
    if (endedNow) expect(t.effects).toEqual(expect.arrayContaining(ALL_TIMERS_CANCELLED));
    // An offer rings the phone exactly when it is made.
    const rings = t.effects.filter((e) => e.type === 'deliver_offer');
    expect(rings).toHaveLength(after.state === 'offered' && before.state !== 'offered' ? 1 : 0);
    for (const k of ['answeredAt', 'offeredAt', 'connectedAt', 'endedAt'] as const)
      if (before[k] !== null) expect(after[k]).toBe(before[k]);
    applyToAgents(t.effects);
    c = after;
  }
  // Whatever happened, no agent is left holding this call unless the call still needs them.
  for (const [name, rt] of agents) {
    if (rt.callId !== c.id) continue;
    const expected = c.state === 'offered' ? 'reserved' : c.state === 'connected' ? 'in_call' : 'wrap_up';
    expect([name, rt.state]).toEqual([name, expected]);
    if (expected === 'wrap_up') expect(c.disposition).toBeNull();
  }
}

describe('properties of any life of a call', () => {
  it('moves only along the allowed edges, ends once, keeps one disposition, and keeps its agent in step', () => {
    fc.assert(
      fc.property(
        firstState,
        fc.array(step, { maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 5 }),
        play,
      ),
      { numRuns: 2_000 },
    );
  });
});
