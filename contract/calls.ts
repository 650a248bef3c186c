import { z } from '@hono/zod-openapi';
import { orNull } from '../core/http/openapi.ts';
import { Lead } from './mailing.ts';
import { DialerUser, Extension } from './organizations.ts';
import { CallOutcome } from './pacing.ts';
import { exactText } from './text.ts';

/**
 * A call leg. dialing → (answered) waiting_agent → offered → connected → ended; or dialing → ended (not answered);
 * agv: held by a virtual agent; queued: handed back to Omni by an AGV, waiting for Omni to assign an agent.
 */
export const CallState = z
  .enum(['dialing', 'waiting_agent', 'offered', 'connected', 'agv', 'queued', 'ended'])
  .openapi('CallState');
export type CallState = z.infer<typeof CallState>;

export const CallOrigin = z.enum(['campaign', 'scripted', 'agv_transfer', 'agent_transfer']).openapi('CallOrigin');
export type CallOrigin = z.infer<typeof CallOrigin>;

export const EndedBy = z.enum(['customer', 'agent', 'dialer', 'agv', 'transfer', 'supervisor']).openapi('EndedBy');
export type EndedBy = z.infer<typeof EndedBy>;

export const Disposition = z
  .object({
    callId: z.string(),
    dialerUser: DialerUser.nullable(),
    tagCode: z.string(),
    notes: z.string(),
    at: z.string(),
  })
  .openapi('Disposition');
export type Disposition = z.infer<typeof Disposition>;

export const Call = z
  .object({
    id: z.string(),
    campaignId: z.string().nullable(),
    service: z.string().nullable().describe("the campaign's Omni service (queue), when the campaign names one"),
    parentCallId: z.string().nullable(),
    lead: Lead,
    origin: CallOrigin,
    originExtension: Extension.nullable().describe('for an AGV transfer: the AGV extension (ramal) it came from'),
    state: CallState,
    outcome: orNull(CallOutcome),
    dialerUser: DialerUser.nullable(),
    agvExtension: Extension.nullable(),
    transferredTo: Extension.nullable(),
    startedAt: z.string(),
    answeredAt: z.string().nullable(),
    offeredAt: z.string().nullable(),
    connectedAt: z.string().nullable(),
    endedAt: z.string().nullable(),
    endedBy: orNull(EndedBy),
    disposition: orNull(Disposition),
  })
  .openapi('Call');
export type Call = z.infer<typeof Call>;

export const DispositionRequest = z
  .object({
    tagCode: exactText('a tag code', 64).openapi({ example: 'VENDA' }),
    notes: z.string().max(4000).default(''),
    dialerUser: DialerUser.optional().describe('who disposes; defaults to the call’s agent'),
  })
  .openapi('DispositionRequest');
export type DispositionRequest = z.infer<typeof DispositionRequest>;

export const TransferRequest = z.object({ extension: Extension }).openapi('TransferRequest');
export const AssignRequest = z.object({ dialerUser: DialerUser }).openapi('AssignRequest');
export const HangupRequest = z
  .object({ by: z.enum(['agent', 'supervisor']).default('agent') })
  .openapi('HangupRequest');
