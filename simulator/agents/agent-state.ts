import type { AgentState } from '../../contract/agents.ts';
import { AppError } from '../../core/errors.ts';

/** What the dialer keeps of a logged-in agent, beside identity. */
export type AgentRuntime = {
  state: AgentState;
  idStatus: number | null;
  pendingIdStatus: number | null;
  callId: string | null;
};

export type AgentCommand =
  | { type: 'login'; loginIdStatus: number }
  | { type: 'logout' }
  | { type: 'available' }
  | { type: 'pause'; idStatus: number }
  | { type: 'unpause' }
  | { type: 'reserve'; callId: string }
  | { type: 'connect'; callId: string }
  | { type: 'call_ended'; callId: string }
  | { type: 'disposed'; callId: string };

export type AgentTransition = { next: AgentRuntime; reason: string; deferred: boolean };

export const LOGGED_OUT: AgentRuntime = { state: 'logged_out', idStatus: null, pendingIdStatus: null, callId: null };

const busy = (s: AgentState) => s === 'reserved' || s === 'in_call' || s === 'wrap_up';

function refuse(code: string, message: string, current: AgentRuntime): never {
  throw new AppError(code, 409, message, { state: current.state, callId: current.callId });
}

/**
 * The agent state machine, pure. A pause asked while reserved, in a call or in wrap-up is kept as pending and applied
 * at the disposition: the agent is never "paused" and "in wrap-up" at once.
 */
export function transitionAgent(current: AgentRuntime, cmd: AgentCommand): AgentTransition {
  const to = (next: Partial<AgentRuntime>, reason: string, deferred = false): AgentTransition => ({
    next: { ...current, ...next },
    reason,
    deferred,
  });
  if (current.state === 'logged_out' && cmd.type !== 'login')
    refuse('AGENT_NOT_LOGGED_IN', 'the agent is not logged in to the dialer; log in first', current);

  switch (cmd.type) {
    case 'login':
      if (current.state !== 'logged_out') refuse('AGENT_ALREADY_LOGGED_IN', 'the agent is already logged in', current);
      return to({ state: 'paused', idStatus: cmd.loginIdStatus, pendingIdStatus: null, callId: null }, 'login');
    case 'logout':
      return to(LOGGED_OUT, 'logout');
    case 'available':
      if (busy(current.state))
        refuse('AGENT_BUSY', `the agent is ${current.state}; they become available after the disposition`, current);
      return to({ state: 'available', idStatus: null, pendingIdStatus: null }, 'requested');
    case 'pause':
      if (busy(current.state)) return to({ pendingIdStatus: cmd.idStatus }, 'pause_deferred', true);
      return to({ state: 'paused', idStatus: cmd.idStatus, pendingIdStatus: null }, 'requested');
    case 'unpause':
      if (busy(current.state)) {
        if (current.pendingIdStatus === null)
          refuse('AGENT_NOT_PAUSED', `the agent is ${current.state} and has no pause pending`, current);
        return to({ pendingIdStatus: null }, 'pending_pause_cancelled');
      }
      if (current.state !== 'paused') refuse('AGENT_NOT_PAUSED', 'the agent is not paused', current);
      return to({ state: 'available', idStatus: null }, 'requested');
    case 'reserve':
      if (current.state !== 'available')
        refuse('AGENT_NOT_AVAILABLE', `the agent is ${current.state}, not available`, current);
      return to({ state: 'reserved', callId: cmd.callId }, 'call_offered');
    case 'connect':
      if (current.state !== 'reserved' || current.callId !== cmd.callId)
        refuse('AGENT_NOT_RESERVED', 'the agent was not offered this call', current);
      return to({ state: 'in_call' }, 'call_connected');
    case 'call_ended':
      if (!busy(current.state) || current.callId !== cmd.callId)
        refuse('AGENT_NOT_ON_CALL', 'the agent is not on this call', current);
      return to({ state: 'wrap_up' }, 'call_ended');
    case 'disposed':
      if (current.state !== 'wrap_up' || current.callId !== cmd.callId)
        refuse('AGENT_NOT_IN_WRAP_UP', 'the agent is not in wrap-up for this call', current);
      if (current.pendingIdStatus !== null)
        return to(
          { state: 'paused', idStatus: current.pendingIdStatus, pendingIdStatus: null, callId: null },
          'deferred_pause_applied',
        );
      return to({ state: 'available', callId: null }, 'disposition');
  }
}
