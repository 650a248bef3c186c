import { z } from '@hono/zod-openapi';
import { AgentState } from '../../contract/agents.ts';
import { orNull } from '../../core/http/openapi.ts';
import { DialerRequestSchema } from '../dialer/agent-requests.ts';

export const RoleSchema = z.enum(['agent', 'supervisor', 'admin']).openapi('Role');
const Timestamp = z.iso.datetime();

export const LoginInput = z
  .object({
    organization: z.string().min(1).describe('the organization id').openapi({ example: 'acme' }),
    username: z.string().min(1).openapi({ example: 'ana' }),
    password: z.string().min(1),
  })
  .openapi('LoginInput');

export const DialerLinkSchema = z
  .object({
    status: z
      .enum(['not_used', 'connected', 'failed', 'logged_out'])
      .describe('not_used: the user does not have Utilizar discador; failed: the dialer login failed (see reason)'),
    reason: z.string().nullable().describe('why the dialer login failed'),
  })
  .openapi('DialerLink');

export const LoginResultSchema = z
  .object({
    token: z.string().describe('send it as Authorization: Bearer <token>'),
    user: z.object({ id: z.string(), name: z.string(), username: z.string(), role: RoleSchema }),
    dialer: DialerLinkSchema.extend({
      softphone: z
        .object({
          webrtcUrl: z.string().describe('the organization’s Servidor WebRTC'),
          sip: z.object({ username: z.string(), password: z.string(), domain: z.string(), websocketPath: z.string() }),
        })
        .nullable()
        .describe('the softphone’s WebRTC server and SIP account; null unless connected to the dialer'),
    }),
  })
  .openapi('LoginResult');

export const PauseRequestInput = z.object({ pauseId: z.string().min(1).describe('an Omni pause (Pausa) id') });

export const PauseRef = z
  .object({ id: z.string(), name: z.string(), idStatus: z.number().int() })
  .openapi('PauseRef', { description: 'an Omni pause with its dialer ID Status' });

export const SlotsSchema = z
  .object({ total: z.number().int(), used: z.number().int(), free: z.number().int() })
  .openapi('Slots', { description: 'attendance slots of media Discador: an attendance holds one until finalized' });

/** The agent's state at the dialer as Omni knows it (from the dialer's events). */
export const PresenceSchema = z
  .object({
    userId: z.string(),
    dialerState: AgentState,
    pauseId: z.string().nullable().describe('the Omni pause the dialer’s ID Status maps to'),
    idStatus: z.number().int().nullable(),
    unmappedIdStatus: z
      .number()
      .int()
      .nullable()
      .describe('a dialer pause no Omni pause has (shown as not mapped, never guessed)'),
    pendingIdStatus: z.number().int().nullable().describe('a pause asked during a call, applied at its disposition'),
    since: Timestamp,
  })
  .openapi('AgentPresence');

export const MeSchema = z
  .object({
    userId: z.string(),
    orgId: z.string(),
    role: RoleSchema,
    config: z
      .object({
        name: z.string(),
        useDialer: z.boolean().describe('Utilizar discador'),
        dialerUser: z.string().nullable(),
        slots: z.number().int(),
        serviceIds: z.array(z.string()),
      })
      .describe('the user’s configuration as read at login: a change applies at the next login'),
    dialer: DialerLinkSchema,
    presence: orNull(PresenceSchema).describe('null until the dialer reports the agent’s first state'),
    pause: orNull(PauseRef),
    slots: SlotsSchema,
    dialerRequest: orNull(DialerRequestSchema).describe(
      'what became of the agent’s last pause/unpause/availability request since login (a refused one says why)',
    ),
  })
  .openapi('Me');

export const Accepted = z
  .object({ accepted: z.literal(true), message: z.string() })
  .openapi('Accepted', { description: 'sent to the dialer through the outbox; the agent’s state follows its events' });
