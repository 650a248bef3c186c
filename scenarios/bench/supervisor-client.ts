import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Agent } from 'undici';
import { paced } from './dialer-ops.ts';

/**
 * The supervisor of the slot-release benchmark: finalizes attendances over HTTPS (`POST
 * /api/v1/monitoring/attendances/{id}/finalize`) at a paced rate, open loop (the next request does not wait for the
 * previous answer), through at most `connections` keep-alive connections opened before the measurement, like a few
 * supervisors' browsers. `finalizeInWorker` runs it in its own worker thread, so the load client's TLS and HTTP work
 * does not share the event loop of the Omni side it measures (in production the browsers are other machines).
 */
export type FinalizeLoad = {
  /** Omni's base URL. */
  url: string;
  /** The CA Omni's server certificate chains to. */
  caPem: string;
  /** The supervisor's session token. */
  token: string;
  /** Attendance ids, finalized in this order. */
  ids: string[];
  /** Finalizations per second. */
  rate: number;
  connections?: number;
};

/** Each request's latency as the client saw it (queueing in the open loop included); errors = answers not 200. */
export type FinalizeResult = { latencies: number[]; errors: number };

export async function finalizeAtRate(load: FinalizeLoad): Promise<FinalizeResult> {
  const connections = load.connections ?? 32;
  const dispatcher = new Agent({ connect: { ca: load.caPem }, connections });
  const origin = new URL(load.url).origin;
  const headers = { authorization: `Bearer ${load.token}`, 'content-type': 'application/json' };
  try {
    // Open the connections (TLS handshakes) before the measurement.
    await Promise.all(
      Array.from({ length: connections * 2 }, async () => {
        const res = await dispatcher.request({ origin, path: '/healthz', method: 'GET' });
        await res.body.dump();
      }),
    );
    const latencies: number[] = [];
    let errors = 0;
    const inFlight: Promise<void>[] = [];
    await paced(load.ids.length, load.rate, (i) => {
      const t0 = performance.now();
      inFlight.push(
        // undici's request API (not fetch): a lean client, so it takes little CPU from the threads it measures.
        dispatcher
          .request({
            origin,
            path: `/api/v1/monitoring/attendances/${load.ids[i]}/finalize`,
            method: 'POST',
            headers,
            body: JSON.stringify({ tagCode: 'VENDA', notes: 'bench' }),
          })
          .then(async (res) => {
            await res.body.dump();
            if (res.statusCode !== 200) errors++;
          })
          .catch(() => {
            errors++;
          })
          .finally(() => latencies.push(performance.now() - t0)),
      );
    });
    await Promise.all(inFlight);
    return { latencies, errors };
  } finally {
    await dispatcher.close();
  }
}

type WorkerMessage = { ok: true; result: FinalizeResult } | { ok: false; error: string };

/** `finalizeAtRate` in a worker thread of its own; resolves with its result when it is done. */
export async function finalizeInWorker(load: FinalizeLoad): Promise<FinalizeResult> {
  const worker = new Worker(new URL('./tsx-worker.mjs', import.meta.url), {
    workerData: { entry: import.meta.url, load },
  });
  try {
    const [m] = (await once(worker, 'message')) as [WorkerMessage];
    if (!m.ok) throw new Error(`supervisor client: ${m.error}`);
    return m.result;
  } finally {
    await worker.terminate();
  }
}

// Run as that worker: finalize, report, done.
if (!isMainThread && parentPort && (workerData as { load?: FinalizeLoad } | null)?.load) {
  const port = parentPort;
  finalizeAtRate((workerData as { load: FinalizeLoad }).load).then(
    (result) => port.postMessage({ ok: true, result } satisfies WorkerMessage),
    (e: unknown) =>
      port.postMessage({
        ok: false,
        error: e instanceof Error ? (e.stack ?? e.message) : String(e),
      } satisfies WorkerMessage),
  );
}
