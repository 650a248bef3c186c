import { describe, expect, it } from 'vitest';
import { RealClock, VirtualClock } from './clock.ts';

describe('VirtualClock', () => {
  it('fires due timers in due order when advanced, and only those', () => {
    const clock = new VirtualClock(1_000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@30s'), 30_000);
    clock.setTimeout(() => fired.push('a@5s'), 5_000);
    clock.setTimeout(() => fired.push('c@60s'), 60_000);
    expect(clock.advance(30_000)).toBe(2);
    expect(fired).toEqual(['a@5s', 'b@30s']);
    expect(clock.now()).toBe(31_000);
    expect(clock.pending).toBe(1);
  });

  it('keeps creation order for timers due at the same instant', () => {
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    for (let i = 0; i < 5; i++) clock.setTimeout(() => fired.push(i), 10);
    clock.advance(10);
    expect(fired).toEqual([0, 1, 2, 3, 4]);
  });

  it('runs timers scheduled by a firing timer when they fall inside the same advance', () => {
    const clock = new VirtualClock(0);
    const at: number[] = [];
    clock.setTimeout(() => {
      at.push(clock.now());
      clock.setTimeout(() => at.push(clock.now()), 5);
    }, 10);
    clock.advance(20);
    expect(at).toEqual([10, 15]);
  });

  it('does not fire a cleared timer', () => {
    const clock = new VirtualClock(0);
    let fired = false;
    const h = clock.setTimeout(() => {
      fired = true;
    }, 10);
    clock.clearTimeout(h);
    clock.advance(100);
    expect(fired).toBe(false);
  });

  it('refuses to go backwards', () => {
    const clock = new VirtualClock(100);
    expect(() => clock.set(50)).toThrow(RangeError);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });

  it('advanceAsync lets async work started by a timer settle before the next timer', async () => {
    const clock = new VirtualClock(0);
    const log: string[] = [];
    clock.setTimeout(() => {
      void Promise.resolve().then(() => log.push('async after t1'));
      log.push('t1');
    }, 1);
    clock.setTimeout(() => log.push('t2'), 2);
    await clock.advanceAsync(5);
    expect(log).toEqual(['t1', 'async after t1', 't2']);
    expect(clock.now()).toBe(5);
  });
});

describe('RealClock', () => {
  it('fires after the delay on the real clock', async () => {
    const clock = new RealClock();
    const start = clock.now();
    const firedAt = await new Promise<number>((resolve) => clock.setTimeout(() => resolve(clock.now()), 20));
    expect(firedAt - start).toBeGreaterThanOrEqual(19);
  });
});
