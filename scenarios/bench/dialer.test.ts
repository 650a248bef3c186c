import { describe, expect, it } from 'vitest';
import { benchDialer, formatDialerBench } from './dialer.ts';

// Not a speed check: the benchmark runs end to end with tiny parameters and reports well-formed, non-zero numbers.
describe('benchDialer', () => {
  it('measures status requests, dispositions and memory, with every request answered 2xx', async () => {
    const r = await benchDialer({ durationMs: 200, agents: 20, dispositions: 20, concurrency: 4 });

    expect(r.machine.cpus).toBeGreaterThan(0);
    expect(r.machine.node).toMatch(/^v\d+/);
    expect(Number.isNaN(Date.parse(r.at))).toBe(false);
    for (const s of [r.statusRequests, r.dispositions]) {
      expect(s).toMatchObject({ errors: 0, concurrency: 4 });
      expect(s.requests).toBeGreaterThan(0);
      expect(s.rps).toBeGreaterThan(0);
      expect(s.p50Ms).toBeGreaterThan(0);
      expect(s.p99Ms).toBeGreaterThanOrEqual(s.p50Ms);
    }
    expect(r.dispositions.requests).toBe(20);
    const m = r.memoryPer1000Agents;
    expect(m.agents).toBe(20);
    expect(typeof m.gcAvailable).toBe('boolean');
    for (const n of [m.heapBytes, m.journalHeapBytes, m.rssBytes]) expect(Number.isFinite(n)).toBe(true);
    expect(m.sqliteBytes).toBeGreaterThanOrEqual(0); // page-granular: a few agents may fit in pages already there
    expect(m.loginRps).toBeGreaterThan(0);
    expect(formatDialerBench(r)).toContain('/calls/{id}/disposition');
  });
});
