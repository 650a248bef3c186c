import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { availableAgent, startTestSimulator, TEST_AGENTS, type TestSimulator } from '../../harness/simulator.ts';
import { generateMailing } from '../../simulator/mailing/generate.ts';
import { describeMachine, type Machine, machine, round } from './machine.ts';
import { profiled } from './profile.ts';

/**
 * Benchmarks of the fake Discador DS over real HTTPS (the test simulator: real TLS, real Hono, real SQLite, a virtual
 * clock so no talk timer fires on its own). Client and server share this process and its event loop, so the numbers
 * are what one Node process does end to end on this machine, not the server alone. Timing is wall time
 * (`performance.now()`): a benchmark measures the machine, unlike domain code, which reads the dialer's clock.
 */

export type DialerBenchOptions = {
  /** How long the agent-status phase measures (after a short warm-up). Default 5000. */
  durationMs?: number;
  /** Requests in flight at once, in the status and disposition phases. Default 16. */
  concurrency?: number;
  /** Ended calls prepared and disposed in the disposition phase. Default 3000. */
  dispositions?: number;
  /** Agents created and logged in for the memory phase. Default 1000. */
  agents?: number;
  /** Progress lines (the CLI prints them on stderr). */
  progress?: (line: string) => void;
};

export type LatencyStats = {
  /** Measured requests (warm-up excluded). */
  requests: number;
  /** Answers that were not 2xx (a healthy run has none). */
  errors: number;
  concurrency: number;
  elapsedMs: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
};

export type DialerBenchResult = {
  machine: Machine;
  at: string;
  statusRequests: LatencyStats;
  dispositions: LatencyStats & { prepareMs: number };
  memoryPer1000Agents: {
    agents: number;
    /** V8 heap used by the agents' state (the request journal excluded). */
    heapBytes: number;
    /** V8 heap held by the request journal for the logins (per request, bounded by its capacity; not per agent). */
    journalHeapBytes: number;
    rssBytes: number;
    /** Growth of the SQLite file (after a WAL checkpoint); null when the database is not a file. */
    sqliteBytes: number | null;
    /** Whether `global.gc()` ran before each reading (node --expose-gc); without it heap numbers are noisy. */
    gcAvailable: boolean;
    loginMs: number;
    loginRps: number;
  };
};

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/**
 * A closed loop: `concurrency` workers each send a request, wait for its answer, send the next, until `done()`.
 * `send(i)` gets a unique sequence number and resolves to the HTTP status.
 */
async function closedLoop(
  concurrency: number,
  done: (sent: number) => boolean,
  send: (i: number) => Promise<number>,
): Promise<LatencyStats> {
  const latencies: number[] = [];
  let sent = 0;
  let errors = 0;
  const started = performance.now();
  const worker = async () => {
    while (!done(sent)) {
      const i = sent++;
      const t0 = performance.now();
      const status = await send(i);
      latencies.push(performance.now() - t0);
      if (status < 200 || status >= 300) errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    concurrency,
    elapsedMs: round(elapsedMs, 1),
    rps: round(latencies.length / (elapsedMs / 1000), 1),
    p50Ms: round(percentile(latencies, 50), 3),
    p99Ms: round(percentile(latencies, 99), 3),
    maxMs: round(latencies.at(-1) ?? 0, 3),
  };
}

const forDuration = (ms: number) => {
  const until = performance.now() + ms;
  return () => performance.now() >= until;
};
const forCount = (n: number) => (sent: number) => sent >= n;

const gc = (globalThis as { gc?: () => void }).gc;
/** Memory after garbage collection (when exposed) and a pause in which V8 and the allocator give pages back. */
async function settledMemory(): Promise<{ heapUsed: number; rss: number }> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await sleep(100);
  }
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss };
}

/** 1. GET /api/v1/agents/{user}/status with `concurrency` requests in flight, for `durationMs`. */
async function benchStatus(t: TestSimulator, durationMs: number, concurrency: number): Promise<LatencyStats> {
  const users = TEST_AGENTS.map((a) => a.dialerUser);
  await availableAgent(t, users[0]!);
  const send = async (i: number) =>
    (await t.api.request('GET', `/api/v1/agents/${users[i % users.length]}/status`)).status;
  await closedLoop(concurrency, forDuration(Math.min(500, durationMs / 4)), send); // warm-up: JIT, TLS sessions
  return closedLoop(concurrency, forDuration(durationMs), send);
}

/**
 * 2. POST /api/v1/calls/{id}/disposition (with an Idempotency-Key), each on a different call in wrap-up. The calls are
 * prepared directly on the simulator (one agent per call: an agent in wrap-up takes no other call); only the HTTP
 * disposition phase is timed.
 */
async function benchDispositions(
  t: TestSimulator,
  count: number,
  concurrency: number,
): Promise<LatencyStats & { prepareMs: number }> {
  const warmup = Math.min(200, Math.max(concurrency, Math.ceil(count / 10)));
  const total = warmup + count;
  const t0 = performance.now();
  const leads = generateMailing({ size: total, seed: 'bench-dispositions', customFields: [] });
  const callIds: string[] = [];
  for (let i = 0; i < total; i++) {
    const dialerUser = `bench-dispo-${i}`;
    const password = `pw-${i}-bench`;
    t.sim.orgs.createAgent(t.orgId, { dialerUser, name: `Dispo ${i}`, password });
    t.sim.sessions.login(t.orgId, dialerUser, password);
    t.sim.sessions.apply(t.orgId, dialerUser, { type: 'available' });
    const call = t.sim.flow.scripted(t.orgId, { lead: leads[i]!, origin: 'scripted', dialerUser });
    t.sim.flow.hangup(t.orgId, call.id, 'customer');
    callIds.push(call.id);
  }
  const prepareMs = round(performance.now() - t0, 1);
  const send = (offset: number) => async (i: number) =>
    (
      await t.api.request('POST', `/api/v1/calls/${callIds[offset + i]}/disposition`, {
        json: { tagCode: 'VENDA', notes: 'bench' },
        headers: { 'idempotency-key': randomUUID() },
      })
    ).status;
  await closedLoop(concurrency, forCount(warmup), send(0));
  return { ...(await closedLoop(concurrency, forCount(count), send(warmup))), prepareMs };
}

/**
 * 3. Memory of `agents` logged-in agents, on a file database: heap and RSS (after gc when exposed) and the SQLite file
 * (after a WAL checkpoint), before and after creating the agents and logging them in over HTTP.
 */
async function benchMemory(
  agents: number,
  concurrency: number,
  progress: (line: string) => void,
): Promise<DialerBenchResult['memoryPer1000Agents']> {
  const dir = mkdtempSync(join(tmpdir(), 'dsh-bench-'));
  const database = join(dir, 'bench.sqlite');
  const t = await startTestSimulator({ database });
  try {
    const sqliteSize = () => {
      t.sim.db.pragma('wal_checkpoint(TRUNCATE)');
      return statSync(database).size;
    };
    const createAgents = (prefix: string, n: number, extensionBase: number) => {
      for (let i = 0; i < n; i++)
        t.sim.orgs.createAgent(t.orgId, {
          dialerUser: `${prefix}-${i}`,
          name: `Agente ${i}`,
          extension: String(extensionBase + i),
          password: `pw-${i}-bench`,
        });
    };
    const logIn = (prefix: string, n: number) =>
      closedLoop(
        concurrency,
        forCount(n),
        async (i) =>
          (
            await t.api.request('POST', '/api/v1/agents/login', {
              json: { dialerUser: `${prefix}-${i}`, password: `pw-${i}-bench` },
            })
          ).status,
      );
    // Warm-up: a first batch of agents, logged in the same way, so the JIT, the SQLite page cache and all
    // `concurrency` connections (client and server side) are in both readings and only the agents differ.
    // Without it the first 1,000 logins show ~3 MiB of heap that the next 1,000 do not add.
    const warmup = Math.min(agents, 1000);
    createAgents('bench-warm', warmup, 10_000_000);
    await logIn('bench-warm', warmup);
    t.sim.journal.clear();
    const before = { ...(await settledMemory()), sqlite: sqliteSize() };

    createAgents('bench-agent', agents, 20_000_000);
    progress(`memory: ${agents} agents created; logging them in over HTTPS`);
    const login = await logIn('bench-agent', agents);
    if (login.errors > 0) progress(`memory: ${login.errors} logins failed`);

    // The request journal (the control API's record of recent requests, up to its capacity) grows per request, not
    // per agent: its share is read, then it is cleared so the other readings are the agents' own cost.
    const withJournal = await settledMemory();
    t.sim.journal.clear();
    const after = { ...(await settledMemory()), sqlite: sqliteSize() };
    const per1000 = (delta: number) => Math.round((delta * 1000) / agents);
    return {
      agents,
      heapBytes: per1000(after.heapUsed - before.heapUsed),
      journalHeapBytes: per1000(withJournal.heapUsed - after.heapUsed),
      rssBytes: per1000(after.rss - before.rss),
      sqliteBytes: per1000(after.sqlite - before.sqlite),
      gcAvailable: gc !== undefined,
      loginMs: login.elapsedMs,
      loginRps: login.rps,
    };
  } finally {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchDialer(opts: DialerBenchOptions = {}): Promise<DialerBenchResult> {
  const durationMs = opts.durationMs ?? 5000;
  const concurrency = opts.concurrency ?? 16;
  const dispositions = opts.dispositions ?? 3000;
  const agents = opts.agents ?? 1000;
  const progress = opts.progress ?? (() => {});
  const at = new Date().toISOString();

  // Memory first, while the process holds nothing else: memory freed by a previous phase would be subtracted.
  progress(`memory: ${agents} agents on a SQLite file`);
  const memoryPer1000Agents = await benchMemory(agents, concurrency, progress);
  const t = await startTestSimulator();
  let statusRequests: LatencyStats;
  let dispositionStats: DialerBenchResult['dispositions'];
  try {
    progress(`status: GET /api/v1/agents/{user}/status, ${concurrency} in flight, ${durationMs} ms`);
    statusRequests = await profiled('dialer-status', () => benchStatus(t, durationMs, concurrency));
    progress(`dispositions: preparing ${dispositions} calls in wrap-up, then POST …/disposition`);
    dispositionStats = await profiled('dialer-dispositions', () => benchDispositions(t, dispositions, concurrency));
  } finally {
    await t.close();
  }
  return { machine: machine(), at, statusRequests, dispositions: dispositionStats, memoryPer1000Agents };
}

const kib = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 1024).toFixed(1)} KiB`);

/** A table for people. */
export function formatDialerBench(r: DialerBenchResult): string {
  const m = r.machine;
  const row = (name: string, s: LatencyStats) =>
    [
      name.padEnd(34),
      String(s.requests).padStart(8),
      String(s.errors).padStart(7),
      s.rps.toFixed(0).padStart(8),
      s.p50Ms.toFixed(2).padStart(8),
      s.p99Ms.toFixed(2).padStart(8),
      s.maxMs.toFixed(2).padStart(8),
    ].join(' ');
  const mem = r.memoryPer1000Agents;
  return [
    `Discador DS simulator benchmark, ${r.at}`,
    describeMachine(m),
    `client and server share one process; ${r.statusRequests.concurrency} requests in flight over keep-alive HTTPS`,
    '',
    `${'request'.padEnd(34)} ${'requests'.padStart(8)} ${'errors'.padStart(7)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}`,
    row('GET  /agents/{user}/status', r.statusRequests),
    row('POST /calls/{id}/disposition', r.dispositions),
    '',
    `memory per 1,000 logged-in agents (measured with ${mem.agents}, gc ${mem.gcAvailable ? 'available' : 'NOT available: run node --expose-gc'}):`,
    `  heap used   ${kib(mem.heapBytes)}   (+ ${kib(mem.journalHeapBytes)} in the request journal for the logins)`,
    `  rss         ${kib(mem.rssBytes)}`,
    `  sqlite file ${kib(mem.sqliteBytes)}`,
    `  logins      ${mem.agents} in ${mem.loginMs.toFixed(0)} ms (${mem.loginRps.toFixed(0)}/s)`,
    `  (dispositions: ${r.dispositions.prepareMs.toFixed(0)} ms to prepare the calls, not timed above)`,
  ].join('\n');
}
