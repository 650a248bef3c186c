import { z } from '@hono/zod-openapi';
import { Lead } from '../../contract/mailing.ts';
import { orNull } from '../../core/http/openapi.ts';

const Timestamp = z.iso.datetime();

export const AttendanceStateSchema = z
  .enum(['queued', 'unrouted', 'offered', 'in_progress', 'wrap_up', 'finalized'])
  .openapi('AttendanceState');
export const FinalizerSchema = z.enum(['agent', 'auto', 'supervisor']).openapi('Finalizer');

/** An attendance (Atendimento) of media Discador. */
export const AttendanceSchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    media: z.literal('dialer'),
    userId: z.string().nullable(),
    serviceId: z.string().nullable(),
    callId: z.string().nullable(),
    campaignId: z.string().nullable(),
    originExtension: z.string().nullable().describe('the AGV ramal the call came back from'),
    lead: Lead,
    state: AttendanceStateSchema,
    createdAt: Timestamp,
    offeredAt: Timestamp.nullable(),
    connectedAt: Timestamp.nullable(),
    endedAt: Timestamp.nullable(),
    wrapUpDeadline: Timestamp.nullable(),
    wrapUpLeftMs: z.number().nullable().describe('time left of the auto-tabulation window'),
    tagCode: z.string().nullable(),
    notes: z.string(),
    finalizedAt: Timestamp.nullable(),
    finalizedBy: orNull(FinalizerSchema),
    finalizedByUser: z.string().nullable(),
    slotFreedAt: Timestamp.nullable().describe(
      'when the attendance gave its slot back in Omni: its finalization (at once, whoever finalized)',
    ),
    dialerFreedAt: Timestamp.nullable().describe(
      'when the dialer reported the agent available again after the disposition (Omni learns it from the event stream)',
    ),
    nextOfferAt: Timestamp.nullable().describe('when the agent’s next attendance was offered'),
  })
  .openapi('Attendance');
export type Attendance = z.infer<typeof AttendanceSchema>;

export const TabulationInput = z
  .object({
    tagCode: z.string().trim().min(1).max(64).optional(),
    notes: z.string().max(4000).optional(),
  })
  .openapi('TabulationInput');

export const FinalizeInput = TabulationInput.openapi('FinalizeInput');
export const SupervisorFinalizeInput = z
  .object({ tagCode: z.string().trim().min(1).max(64), notes: z.string().max(4000).optional() })
  .openapi('SupervisorFinalizeInput');
export const RouteInput = z.object({ serviceId: z.string().min(1) }).openapi('RouteInput');
