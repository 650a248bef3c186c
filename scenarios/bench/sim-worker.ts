import { parentPort, workerData } from 'node:worker_threads';
import { RealClock } from '../../core/clock.ts';
import { SecretBox } from '../../core/secrets.ts';
import { serveHttps } from '../../core/serve.ts';
import { ADMIN_TOKEN, TEST_AGENTS } from '../../harness/simulator.ts';
import { createSimulator } from '../../simulator/server.ts';
import { type DialerOpName, dialerOps } from './dialer-ops.ts';

/**
 * The dialer simulator in its own thread, for the integration benchmark (started by `dialer-side.ts` through
 * `tsx-worker.mjs`, which registers tsx): the same organization as `startTestSimulator` ('acme' with ana, bia, caio
 * and two AGVs), an in-memory database, the real clock, HTTPS on an ephemeral port of 127.0.0.1 with the
 * certificates it is given. It answers `DialerOps` requests from its parent: `{ id, op, args }` → `{ id, ok, value }`
 * or `{ id, ok: false, error }`; `close` stops it.
 */
export type SimWorkerData = {
  entry: string;
  orgId: string;
  tls: { caCertPem: string; certPem: string; keyPem: string };
};
export type SimWorkerReady = { ready: { url: string; key: string } };
export type SimWorkerRequest = { id: number; op: DialerOpName | 'close'; args: unknown[] };
export type SimWorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

const data = workerData as SimWorkerData;
const port = parentPort;
if (!port) throw new Error('sim-worker: must run as a worker thread');

const sim = createSimulator({
  database: ':memory:',
  clock: new RealClock(),
  secrets: SecretBox.ephemeral(),
  adminToken: ADMIN_TOKEN,
});
const { key } = sim.orgs.create({
  id: data.orgId,
  name: 'ACME Cobranças',
  agents: TEST_AGENTS,
  agvs: [
    { extension: '7001', name: 'URA', behaviour: { action: 'transfer', holdSeconds: 10 } },
    { extension: '7002', name: 'URA Desliga', behaviour: { action: 'hangup', holdSeconds: 5 } },
  ],
});
sim.start();
const listening = await serveHttps(sim.app.fetch, {
  port: 0,
  host: '127.0.0.1',
  tls: { key: data.tls.keyPem, cert: data.tls.certPem, ca: data.tls.caCertPem },
});
const ops = dialerOps(sim, data.orgId);

port.on('message', async (m: SimWorkerRequest) => {
  try {
    if (m.op === 'close') {
      await listening.close();
      sim.close();
      port.postMessage({ id: m.id, ok: true, value: null } satisfies SimWorkerReply);
      port.close();
      return;
    }
    const fn = ops[m.op] as (...args: unknown[]) => unknown;
    const value = await fn(...m.args);
    port.postMessage({ id: m.id, ok: true, value } satisfies SimWorkerReply);
  } catch (e) {
    port.postMessage({ id: m.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
port.postMessage({ ready: { url: listening.url, key } } satisfies SimWorkerReady);
