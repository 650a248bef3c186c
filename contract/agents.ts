import { z } from '@hono/zod-openapi';
import { DialerUser } from './organizations.ts';

/**
 * An agent's state at the dialer. `paused` carries an idStatus (LOGIN right after login); `reserved` is a call being
 * offered; `wrap_up` lasts from the call's end until its disposition.
 */
export const AgentState = z
  .enum(['logged_out', 'paused', 'available', 'reserved', 'in_call', 'wrap_up'])
  .openapi('AgentState');
export type AgentState = z.infer<typeof AgentState>;

export const AgentStatus = z
  .object({
    dialerUser: DialerUser,
    state: AgentState,
    idStatus: z.number().int().nullable().describe('the pause, when paused'),
    pauseName: z.string().nullable(),
    pendingIdStatus: z
      .number()
      .int()
      .nullable()
      .describe('a pause asked during a call or wrap-up, applied at the disposition'),
    callId: z.string().nullable(),
    since: z.string().describe('when the agent entered this state (ISO 8601)'),
    loggedInAt: z.string().nullable(),
  })
  .openapi('AgentStatus');
export type AgentStatus = z.infer<typeof AgentStatus>;

export const AgentLoginRequest = z
  .object({ dialerUser: DialerUser, password: z.string().min(1).max(128) })
  .openapi('AgentLoginRequest');

export const SipAccount = z
  .object({
    username: z.string(),
    domain: z.string(),
    websocketPath: z.string().describe('SIP over WebSocket path on the dialer host (RFC 7118)'),
    password: z
      .string()
      .describe(
        'a SIP secret issued at this login for the softphone’s digest auth (the dialer password never travels)',
      ),
  })
  .openapi('SipAccount');

export const AgentLoginResponse = z.object({ status: AgentStatus, sip: SipAccount }).openapi('AgentLoginResponse');

export const PauseRequest = z.object({ idStatus: z.number().int() }).openapi('PauseRequest');

export const PauseResponse = z
  .object({ status: AgentStatus, deferred: z.boolean().describe('true when the pause waits for the disposition') })
  .openapi('PauseResponse');
