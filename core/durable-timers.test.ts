import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from './clock.ts';
import { migrate, openDatabase } from './db.ts';
import { DURABLE_TIMERS_SQL, DurableTimers } from './durable-timers.ts';

const migrations = [{ version: 1, name: 'timers', up: DURABLE_TIMERS_SQL }];

function setup(file = ':memory:', clock = new VirtualClock(0)) {
  const db = openDatabase(file);
  migrate(db, migrations);
  const timers = new DurableTimers(db, clock, { retryMs: 100 });
  const fired: Array<[string, number]> = [];
  timers.on('wrap-up', (ref) => fired.push([ref, clock.now()]));
  return { db, clock, timers, fired };
}

describe('DurableTimers', () => {
  it('fires a deadline at its time, once', () => {
    const { clock, timers, fired } = setup();
    timers.start();
    timers.schedule('wrap-up', 'a1', 30_000);
    clock.advance(29_999);
    expect(fired).toEqual([]);
    clock.advance(10_000);
    expect(fired).toEqual([['a1', 30_000]]);
    expect(timers.dueAt('wrap-up', 'a1')).toBeUndefined();
  });

  it('moving a deadline fires only the new one; cancelling fires none', () => {
    const { clock, timers, fired } = setup();
    timers.start();
    timers.schedule('wrap-up', 'a1', 10);
    timers.schedule('wrap-up', 'a1', 50);
    timers.schedule('wrap-up', 'a2', 20);
    timers.cancel('wrap-up', 'a2');
    clock.advance(100);
    expect(fired).toEqual([['a1', 50]]);
  });

  it('after a restart fires each deadline at its original time, or at once if past', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dsh-timers-')), 't.sqlite');
    const first = setup(file, new VirtualClock(0));
    first.timers.start();
    first.timers.schedule('wrap-up', 'past', 5_000);
    first.timers.schedule('wrap-up', 'future', 30_000);
    first.timers.stop();
    first.db.close();

    const second = setup(file, new VirtualClock(10_000));
    second.timers.start();
    second.clock.advance(0);
    expect(second.fired).toEqual([['past', 10_000]]);
    second.clock.advance(25_000);
    expect(second.fired).toEqual([
      ['past', 10_000],
      ['future', 30_000],
    ]);
  });

  it('retries a deadline whose handler threw, and keeps it stored until it succeeds', () => {
    const { clock, timers } = setup();
    let attempts = 0;
    timers.on('flaky', () => {
      attempts++;
      if (attempts < 3) throw new Error('not yet');
    });
    timers.start();
    timers.schedule('flaky', 'x', 10);
    clock.advance(10);
    expect(attempts).toBe(1);
    expect(timers.dueAt('flaky', 'x')).toBe(110);
    clock.advance(1_000);
    expect(attempts).toBe(3);
    expect(timers.dueAt('flaky', 'x')).toBeUndefined();
  });

  it('a schedule or cancel whose transaction rolls back leaves the deadlines as stored', async () => {
    const { db, clock, timers, fired } = setup();
    timers.start();
    timers.schedule('wrap-up', 'kept', 100);
    timers.schedule('wrap-up', 'moved', 200);
    expect(() =>
      db.transaction(() => {
        timers.cancel('wrap-up', 'kept');
        timers.schedule('wrap-up', 'moved', 5_000);
        timers.schedule('wrap-up', 'never', 50);
        throw new Error('the state change failed');
      })(),
    ).toThrow('the state change failed');
    await Promise.resolve(); // the check against the rows runs once the caller's stack is done
    clock.advance(300);
    expect(fired).toEqual([
      ['kept', 100],
      ['moved', 200],
    ]);
    clock.advance(10_000);
    expect(fired).toHaveLength(2);
  });

  it('after a rolled-back cancel the deadline still fires when the clock moves in the same tick', () => {
    const { db, clock, timers, fired } = setup();
    timers.start();
    timers.schedule('wrap-up', 'kept', 100);
    expect(() =>
      db.transaction(() => {
        timers.cancel('wrap-up', 'kept');
        throw new Error('the state change failed');
      })(),
    ).toThrow('the state change failed');
    clock.advance(100); // no await: nothing may depend on a later tick
    expect(fired).toEqual([['kept', 100]]);
  });

  it('a move in a savepoint that rolls back keeps the earlier deadline; the outer transaction’s own move holds', () => {
    const { db, clock, timers, fired } = setup();
    timers.start();
    timers.schedule('wrap-up', 'a1', 100);
    db.transaction(() => {
      timers.schedule('wrap-up', 'a2', 150);
      try {
        db.transaction(() => {
          timers.schedule('wrap-up', 'a1', 5_000);
          throw new Error('this part fails');
        })();
      } catch {
        // the outer transaction goes on
      }
    })();
    clock.advance(200);
    expect(fired).toEqual([
      ['a1', 100],
      ['a2', 150],
    ]);
    clock.advance(10_000);
    expect(fired).toHaveLength(2);
  });
});
