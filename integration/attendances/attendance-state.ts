import type { z } from '@hono/zod-openapi';
import { AppError } from '../../core/errors.ts';
import type { AttendanceStateSchema, FinalizerSchema } from './schemas.ts';

export type AttendanceState = z.infer<typeof AttendanceStateSchema>;
export type Finalizer = z.infer<typeof FinalizerSchema>;

/** What the attendance state machine needs of an attendance. */
export type AttendanceCore = {
  state: AttendanceState;
  tagCode: string | null;
  notes: string;
  wrapUpDeadline: number | null;
  finalizedBy: Finalizer | null;
  finalizedAt: number | null;
};

export type AttendanceCommand =
  | { type: 'offered' }
  | { type: 'connected' }
  | { type: 'call_ended'; now: number; windowMs: number | null }
  | { type: 'tabulate'; tagCode?: string | undefined; notes?: string | undefined }
  | { type: 'hang_up'; by: 'agent' | 'supervisor' }
  | { type: 'finalize'; by: Finalizer; tagCode: string | null; notes?: string | undefined; now: number };

/** Side effects the service carries out in the same transaction (timers, dialer commands). */
export type AttendanceEffect =
  | { type: 'schedule_wrap_up'; at: number }
  | { type: 'cancel_wrap_up' }
  | { type: 'hangup_call'; by: 'agent' | 'supervisor' }
  | { type: 'send_disposition'; tagCode: string; notes: string };

export type AttendanceTransition = { next: AttendanceCore; effects: AttendanceEffect[] };

// The customer is still on the line: talking to the agent, or waiting in the queue after an AGV handed the call back.
const callUp = (s: AttendanceState) => s === 'offered' || s === 'in_progress' || s === 'queued' || s === 'unrouted';

function alreadyFinalized(a: AttendanceCore): never {
  throw new AppError(
    'ATTENDANCE_ALREADY_FINALIZED',
    409,
    `this attendance was already finalized by ${a.finalizedBy} with tag ${a.tagCode}`,
    {
      finalizedBy: a.finalizedBy,
      finalizedAt: a.finalizedAt === null ? null : new Date(a.finalizedAt).toISOString(),
      tagCode: a.tagCode,
      notes: a.notes,
    },
  );
}

/**
 * The attendance state machine, pure: offered → in progress → wrap-up → finalized (queued/unrouted before an AGV
 * transfer reaches an agent). Exactly one finalization: any later one is refused with the winner's details.
 */
export function transitionAttendance(a: AttendanceCore, cmd: AttendanceCommand): AttendanceTransition {
  const to = (next: Partial<AttendanceCore>, effects: AttendanceEffect[] = []): AttendanceTransition => ({
    next: { ...a, ...next },
    effects,
  });
  if (a.state === 'finalized') {
    if (cmd.type === 'finalize' || cmd.type === 'tabulate' || cmd.type === 'hang_up') alreadyFinalized(a);
    return to({}); // late call events for a finalized attendance change nothing
  }
  switch (cmd.type) {
    case 'offered':
      return to({ state: 'offered' });
    case 'connected':
      return a.state === 'offered' ? to({ state: 'in_progress' }) : to({});
    case 'call_ended': {
      if (a.state === 'wrap_up') return to({});
      const deadline = cmd.windowMs === null ? null : cmd.now + cmd.windowMs;
      return to(
        { state: 'wrap_up', wrapUpDeadline: deadline },
        deadline === null ? [] : [{ type: 'schedule_wrap_up', at: deadline }],
      );
    }
    case 'tabulate':
      if (!(a.state === 'in_progress' || a.state === 'wrap_up'))
        throw new AppError(
          'ATTENDANCE_NOT_TABULABLE',
          409,
          `the attendance is ${a.state}; tag and notes are set during or after the call`,
        );
      return to({
        ...(cmd.tagCode !== undefined ? { tagCode: cmd.tagCode } : {}),
        ...(cmd.notes !== undefined ? { notes: cmd.notes } : {}),
      });
    case 'hang_up':
      // The agent's own hang-up: the dialer ends the call, and its call.ended event opens the wrap-up.
      if (a.state !== 'offered' && a.state !== 'in_progress')
        throw new AppError(
          'ATTENDANCE_NOT_IN_CALL',
          409,
          a.state === 'wrap_up'
            ? 'the call already ended; tabulate and finalize the attendance'
            : `the attendance is ${a.state}: no call of yours to hang up`,
          { state: a.state },
        );
      return to({}, [{ type: 'hangup_call', by: cmd.by }]);
    case 'finalize': {
      if (cmd.by === 'agent' && a.state !== 'wrap_up')
        throw new AppError(
          'ATTENDANCE_CALL_IN_PROGRESS',
          409,
          `the attendance is ${a.state}; the agent finalizes after the call ends (hang up first)`,
        );
      if (cmd.by === 'auto' && a.state !== 'wrap_up') return to({});
      const tagCode = cmd.tagCode ?? a.tagCode;
      if (!tagCode) throw new AppError('TAG_REQUIRED', 422, 'choose a tag (tabulação) to finalize the attendance');
      const notes = cmd.notes ?? a.notes;
      const effects: AttendanceEffect[] = [{ type: 'cancel_wrap_up' }];
      if (callUp(a.state)) effects.push({ type: 'hangup_call', by: cmd.by === 'agent' ? 'agent' : 'supervisor' });
      if (a.state !== 'queued' && a.state !== 'unrouted') effects.push({ type: 'send_disposition', tagCode, notes });
      return to(
        { state: 'finalized', tagCode, notes, finalizedBy: cmd.by, finalizedAt: cmd.now, wrapUpDeadline: null },
        effects,
      );
    }
  }
}
