import type { Call } from '../../contract/calls.ts';

/**
 * How an offered call reaches the agent's phone. The embedded default answers at once (auto-answer, as
 * predictive dialers do); the SIP/WebRTC edge replaces it with one that sends an INVITE and calls `answer` on 200 OK
 * or `reject` on a failure.
 */
export interface CallDelivery {
  deliver(orgId: string, call: Call, dialerUser: string, answer: () => void, reject: (reason: string) => void): void;
}

export const autoAnswer: CallDelivery = {
  deliver: (_orgId, _call, _user, answer) => answer(),
};
