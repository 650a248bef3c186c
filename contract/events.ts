import { z } from '@hono/zod-openapi';
import { AgentState } from './agents.ts';
import { Call, Disposition, EndedBy } from './calls.ts';
import { DialerUser, Extension } from './organizations.ts';
import { CallOutcome } from './pacing.ts';

/**
 * The event catalogue: what the dialer tells Omni, in order, per organization. Each event has a numeric id that
 * only grows; a consumer resumes with `Last-Event-ID` and receives every later event exactly once.
 */
const envelope = <T extends string, D extends z.ZodTypeAny>(type: T, data: D) =>
  z.object({ id: z.number().int(), orgId: z.string(), type: z.literal(type), at: z.string(), data });

export const AgentStateChanged = envelope(
  'agent.state_changed',
  z.object({
    dialerUser: DialerUser,
    state: AgentState,
    previousState: AgentState,
    idStatus: z.number().int().nullable(),
    pauseName: z.string().nullable(),
    pendingIdStatus: z.number().int().nullable(),
    callId: z.string().nullable(),
    reason: z.string().describe('login, logout, requested, deferred_pause_applied, call_offered, disposition…'),
  }),
);
export const AgentPauseDeferred = envelope(
  'agent.pause_deferred',
  z.object({
    dialerUser: DialerUser,
    idStatus: z.number().int(),
    pauseName: z.string(),
    callId: z.string().nullable(),
  }),
);
export const CallOffered = envelope('call.offered', z.object({ call: Call, dialerUser: DialerUser }));
export const CallConnected = envelope('call.connected', z.object({ callId: z.string(), dialerUser: DialerUser }));
export const CallEnded = envelope(
  'call.ended',
  z.object({
    callId: z.string(),
    campaignId: z.string().nullable(),
    outcome: CallOutcome,
    endedBy: EndedBy,
    dialerUser: DialerUser.nullable(),
    talkMs: z.number().nullable(),
  }),
);
export const CallTransferred = envelope(
  'call.transferred',
  z.object({
    callId: z.string(),
    dialerUser: DialerUser,
    toExtension: Extension,
    newCallId: z.string().nullable().describe('the leg that continues at the target'),
  }),
);
export const CallAgvTransferred = envelope(
  'call.agv_transferred',
  z.object({
    call: Call,
    extension: Extension.describe('the AGV ramal: Omni routes to the service with this identifier'),
  }),
);
export const CallDisposed = envelope('call.disposed', Disposition);
export const Violation = envelope(
  'violation',
  z.object({
    kind: z.enum(['disposition_twice', 'disposition_on_open_call', 'disposition_without_agent']),
    callId: z.string().nullable(),
    dialerUser: DialerUser.nullable(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
  }),
);

export const DialerEvent = z
  .discriminatedUnion('type', [
    AgentStateChanged,
    AgentPauseDeferred,
    CallOffered,
    CallConnected,
    CallEnded,
    CallTransferred,
    CallAgvTransferred,
    CallDisposed,
    Violation,
  ])
  .openapi('DialerEvent');
export type DialerEvent = z.infer<typeof DialerEvent>;
export type DialerEventType = DialerEvent['type'];
export type DialerEventData<T extends DialerEventType> = Extract<DialerEvent, { type: T }>['data'];

export const EventPage = z
  .object({ events: z.array(DialerEvent), lastId: z.number().int().describe('resume after this id') })
  .openapi('EventPage');
