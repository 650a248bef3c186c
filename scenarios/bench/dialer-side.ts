import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { CertificateSet } from '../../simulator/certs/index.ts';
import type { Simulator } from '../../simulator/server.ts';
import { type DialerOpName, type DialerOps, dialerOps } from './dialer-ops.ts';
import type { SimWorkerData, SimWorkerReady, SimWorkerReply, SimWorkerRequest } from './sim-worker.ts';

/**
 * Where the integration benchmark runs the dialer simulator:
 * - `worker` (the default): in its own worker thread (`sim-worker.ts`), with its own event loop, so its HTTPS server,
 *   TLS and SQLite work do not run on the thread that runs the Omni side (in production they are separate services);
 * - `in-process`: on the benchmark's own thread, next to the Omni side (`startTestPair`), as before.
 */
export type DialerMode = 'worker' | 'in-process';

/** The dialer operations of `dialer-ops.ts`, asynchronous (they are messages to the worker in `worker` mode). */
export type BenchDialer = {
  [K in DialerOpName]: (...args: Parameters<DialerOps[K]>) => Promise<Awaited<ReturnType<DialerOps[K]>>>;
} & {
  mode: DialerMode;
  /** The dialer thread's event-loop utilization (worker mode), as `performance.eventLoopUtilization`. */
  eventLoopUtilization?: Worker['performance']['eventLoopUtilization'];
  url: string;
  key: string;
  close(): Promise<void>;
};

const OP_NAMES: DialerOpName[] = [
  'createAgents',
  'loginAvailable',
  'countAvailable',
  'lastEventId',
  'scripted',
  'hangup',
  'dispositionTimes',
];

/** The simulator of `startTestPair`, on this thread. `close` does nothing: the pair closes it. */
export function inProcessDialer(sim: Simulator, orgId: string, url: string, key: string): BenchDialer {
  const ops = dialerOps(sim, orgId);
  const d: Record<string, unknown> = { mode: 'in-process', url, key, close: async () => {} };
  for (const name of OP_NAMES) {
    const fn = ops[name] as (...args: unknown[]) => unknown;
    d[name] = async (...args: unknown[]) => fn(...args);
  }
  return d as BenchDialer;
}

/** Starts the simulator in a worker thread serving HTTPS with `certs` (its server certificate); resolves when listening. */
export async function startDialerWorker(orgId: string, certs: CertificateSet): Promise<BenchDialer> {
  const workerData: SimWorkerData = {
    entry: new URL('./sim-worker.ts', import.meta.url).href,
    orgId,
    tls: { caCertPem: certs.ca.certPem, certPem: certs.server.certPem, keyPem: certs.server.keyPem },
  };
  const worker = new Worker(new URL('./tsx-worker.mjs', import.meta.url), { workerData });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let failure: Error | undefined;
  let nextId = 1;
  const failAll = (e: Error) => {
    failure ??= e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  const ready = new Promise<SimWorkerReady['ready']>((resolve, reject) => {
    worker.on('message', (m: SimWorkerReady | SimWorkerReply) => {
      if ('ready' in m) return resolve(m.ready);
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(`dialer worker: ${m.error}`));
    });
    worker.on('error', (e) => {
      failAll(e);
      reject(e);
    });
    worker.on('exit', (code) => {
      const e = new Error(`dialer worker exited (code ${code})`);
      failAll(e);
      reject(e);
    });
  });
  const request = (op: SimWorkerRequest['op'], args: unknown[]): Promise<unknown> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, op, args } satisfies SimWorkerRequest);
    });
  };
  let listening: SimWorkerReady['ready'];
  try {
    listening = await ready;
  } catch (e) {
    await worker.terminate();
    throw e;
  }
  const d: Record<string, unknown> = {
    mode: 'worker',
    eventLoopUtilization: worker.performance.eventLoopUtilization.bind(worker.performance),
    url: listening.url,
    key: listening.key,
    async close() {
      if (failure) return;
      const exited = once(worker, 'exit');
      await request('close', []).catch(() => {});
      // It exits by itself once its server and timers are closed; do not wait for stragglers.
      const timeout = setTimeout(() => void worker.terminate(), 2000);
      await exited.catch(() => {});
      clearTimeout(timeout);
    },
  };
  for (const name of OP_NAMES) d[name] = (...args: unknown[]) => request(name, args);
  return d as BenchDialer;
}
