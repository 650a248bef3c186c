import { describe, expect, it } from 'vitest';
import { benchIntegration, formatIntegrationBench } from './integration.ts';

// Not a speed check: the benchmark runs end to end with tiny sizes and reports well-formed, non-zero counts. It runs
// on the real clock, so it takes a few wrap-up windows (the shortest Omni allows is 5 s).
describe('benchIntegration', () => {
  it('measures slot release per finalizer and rate, and the firing error of concurrent wrap-ups', async () => {
    const r = await benchIntegration({ agents: 20, rates: [20], wrapUps: 50, wrapUpSpreadMs: 200 });

    expect(r.machine.cpus).toBeGreaterThan(0);
    expect(r.machine.node).toMatch(/^v\d+/);
    expect(Number.isNaN(Date.parse(r.at))).toBe(false);
    expect(r.targets).toMatchObject({ slotReleaseP99Ms: 20, firingErrorP99Ms: 50 });
    expect(typeof r.targets.slotReleaseMet).toBe('boolean');
    expect(typeof r.targets.firingErrorMet).toBe('boolean');

    expect(r.dialer.mode).toBe('worker'); // the default: the dialer simulator in its own thread
    expect(r.slotRelease.agents).toBe(20);
    expect(r.slotRelease.runs.map((x) => [x.finalizer, x.targetRate])).toEqual([
      ['supervisor', 20],
      ['auto', 20],
    ]);
    for (const run of r.slotRelease.runs) {
      expect(run.finalizations).toBe(20);
      expect(run.missingOffers).toBe(0);
      expect(run.achievedRate).toBeGreaterThan(0);
      // Both threads did work over the run's span (the dialer has its own thread in this mode).
      expect(run.eventLoopUtilization.omni).toBeGreaterThan(0);
      expect(run.eventLoopUtilization.omni).toBeLessThanOrEqual(1);
      expect(run.eventLoopUtilization.dialer).toBeGreaterThan(0);
      expect(run.eventLoopUtilization.dialer).toBeLessThanOrEqual(1);
      for (const d of [run.toNextOffer, run.toSlotFreed]) {
        expect(d.count).toBe(20);
        expect(d.p99Ms).toBeGreaterThanOrEqual(d.p50Ms);
        expect(d.maxMs).toBeGreaterThanOrEqual(d.p99Ms);
      }
    }
    const [supervisor, auto] = r.slotRelease.runs;
    expect(supervisor!.finalizeRequests).toMatchObject({ count: 20, errors: 0 });
    expect(supervisor!.firingError).toBeNull();
    expect(auto!.finalizeRequests).toBeNull();
    expect(auto!.firingError?.count).toBe(20);

    const f = r.firing!;
    expect(f).toMatchObject({ wrapUps: 50, fired: 50, maxConcurrentWrapUps: 50 });
    expect(f.error.count).toBe(50);
    expect(f.error.minMs).toBeGreaterThanOrEqual(0); // a deadline never fires early
    expect(f.error.p99Ms).toBeGreaterThanOrEqual(f.error.p50Ms);
    expect(f.dispositionsWhenFired.failed).toBe(0);
    expect(f.dispositionsWhenFired.sent + f.dispositionsWhenFired.pending).toBe(50);

    expect(formatIntegrationBench(r)).toContain('slot release');
  }, 120_000);

  it('still runs with the dialer on the same thread as the Omni side (dialer: in-process)', async () => {
    const r = await benchIntegration({ agents: 5, rates: [20], wrapUps: 0, dialer: 'in-process' });

    expect(r.dialer.mode).toBe('in-process');
    expect(r.firing).toBeNull();
    expect(r.targets.firingErrorMet).toBeNull();
    for (const run of r.slotRelease.runs) {
      expect(run.finalizations).toBe(5);
      expect(run.missingOffers).toBe(0);
      expect(run.toNextOffer.count).toBe(5);
      expect(run.eventLoopUtilization.dialer).toBeNull(); // no thread of its own
    }
    expect(formatIntegrationBench(r)).toContain('in-process');
  }, 120_000);
});
