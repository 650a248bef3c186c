import { describe, expect, it } from 'vitest';
import { type AttendanceCommand, type AttendanceCore, transitionAttendance } from './attendance-state.ts';

const fresh: AttendanceCore = {
  state: 'offered',
  tagCode: null,
  notes: '',
  wrapUpDeadline: null,
  finalizedBy: null,
  finalizedAt: null,
};
const run = (a: AttendanceCore, ...cmds: AttendanceCommand[]) =>
  cmds.reduce((s, c) => transitionAttendance(s, c).next, a);
const wrapUp = run(fresh, { type: 'connected' }, { type: 'call_ended', now: 1_000, windowMs: 30_000 });

describe('transitionAttendance', () => {
  it('opens a 30 s wrap-up window when the call ends', () => {
    const t = transitionAttendance(run(fresh, { type: 'connected' }), {
      type: 'call_ended',
      now: 1_000,
      windowMs: 30_000,
    });
    expect(t.next).toMatchObject({ state: 'wrap_up', wrapUpDeadline: 31_000 });
    expect(t.effects).toEqual([{ type: 'schedule_wrap_up', at: 31_000 }]);
  });

  it('with auto-tabulation off, wrap-up has no deadline', () => {
    const t = transitionAttendance(run(fresh, { type: 'connected' }), {
      type: 'call_ended',
      now: 1_000,
      windowMs: null,
    });
    expect(t.next.wrapUpDeadline).toBeNull();
    expect(t.effects).toEqual([]);
  });

  it('lets the agent change tag and notes any number of times during wrap-up', () => {
    const a = run(
      wrapUp,
      { type: 'tabulate', tagCode: 'A' },
      { type: 'tabulate', notes: 'n1' },
      { type: 'tabulate', tagCode: 'B' },
    );
    expect(a).toMatchObject({ state: 'wrap_up', tagCode: 'B', notes: 'n1' });
  });

  it('auto-tabulation keeps the agent’s tag and notes when the window runs out', () => {
    const a = run(wrapUp, { type: 'tabulate', tagCode: 'VENDA', notes: 'ligar amanhã' });
    const t = transitionAttendance(a, { type: 'finalize', by: 'auto', tagCode: null, now: 31_000 });
    expect(t.next).toMatchObject({ state: 'finalized', finalizedBy: 'auto', tagCode: 'VENDA', notes: 'ligar amanhã' });
    expect(t.effects).toContainEqual({ type: 'send_disposition', tagCode: 'VENDA', notes: 'ligar amanhã' });
  });

  it('auto-tabulation uses the organization’s tag when the agent set none', () => {
    const t = transitionAttendance(wrapUp, { type: 'finalize', by: 'auto', tagCode: 'AUTO', now: 31_000 });
    expect(t.next).toMatchObject({ finalizedBy: 'auto', tagCode: 'AUTO' });
  });

  it('a supervisor finalizing a call still up hangs it up first, then sends the disposition', () => {
    const t = transitionAttendance(run(fresh, { type: 'connected' }), {
      type: 'finalize',
      by: 'supervisor',
      tagCode: 'ENCERRADO',
      now: 5,
    });
    expect(t.effects.map((e) => e.type)).toEqual(['cancel_wrap_up', 'hangup_call', 'send_disposition']);
  });

  it('refuses an agent finalization during the call', () => {
    expect(() =>
      transitionAttendance(run(fresh, { type: 'connected' }), { type: 'finalize', by: 'agent', tagCode: 'X', now: 1 }),
    ).toThrow(expect.objectContaining({ code: 'ATTENDANCE_CALL_IN_PROGRESS' }));
  });

  it('refuses a second finalization with the winner’s details', () => {
    const done = run(wrapUp, { type: 'finalize', by: 'agent', tagCode: 'VENDA', now: 10_000 });
    for (const by of ['agent', 'auto', 'supervisor'] as const)
      expect(() => transitionAttendance(done, { type: 'finalize', by, tagCode: 'X', now: 10_001 })).toThrow(
        expect.objectContaining({
          code: 'ATTENDANCE_ALREADY_FINALIZED',
          details: expect.objectContaining({ finalizedBy: 'agent', tagCode: 'VENDA' }),
        }),
      );
  });

  it('refuses to finalize without any tag', () => {
    expect(() => transitionAttendance(wrapUp, { type: 'finalize', by: 'agent', tagCode: null, now: 1 })).toThrow(
      expect.objectContaining({ code: 'TAG_REQUIRED' }),
    );
  });

  it('ignores late call events for a finalized attendance', () => {
    const done = run(wrapUp, { type: 'finalize', by: 'supervisor', tagCode: 'X', now: 2 });
    expect(transitionAttendance(done, { type: 'call_ended', now: 3, windowMs: 30_000 })).toEqual({
      next: done,
      effects: [],
    });
  });

  it('a supervisor finalizing a queued AGV call hangs it up and sends no disposition (no agent had it)', () => {
    const queued: AttendanceCore = { ...fresh, state: 'queued' };
    const t = transitionAttendance(queued, { type: 'finalize', by: 'supervisor', tagCode: 'ABANDONO', now: 1 });
    expect(t.effects.map((e) => e.type)).toEqual(['cancel_wrap_up', 'hangup_call']);
  });

  it('the agent’s hang-up asks the dialer to end a call that is up, and changes nothing until the call ends', () => {
    const inCall = run(fresh, { type: 'connected' });
    const t = transitionAttendance(inCall, { type: 'hang_up', by: 'agent' });
    expect(t.next).toEqual(inCall);
    expect(t.effects).toEqual([{ type: 'hangup_call', by: 'agent' }]);
    expect(transitionAttendance(fresh, { type: 'hang_up', by: 'agent' }).effects).toEqual([
      { type: 'hangup_call', by: 'agent' },
    ]);
  });

  it('refuses a hang-up with no call up: ATTENDANCE_NOT_IN_CALL in wrap-up or queued, already finalized after', () => {
    expect(() => transitionAttendance(wrapUp, { type: 'hang_up', by: 'agent' })).toThrow(
      expect.objectContaining({
        code: 'ATTENDANCE_NOT_IN_CALL',
        status: 409,
        message: expect.stringMatching(/finalize/),
      }),
    );
    expect(() => transitionAttendance({ ...fresh, state: 'queued' }, { type: 'hang_up', by: 'agent' })).toThrow(
      expect.objectContaining({ code: 'ATTENDANCE_NOT_IN_CALL' }),
    );
    const done = run(wrapUp, { type: 'finalize', by: 'agent', tagCode: 'A', now: 2_000 });
    expect(() => transitionAttendance(done, { type: 'hang_up', by: 'agent' })).toThrow(
      expect.objectContaining({ code: 'ATTENDANCE_ALREADY_FINALIZED' }),
    );
  });
});
