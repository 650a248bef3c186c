import { z } from '@hono/zod-openapi';
import { LeadInput } from '../../mailing.ts';
import { DialerUser, Extension } from '../../organizations.ts';

/** The control API's own shapes (loopback + admin token): clock, seed, reset, scripted calls. */
export const ClockState = z
  .object({
    kind: z.enum(['real', 'virtual']),
    now: z.string(),
    nowMs: z.number(),
    pendingTimers: z.number().nullable(),
  })
  .openapi('ClockState');

export const ClockAdvance = z
  .object({
    ms: z
      .number()
      .int()
      .min(0)
      .max(366 * 86_400_000),
  })
  .openapi('ClockAdvance');
export const ClockSet = z
  .object({ now: z.union([z.iso.datetime({ offset: true }), z.number().int()]) })
  .openapi('ClockSet');

export const SeedRequest = z.object({ seed: z.union([z.string().min(1), z.number()]) }).openapi('SeedRequest');

export const ResetRequest = z
  .object({
    orgId: z.string().optional().describe('reset only this organization (default: all)'),
    config: z.boolean().default(false).describe('also delete organizations / campaigns (default: keep configuration)'),
  })
  .openapi('ResetRequest');

export const ResetResult = z
  .object({
    calls: z.number(),
    dispositions: z.number(),
    events: z.number(),
    agentsLoggedOut: z.number(),
    leadsReset: z.number(),
    organizationsDeleted: z.number(),
  })
  .openapi('ResetResult');

export const ScriptedCallRequest = z
  .object({
    dialerUser: DialerUser.optional().describe('offer to this agent now (must be available)'),
    agvExtension: Extension.optional().describe('or hand the call to this AGV'),
    campaignId: z.string().optional().describe('take the lead from this campaign (its next pending lead)'),
    leadId: z.string().optional().describe('a specific lead of the campaign'),
    lead: LeadInput.optional().describe('or this lead'),
  })
  .refine((r) => !(r.dialerUser && r.agvExtension), { message: 'give dialerUser or agvExtension, not both' })
  .openapi('ScriptedCallRequest');
export type ScriptedCallRequest = z.infer<typeof ScriptedCallRequest>;
