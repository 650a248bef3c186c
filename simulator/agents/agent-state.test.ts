import { describe, expect, it } from 'vitest';
import { type AgentRuntime, LOGGED_OUT, transitionAgent } from './agent-state.ts';

const run = (start: AgentRuntime, ...cmds: Parameters<typeof transitionAgent>[1][]) =>
  cmds.reduce((s, c) => transitionAgent(s, c).next, start);

const available = run(LOGGED_OUT, { type: 'login', loginIdStatus: 1 }, { type: 'available' });

describe('transitionAgent', () => {
  it('puts an agent in the LOGIN pause at login', () => {
    const t = transitionAgent(LOGGED_OUT, { type: 'login', loginIdStatus: 1 });
    expect(t.next).toEqual({ state: 'paused', idStatus: 1, pendingIdStatus: null, callId: null });
  });

  it('defers a pause asked during a call and applies it at the disposition', () => {
    const inCall = run(available, { type: 'reserve', callId: 'c1' }, { type: 'connect', callId: 'c1' });
    const asked = transitionAgent(inCall, { type: 'pause', idStatus: 3 });
    expect(asked.deferred).toBe(true);
    expect(asked.next.state).toBe('in_call');
    expect(asked.next.pendingIdStatus).toBe(3);
    const wrap = run(asked.next, { type: 'call_ended', callId: 'c1' });
    expect(wrap).toMatchObject({ state: 'wrap_up', pendingIdStatus: 3 });
    const done = transitionAgent(wrap, { type: 'disposed', callId: 'c1' });
    expect(done.next).toEqual({ state: 'paused', idStatus: 3, pendingIdStatus: null, callId: null });
    expect(done.reason).toBe('deferred_pause_applied');
  });

  it('returns the agent to available after a disposition without a pending pause', () => {
    const wrap = run(
      available,
      { type: 'reserve', callId: 'c1' },
      { type: 'connect', callId: 'c1' },
      {
        type: 'call_ended',
        callId: 'c1',
      },
    );
    expect(transitionAgent(wrap, { type: 'disposed', callId: 'c1' }).next.state).toBe('available');
  });

  it('unpause during wrap-up cancels the pending pause', () => {
    const wrap = run(
      available,
      { type: 'reserve', callId: 'c1' },
      { type: 'connect', callId: 'c1' },
      { type: 'pause', idStatus: 2 },
      { type: 'call_ended', callId: 'c1' },
      { type: 'unpause' },
    );
    expect(wrap).toMatchObject({ state: 'wrap_up', pendingIdStatus: null });
  });

  it('refuses to make a busy agent available, with a coded error', () => {
    const inCall = run(available, { type: 'reserve', callId: 'c1' });
    expect(() => transitionAgent(inCall, { type: 'available' })).toThrow(
      expect.objectContaining({ code: 'AGENT_BUSY' }),
    );
  });

  it('never offers a call to a paused agent', () => {
    const paused = run(available, { type: 'pause', idStatus: 2 });
    expect(() => transitionAgent(paused, { type: 'reserve', callId: 'c1' })).toThrow(
      expect.objectContaining({ code: 'AGENT_NOT_AVAILABLE' }),
    );
  });

  it('refuses every command but login when logged out', () => {
    expect(() => transitionAgent(LOGGED_OUT, { type: 'available' })).toThrow(
      expect.objectContaining({ code: 'AGENT_NOT_LOGGED_IN' }),
    );
  });

  it('refuses a disposition for another call than the one in wrap-up', () => {
    const wrap = run(
      available,
      { type: 'reserve', callId: 'c1' },
      { type: 'connect', callId: 'c1' },
      {
        type: 'call_ended',
        callId: 'c1',
      },
    );
    expect(() => transitionAgent(wrap, { type: 'disposed', callId: 'c2' })).toThrow(
      expect.objectContaining({ code: 'AGENT_NOT_IN_WRAP_UP' }),
    );
  });
});
