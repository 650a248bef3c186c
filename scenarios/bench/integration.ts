import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, fetch } from 'undici';
import type { Lead } from '../../contract/mailing.ts';
import { RealClock } from '../../core/clock.ts';
import { type Listening, serveHttps } from '../../core/serve.ts';
import { PASSWORDS, provisionTestOrganization, startTestPair } from '../../harness/pair.ts';
import { testCertificates } from '../../harness/simulator.ts';
import type { ProvisionedOrganization } from '../../integration/provision.ts';
import { createIntegration, type Integration } from '../../integration/server.ts';
import { generateMailing } from '../../simulator/mailing/generate.ts';
import { type BenchDialer, type DialerMode, inProcessDialer, startDialerWorker } from './dialer-side.ts';
import { describeMachine, type Machine, machine, round } from './machine.ts';
import { profiled } from './profile.ts';
import { finalizeAtRate, finalizeInWorker } from './supervisor-client.ts';
import { type Utilization, UtilizationSampler } from './utilization.ts';

/**
 * Benchmarks of the Omni side with the dialer simulator, end to end, on the real clock: both sides over real HTTPS,
 * real SQLite (in memory), the real outbox, event stream and durable timers. By default the dialer runs in its own
 * worker thread (`dialer-side.ts`, `sim-worker.ts`), as it is another service in production, and the Omni side and the
 * load clients on this thread; with `dialer: 'in-process'` both sides share this thread (the pair of
 * integration/testing.ts). Two measurements:
 *
 * 1. **Slot release latency**: with `agents` agents logged in (Omni login → dialer login → available), each in wrap-up
 *    and as many calls waiting at the dialer, attendances are finalized at a paced rate, by a supervisor (over HTTPS)
 *    or by auto-tabulation (the wrap-up window runs out; call ends are paced so deadlines come at that rate). The
 *    latency is `next_offer_at − finalized_at` of the Omni database: from the finalization to the moment Omni learns
 *    that the dialer offered that agent their next call (outbox → disposition over HTTPS → dialer frees the agent and
 *    offers a waiting call → event stream → Omni). Also the parts: to the dialer's `dispositions.at` (outbox and
 *    HTTPS) and to `slot_freed_at` (Omni learns the agent is free).
 * 2. **Auto-tabulation firing error**: `wrapUps` attendances in wrap-up at once (one dialer agent each), their
 *    deadlines spread over `wrapUpSpreadMs`; the error is `finalized_at − deadline`, the deadline being
 *    `ended_at + window` (what `callEnded` stored: `finalize` clears `wrap_up_deadline`).
 *
 * Every time is a database column stamped by a side's `RealClock` (`Date.now()`, whole milliseconds: the same system
 * clock in both threads). The pacing and waiting use `performance.now()`. Nothing is asserted: it is a benchmark.
 */

export type IntegrationBenchOptions = {
  /** Agents logged in for the slot-release phase (Omni login, dialer login, available). Default 1000. */
  agents?: number;
  /** Finalizations per second to pace, each measured with a supervisor and with auto-tabulation. Default [100, 500]. */
  rates?: number[];
  /** Concurrent wrap-ups in the firing-error phase (0 skips it). Default 10000. */
  wrapUps?: number;
  /** Their deadlines are spread over this long (the call ends are paced over it). Default 3000. */
  wrapUpSpreadMs?: number;
  /** Omni logins in flight at once during setup. Default 16. */
  loginConcurrency?: number;
  /**
   * Where the dialer simulator runs: its own worker thread (default), or this thread with the Omni side. Default from
   * the environment variable DS_BENCH_DIALER (`worker` or `in-process`), else `worker`.
   */
  dialer?: DialerMode;
  /** Progress lines (the CLI prints them on stderr). */
  progress?: (line: string) => void;
};

export type Distribution = { count: number; p50Ms: number; p99Ms: number; maxMs: number };

export type SlotReleaseRun = {
  finalizer: 'supervisor' | 'auto';
  /** Finalizations per second asked for. */
  targetRate: number;
  /** Finalizations per second achieved (over the span of the finalized_at stamps). */
  achievedRate: number;
  /** Attendances finalized in this run. */
  finalizations: number;
  /** Finalization → Omni learns the next call was offered to the agent (`next_offer_at − finalized_at`). */
  toNextOffer: Distribution;
  /**
   * Finalization → the dialer recorded the disposition (its `dispositions.at`): the outbox and the HTTPS request.
   * The rest of `toSlotFreed` is the way back, the dialer's event stream to Omni.
   */
  toDialerDisposition: Distribution;
  /** Finalization → Omni learns the dialer freed the agent (`slot_freed_at − finalized_at`). */
  toSlotFreed: Distribution;
  /** Finalizations whose next offer did not arrive before the run's time limit (a healthy run has none). */
  missingOffers: number;
  /** Supervisor runs: the HTTPS finalize requests as the client saw them; errors = not 200. */
  finalizeRequests: (Distribution & { errors: number }) | null;
  /** Auto runs: firing error of the wrap-up timers of the run (`finalized_at − deadline`). */
  firingError: Distribution | null;
  /**
   * How busy each thread's event loop was (0–1) from the first finalization to the last next offer: the Omni side's
   * (with the benchmark's polls) and the dialer's (null when it shares the Omni side's thread).
   */
  eventLoopUtilization: Utilization;
};

export type IntegrationBenchResult = {
  machine: Machine;
  at: string;
  /** Where the dialer simulator ran (`worker`: its own thread; `in-process`: the Omni side's thread). */
  dialer: { mode: DialerMode; description: string };
  targets: {
    slotReleaseP99Ms: number;
    firingErrorP99Ms: number;
    /** Every slot-release run's `toNextOffer.p99Ms` is within the target. */
    slotReleaseMet: boolean;
    /** null when the firing phase was skipped. */
    firingErrorMet: boolean | null;
  };
  slotRelease: {
    agents: number;
    /** Agent setup: users created on both sides, logged in through Omni and made available at the dialer. */
    setupMs: number;
    runs: SlotReleaseRun[];
  };
  firing: {
    wrapUps: number;
    spreadMs: number;
    windowSeconds: number;
    setupMs: number;
    /** Attendances auto-finalized. */
    fired: number;
    /** Most attendances in wrap-up at the same moment (from ended_at / finalized_at). */
    maxConcurrentWrapUps: number;
    /** `finalized_at − (ended_at + window)`. */
    error: Distribution & { minMs: number };
    /**
     * The auto-finalizations' dispositions in the outbox when the last deadline had fired: delivered to the dialer,
     * still waiting (delivered later; not waited for), failed for good (a healthy run has none).
     */
    dispositionsWhenFired: { sent: number; pending: number; failed: number };
  } | null;
};

const ORG = 'acme';
const TARGET_SLOT_P99_MS = 20;
const TARGET_FIRING_P99_MS = 50;
/** Long enough that no wrap-up window runs out while a supervisor run is still finalizing. */
const SUPERVISOR_WINDOW_S = 3600;
/** The shortest window Omni allows: the auto runs' deadlines come 5 s after the paced call ends. */
const AUTO_WINDOW_S = 5;

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

function distribution(values: number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50Ms: round(percentile(sorted, 50), 3),
    p99Ms: round(percentile(sorted, 99), 3),
    maxMs: round(sorted.at(-1) ?? 0, 3),
  };
}

/**
 * Polls `done` every `everyMs` until it holds; throws with `what` after `timeoutMs`. The polls are cheap indexed
 * queries and not frequent, so they take little from the loop being measured.
 */
async function waitUntil(
  what: () => string | Promise<string>,
  done: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 50,
): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!(await done())) {
    if (performance.now() > until) throw new Error(`bench: gave up waiting for ${await what()} after ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** Runs `fn` over 0…count-1 with at most `concurrency` in flight. */
async function pool(count: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** The Omni side on this thread, and the dialer (in a worker thread, or on this thread too). */
type Pair = {
  dialer: BenchDialer;
  omni: Integration;
  omniListening: Listening;
  ids: ProvisionedOrganization;
  /** The CA both sides' server certificates chain to. */
  caPem: string;
  /** Logs into Omni over HTTPS. */
  login(username: string): Promise<{ token: string }>;
  close(): Promise<void>;
};

const DIALER_DESCRIPTIONS: Record<DialerMode, string> = {
  worker:
    'the dialer simulator in its own worker thread (own event loop: HTTPS, TLS, SQLite); Omni and the clients on the main thread',
  'in-process': 'Omni, the dialer simulator and the clients share one thread',
};

/** Omni over HTTPS, provisioned for a dialer in a worker thread: like `startTestPair`, with the dialer elsewhere. */
async function startWorkerPair(windowSeconds: number): Promise<Pair> {
  const certs = await testCertificates();
  const dialer = await startDialerWorker(ORG, certs);
  try {
    const omni = createIntegration({
      clock: new RealClock(),
      scryptCost: 1024,
      outbox: { baseDelayMs: 100, maxDelayMs: 1_000 },
    });
    const ids = await provisionTestOrganization(omni, {
      key: dialer.key,
      url: dialer.url,
      certificatePem: certs.server.certPem,
      windowSeconds,
    });
    omni.start();
    const omniListening = await serveHttps(omni.app.fetch, {
      port: 0,
      host: '127.0.0.1',
      tls: { key: certs.server.keyPem, cert: certs.server.certPem },
    });
    const anon = new Agent({ connect: { ca: certs.ca.certPem } });
    return {
      dialer,
      omni,
      omniListening,
      ids,
      caPem: certs.ca.certPem,
      async login(username) {
        const password = username === 'supervisor' ? PASSWORDS.supervisor : PASSWORDS.agents;
        const res = await fetch(`${omniListening.url}/api/v1/sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ organization: ORG, username, password }),
          dispatcher: anon,
        });
        const text = await res.text();
        if (res.status !== 201) throw new Error(`bench: login of ${username} failed: ${text}`);
        return { token: (JSON.parse(text) as { token: string }).token };
      },
      async close() {
        await anon.close();
        await omniListening.close();
        await omni.close();
        await dialer.close();
      },
    };
  } catch (e) {
    await dialer.close();
    throw e;
  }
}

async function startPair(mode: DialerMode, windowSeconds: number): Promise<Pair> {
  if (mode === 'worker') return startWorkerPair(windowSeconds);
  const t = await startTestPair({ clock: new RealClock(), windowSeconds });
  return {
    dialer: inProcessDialer(t.dialer.sim, ORG, t.dialer.listening.url, t.dialer.key),
    omni: t.omni,
    omniListening: t.omniListening,
    ids: t.ids,
    caPem: t.dialer.certs.ca.certPem,
    login: (username) => t.login(username),
    close: () => t.close(),
  };
}

const count = (p: Pair, sql: string, ...args: unknown[]) => (p.omni.db.prepare(sql).get(...args) as { n: number }).n;
/** Attendances of the organization in a state (through the (org_id, state) index). */
const inState = (p: Pair, state: 'in_progress' | 'wrap_up') =>
  count(p, 'SELECT COUNT(*) AS n FROM attendances WHERE org_id = ? AND state = ?', ORG, state);

/** The Omni side caught up with the dialer's event stream and has nothing due in the outbox. */
async function caughtUp(p: Pair): Promise<boolean> {
  const lastId = await p.dialer.lastEventId();
  return (
    p.omni.consumer.cursor(ORG) >= lastId && count(p, "SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'") === 0
  );
}

function setWindow(p: Pair, windowSeconds: number): void {
  p.omni.config.organizations.setTabulation(ORG, { autoTabulation: true, windowSeconds, autoTagCode: 'SEM_TABULACAO' });
}

/**
 * Creates `n` agents on both sides: dialer agents, and Omni users with Utilizar discador (their dialer user and
 * password). With `login`, each logs into Omni (which logs them into the dialer) and asks to be available; otherwise
 * they are logged in and made available at the dialer directly (Omni maps them by their configured dialer user).
 */
async function addAgents(
  p: Pair,
  prefix: string,
  n: number,
  opts: { login: boolean; loginConcurrency: number },
): Promise<string[]> {
  const users = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  const dialerPassword = (u: string) => `pw-${u}`;
  const credentials = users.map((u) => ({ dialerUser: u, password: dialerPassword(u) }));
  await p.dialer.createAgents(credentials);
  const serviceIds = [p.ids.services.campaign.id, p.ids.services.agv.id];
  const omniUsers = p.omni.config.users;
  const password = opts.login ? await omniUsers.hash(PASSWORDS.agents) : undefined;
  p.omni.config.transaction(() => {
    for (const u of users)
      omniUsers.insert(
        ORG,
        omniUsers.prepareWith(
          {
            username: u,
            name: u,
            role: 'agent',
            useDialer: true,
            dialerUser: u,
            dialerPassword: dialerPassword(u),
            slots: 1,
            serviceIds,
          },
          password,
          { allowMissingSecrets: !opts.login },
        ),
      );
  });
  if (opts.login) {
    await pool(n, opts.loginConcurrency, async (i) => {
      const r = await p.omni.lifecycle.login({ organization: ORG, username: users[i]!, password: PASSWORDS.agents });
      if (r.dialer.status !== 'connected')
        throw new Error(`bench: dialer login of ${users[i]} failed: ${r.dialer.reason}`);
      p.omni.lifecycle.available(r.token);
    });
  } else await p.dialer.loginAvailable(credentials);
  await waitUntil(
    async () => `${n} agents available at the dialer (${await p.dialer.countAvailable()})`,
    async () => (await p.dialer.countAvailable()) >= n,
    60_000,
  );
  return users;
}

/** Offers one call to each agent (all available) and waits until Omni has them all as attendances in progress. */
async function callEveryAgent(p: Pair, users: string[], leads: Lead[]): Promise<void> {
  const before = inState(p, 'in_progress');
  await p.dialer.scripted(users.map((u, i) => ({ lead: leads[i % leads.length]!, dialerUser: u })));
  await waitForInProgress(p, before + users.length);
}

async function waitForInProgress(p: Pair, n: number): Promise<void> {
  const inProgress = () => inState(p, 'in_progress');
  await waitUntil(
    () => `${n} attendances in progress at Omni (${inProgress()})`,
    async () => inProgress() >= n && (await caughtUp(p)),
    120_000,
  );
}

/** Calls waiting at the dialer for the next free agent (nobody is free now, so they all wait). */
function queueWaitingCalls(p: Pair, n: number, leads: Lead[]): Promise<void> {
  return p.dialer.scripted(Array.from({ length: n }, (_, i) => ({ lead: leads[i % leads.length]! })));
}

/** The calls Omni has in progress (one per agent), oldest first. */
function callsInProgress(p: Pair): string[] {
  return (
    p.omni.db
      .prepare("SELECT call_id FROM attendances WHERE org_id = ? AND state = 'in_progress' ORDER BY created_at, rowid")
      .all(ORG) as { call_id: string }[]
  ).map((r) => r.call_id);
}

type MeasuredRow = {
  id: string;
  call_id: string;
  ended_at: number | null;
  finalized_at: number | null;
  finalized_by: string | null;
  slot_freed_at: number | null;
  next_offer_at: number | null;
};

function rowsOf(p: Pair, callIds: string[]): MeasuredRow[] {
  return p.omni.db
    .prepare(
      `SELECT id, call_id, ended_at, finalized_at, finalized_by, slot_freed_at, next_offer_at FROM attendances
       WHERE call_id IN (SELECT value FROM json_each(?))`,
    )
    .all(JSON.stringify(callIds)) as MeasuredRow[];
}

/** When the dialer recorded each call's disposition (its own column, stamped by the same real clock). */
async function dispositionTimes(p: Pair, callIds: string[]): Promise<Map<string, number>> {
  return new Map(await p.dialer.dispositionTimes(callIds));
}

function summarize(
  finalizer: SlotReleaseRun['finalizer'],
  targetRate: number,
  rows: MeasuredRow[],
  disposedAt: Map<string, number>,
  extra: { finalizeRequests: SlotReleaseRun['finalizeRequests']; windowMs: number | null; busy: UtilizationSampler },
): SlotReleaseRun {
  const finalized = rows.filter((r) => r.finalized_at !== null && r.finalized_by === finalizer);
  const disposed = finalized.filter((r) => disposedAt.has(r.call_id));
  const stamps = finalized.map((r) => r.finalized_at!);
  const spanMs = stamps.length > 1 ? Math.max(...stamps) - Math.min(...stamps) : 0;
  const offered = finalized.filter((r) => r.next_offer_at !== null);
  const lastOffer = Math.max(...offered.map((r) => r.next_offer_at!), ...stamps);
  const freed = finalized.filter((r) => r.slot_freed_at !== null);
  return {
    finalizer,
    targetRate,
    achievedRate: spanMs > 0 ? round(((finalized.length - 1) * 1000) / spanMs, 1) : 0,
    finalizations: finalized.length,
    toNextOffer: distribution(offered.map((r) => r.next_offer_at! - r.finalized_at!)),
    toDialerDisposition: distribution(disposed.map((r) => disposedAt.get(r.call_id)! - r.finalized_at!)),
    toSlotFreed: distribution(freed.map((r) => r.slot_freed_at! - r.finalized_at!)),
    missingOffers: finalized.length - offered.length,
    finalizeRequests: extra.finalizeRequests,
    eventLoopUtilization: stamps.length
      ? extra.busy.between(Math.min(...stamps), lastOffer)
      : { omni: 0, dialer: null },
    firingError:
      extra.windowMs === null
        ? null
        : distribution(
            finalized.filter((r) => r.ended_at !== null).map((r) => r.finalized_at! - (r.ended_at! + extra.windowMs!)),
          ),
  };
}

/** Waits until every call's attendance is finalized and its agent's next offer reached Omni. */
async function waitForNextOffers(p: Pair, callIds: string[], timeoutMs: number): Promise<void> {
  // Counted in SQL (no rows materialized): this poll runs on the thread being measured.
  const ids = JSON.stringify(callIds);
  const pending = () =>
    count(
      p,
      `SELECT COUNT(*) AS n FROM attendances WHERE call_id IN (SELECT value FROM json_each(?))
       AND (finalized_at IS NULL OR next_offer_at IS NULL)`,
      ids,
    );
  await waitUntil(
    () => `${pending()} of ${callIds.length} finalizations and next offers`,
    () => pending() === 0,
    timeoutMs,
    100,
  ).catch(() => {}); // what did not arrive is counted as missing
  await waitUntil(
    () => 'the two sides to settle',
    () => caughtUp(p),
    30_000,
  );
}

/** Supervisor: every agent is in wrap-up; their attendances are finalized over HTTPS at `rate`. */
async function supervisorRun(
  p: Pair,
  rate: number,
  leads: Lead[],
  supervisorToken: string,
  busy: UtilizationSampler,
): Promise<SlotReleaseRun> {
  setWindow(p, SUPERVISOR_WINDOW_S);
  const calls = callsInProgress(p);
  await queueWaitingCalls(p, calls.length, leads);
  await p.dialer.hangup(calls);
  const inWrapUp = () => inState(p, 'wrap_up');
  await waitUntil(
    () => `${calls.length} attendances in wrap-up (${inWrapUp()})`,
    async () => inWrapUp() >= calls.length && (await caughtUp(p)),
    120_000,
  );
  const ids = rowsOf(p, calls).map((r) => r.id);

  // The supervisor's requests come from their own thread in `worker` mode (like browsers on other machines), so
  // the client's TLS and HTTP work does not run on the loop being measured; on this thread in `in-process` mode.
  const load = { url: p.omniListening.url, caPem: p.caPem, token: supervisorToken, ids, rate };
  const { latencies, errors } = p.dialer.mode === 'worker' ? await finalizeInWorker(load) : await finalizeAtRate(load);
  await waitForNextOffers(p, calls, 30_000);
  return summarize('supervisor', rate, rowsOf(p, calls), await dispositionTimes(p, calls), {
    finalizeRequests: { ...distribution(latencies), errors },
    windowMs: null,
    busy,
  });
}

/** Auto-tabulation: the calls end at `rate`, so the wrap-up windows run out at `rate`, AUTO_WINDOW_S later. */
async function autoRun(p: Pair, rate: number, leads: Lead[], busy: UtilizationSampler): Promise<SlotReleaseRun> {
  setWindow(p, AUTO_WINDOW_S);
  const calls = callsInProgress(p);
  await queueWaitingCalls(p, calls.length, leads);
  // The dialer paces the call ends itself (in its own thread in `worker` mode).
  await p.dialer.hangup(calls, rate);
  await waitForNextOffers(p, calls, AUTO_WINDOW_S * 1000 + 30_000);
  return summarize('auto', rate, rowsOf(p, calls), await dispositionTimes(p, calls), {
    finalizeRequests: null,
    windowMs: AUTO_WINDOW_S * 1000,
    busy,
  });
}

async function benchSlotRelease(
  mode: DialerMode,
  agents: number,
  rates: number[],
  loginConcurrency: number,
  progress: (line: string) => void,
): Promise<IntegrationBenchResult['slotRelease']> {
  const p = await startPair(mode, SUPERVISOR_WINDOW_S);
  try {
    const leads = generateMailing({ size: Math.min(agents, 5000), seed: 'bench-integration', customFields: [] });
    const t0 = performance.now();
    const users = await addAgents(p, 'bench-agent', agents, { login: true, loginConcurrency });
    const setupMs = round(performance.now() - t0, 1);
    progress(`slot release: ${agents} agents logged in and available in ${setupMs.toFixed(0)} ms`);
    await callEveryAgent(p, users, leads);
    const { token } = await p.login('supervisor');
    const runs: SlotReleaseRun[] = [];
    const busy = new UtilizationSampler(p.dialer.eventLoopUtilization);
    try {
      for (const finalizer of ['supervisor', 'auto'] as const)
        for (const rate of rates) {
          progress(`slot release: ${finalizer} finalizations at ${rate}/s (${agents} agents)`);
          const run = await profiled(`${finalizer}-${rate}`, () =>
            finalizer === 'supervisor' ? supervisorRun(p, rate, leads, token, busy) : autoRun(p, rate, leads, busy),
          );
          progress(
            `  → next offer p50 ${run.toNextOffer.p50Ms} ms, p99 ${run.toNextOffer.p99Ms} ms, max ${run.toNextOffer.maxMs} ms`,
          );
          runs.push(run);
          // The agents are on their next calls now (in progress): the next run ends those.
          await waitForInProgress(p, agents);
        }
    } finally {
      busy.stop();
    }
    return { agents, setupMs, runs };
  } finally {
    await p.close();
  }
}

/** `wrapUps` agents (dialer agents, mapped to Omni users) each end a call; their windows run out over `spreadMs`. */
async function benchFiring(
  mode: DialerMode,
  wrapUps: number,
  spreadMs: number,
  progress: (line: string) => void,
): Promise<NonNullable<IntegrationBenchResult['firing']>> {
  // Long enough that every call has ended (and Omni has read it) before the first deadline: all in wrap-up at once.
  const windowSeconds = Math.max(AUTO_WINDOW_S, Math.ceil(spreadMs / 1000) + 5);
  const p = await startPair(mode, windowSeconds);
  try {
    const t0 = performance.now();
    const leads = generateMailing({ size: Math.min(wrapUps, 5000), seed: 'bench-firing', customFields: [] });
    const users = await addAgents(p, 'bench-wrap', wrapUps, { login: false, loginConcurrency: 1 });
    await callEveryAgent(p, users, leads);
    const setupMs = round(performance.now() - t0, 1);
    progress(`firing: ${wrapUps} calls in progress in ${setupMs.toFixed(0)} ms; ending them over ${spreadMs} ms`);
    const calls = callsInProgress(p);
    await p.dialer.hangup(calls, (calls.length * 1000) / spreadMs);
    progress(`firing: calls ended; waiting for the deadlines (window ${windowSeconds} s)`);
    // Done when Omni has read every call's end and no wrap-up is left (the users have no other calls).
    const open = () => inState(p, 'in_progress') + inState(p, 'wrap_up');
    await waitUntil(
      () => `${wrapUps} auto-finalizations (${open()} attendances still open)`,
      () => open() === 0,
      windowSeconds * 1000 + spreadMs + 60_000,
      100,
    ).catch((e: unknown) => progress(String(e)));
    // The dispositions are not waited for: with thousands pending the outbox takes long to drain (see the README).
    const outbox = p.omni.db.prepare('SELECT status, COUNT(*) AS n FROM outbox WHERE kind = ? GROUP BY status');
    const byStatus = new Map(
      (outbox.all('calls.disposition') as { status: string; n: number }[]).map((r) => [r.status, r.n]),
    );
    const rows = rowsOf(p, calls).filter((r) => r.finalized_by === 'auto' && r.ended_at !== null);
    const errors = rows.map((r) => r.finalized_at! - (r.ended_at! + windowSeconds * 1000));
    // Most wrap-ups open at once: a sweep over their [ended_at, finalized_at) intervals.
    const edges = rows
      .flatMap((r) => [
        [r.ended_at!, 1],
        [r.finalized_at!, -1],
      ])
      .sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
    let concurrent = 0;
    let maxConcurrentWrapUps = 0;
    for (const [, d] of edges) {
      concurrent += d!;
      maxConcurrentWrapUps = Math.max(maxConcurrentWrapUps, concurrent);
    }
    return {
      wrapUps,
      spreadMs,
      windowSeconds,
      setupMs,
      fired: rows.length,
      maxConcurrentWrapUps,
      error: { ...distribution(errors), minMs: errors.length ? Math.min(...errors) : 0 },
      dispositionsWhenFired: {
        sent: byStatus.get('sent') ?? 0,
        pending: byStatus.get('pending') ?? 0,
        failed: byStatus.get('failed') ?? 0,
      },
    };
  } finally {
    await p.close();
  }
}

/** DS_BENCH_DIALER=in-process|worker (the CLI's --dialer-in-process sets it per run); default `worker`. */
function dialerModeFromEnv(): DialerMode {
  const v = process.env.DS_BENCH_DIALER?.trim();
  if (v === undefined || v === '' || v === 'worker') return 'worker';
  if (v === 'in-process') return 'in-process';
  throw new Error(`DS_BENCH_DIALER must be 'worker' or 'in-process', not '${v}'`);
}

export async function benchIntegration(opts: IntegrationBenchOptions = {}): Promise<IntegrationBenchResult> {
  const agents = opts.agents ?? 1000;
  const rates = opts.rates ?? [100, 500];
  const wrapUps = opts.wrapUps ?? 10_000;
  const spreadMs = opts.wrapUpSpreadMs ?? 3000;
  const progress = opts.progress ?? (() => {});
  const mode = opts.dialer ?? dialerModeFromEnv();
  const at = new Date().toISOString();

  progress(`dialer: ${DIALER_DESCRIPTIONS[mode]}`);
  const slotRelease = await benchSlotRelease(mode, agents, rates, opts.loginConcurrency ?? 16, progress);
  const firing = wrapUps > 0 ? await benchFiring(mode, wrapUps, spreadMs, progress) : null;
  return {
    machine: machine(),
    at,
    dialer: { mode, description: DIALER_DESCRIPTIONS[mode] },
    targets: {
      slotReleaseP99Ms: TARGET_SLOT_P99_MS,
      firingErrorP99Ms: TARGET_FIRING_P99_MS,
      slotReleaseMet: slotRelease.runs.every((r) => r.missingOffers === 0 && r.toNextOffer.p99Ms <= TARGET_SLOT_P99_MS),
      firingErrorMet: firing ? firing.fired === wrapUps && firing.error.p99Ms <= TARGET_FIRING_P99_MS : null,
    },
    slotRelease,
    firing,
  };
}

/** A table for people. */
export function formatIntegrationBench(r: IntegrationBenchResult): string {
  const m = r.machine;
  const ms = (n: number) => n.toFixed(1).padStart(8);
  const met = (ok: boolean | null) => (ok === null ? 'skipped' : ok ? 'met' : 'NOT met');
  const lines = [
    `Omni integration benchmark (slot release, auto-tabulation), ${r.at}`,
    describeMachine(m),
    `dialer: ${r.dialer.mode} — ${r.dialer.description}; real clock, HTTPS both ways`,
    '',
    `slot release, ${r.slotRelease.agents} agents logged in (setup ${(r.slotRelease.setupMs / 1000).toFixed(1)} s), ms ` +
      'from the finalization to: the next call offered (Omni knows), the dialer has the disposition, Omni knows ' +
      'the agent is free',
    `${'finalizer'.padEnd(10)} ${'rate/s'.padStart(6)} ${'done/s'.padStart(6)} ${'count'.padStart(5)} ${'missing'.padStart(7)}` +
      ` │ ${'offer p50'.padStart(9)} ${'p99'.padStart(8)} ${'max'.padStart(8)} │ ${'disp p99'.padStart(8)}` +
      ` │ ${'free p99'.padStart(8)} │ ${'http p99'.padStart(8)} │ ${'fire p99'.padStart(8)} │ ${'busy omni/dialer'}`,
  ];
  const opt = (d: Distribution | null) => (d ? ms(d.p99Ms) : '       -');
  for (const run of r.slotRelease.runs)
    lines.push(
      [
        run.finalizer.padEnd(10),
        String(run.targetRate).padStart(6),
        run.achievedRate.toFixed(0).padStart(6),
        String(run.finalizations).padStart(5),
        String(run.missingOffers).padStart(7),
        '│',
        run.toNextOffer.p50Ms.toFixed(1).padStart(9),
        ms(run.toNextOffer.p99Ms),
        ms(run.toNextOffer.maxMs),
        '│',
        ms(run.toDialerDisposition.p99Ms),
        '│',
        ms(run.toSlotFreed.p99Ms),
        '│',
        opt(run.finalizeRequests),
        '│',
        opt(run.firingError),
        '│',
        `${run.eventLoopUtilization.omni.toFixed(2)} / ${run.eventLoopUtilization.dialer?.toFixed(2) ?? '-'}`.padStart(
          16,
        ),
      ].join(' '),
    );
  lines.push(
    `target: next-offer p99 ≤ ${r.targets.slotReleaseP99Ms} ms at every rate — ${met(r.targets.slotReleaseMet)}`,
  );
  const f = r.firing;
  if (f) {
    lines.push(
      '',
      `auto-tabulation firing: ${f.fired}/${f.wrapUps} wrap-ups (at most ${f.maxConcurrentWrapUps} at once), ` +
        `deadlines over ${f.spreadMs} ms, window ${f.windowSeconds} s (setup ${(f.setupMs / 1000).toFixed(1)} s)`,
      `  firing error (finalized_at − deadline): p50 ${f.error.p50Ms} ms, p99 ${f.error.p99Ms} ms, max ${f.error.maxMs} ms` +
        ` (min ${f.error.minMs})`,
      `  dispositions when the last deadline fired: ${f.dispositionsWhenFired.sent} delivered, ` +
        `${f.dispositionsWhenFired.pending} waiting in the outbox, ${f.dispositionsWhenFired.failed} failed`,
    );
  }
  lines.push(
    `target: firing error p99 ≤ ${r.targets.firingErrorP99Ms} ms with ${f?.wrapUps ?? 0} wrap-ups — ${met(r.targets.firingErrorMet)}`,
  );
  return lines.join('\n');
}
