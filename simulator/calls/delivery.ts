import type { Call } from '../../contract/calls.ts';

/** An offer, committed: the call (state `offered`) and the agent whose phone should ring. */
export type CallOffer = { orgId: string; call: Call; dialerUser: string };

/** What the agent's leg reports back; each is an event of the call state machine (`call-state.ts`). */
export type AgentLegEvent =
  | { type: 'answered' }
  | { type: 'rejected'; reason: string }
  | { type: 'ring_timeout' }
  | { type: 'agent_hung_up' };

/**
 * How an offered call reaches the agent's phone. `deliver` is called only once the offer is committed (never for one
 * that rolls back). The embedded default answers at once (auto-answer, as predictive dialers do); the SIP/WebRTC edge
 * replaces it with one that sends an INVITE and reports `answered` on 200 OK, `rejected` on a failure answer,
 * `ring_timeout` when nobody picks up, and later `agent_hung_up` on the softphone's BYE.
 */
export interface CallDelivery {
  deliver(offer: CallOffer, report: (event: AgentLegEvent) => void): void;
}

export const autoAnswer: CallDelivery = {
  deliver: (_offer, report) => report({ type: 'answered' }),
};
