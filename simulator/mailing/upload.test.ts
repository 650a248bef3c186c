import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../../contract/campaigns.ts';
import { HttpsClient } from '../../core/https-client.ts';
import { startTestSimulator, type TestSimulator } from '../../harness/simulator.ts';
import { mailingToCsv } from './csv.ts';
import { generateMailing } from './generate.ts';

/**
 * The mailing upload, generation and export over real HTTPS, with the server in this process: what its event loop
 * does while a large mailing goes through is what other clients of the dialer feel.
 */
let t: TestSimulator;
/** For the large requests: a 100 000-lead answer can take longer than the default 10 s on a busy machine. */
let patient: HttpsClient;
beforeAll(async () => {
  t = await startTestSimulator();
  patient = new HttpsClient({
    baseUrl: t.listening.url,
    ca: t.certs.ca.certPem,
    headers: { 'x-dialer-key': t.key },
    timeoutMs: 150_000,
  });
});
afterAll(async () => {
  await patient.close();
  await t.close();
});

const newCampaign = async (name: string) =>
  (await t.api.request<Campaign>('POST', '/api/v1/campaigns', { json: { name } })).body;

/** POSTs a body that is a stream the test controls, as a slow or large upload arrives. */
function upload(campaignId: string, body: ReadableStream<Uint8Array>) {
  return fetch(t.api.url(`/api/v1/campaigns/${campaignId}/mailing`), {
    method: 'POST',
    headers: { 'x-dialer-key': t.key, 'content-type': 'text/csv' },
    body,
    duplex: 'half',
    dispatcher: patient.dispatcher,
  });
}

/**
 * Runs `work` while a client asks GET /campaigns every 20 ms; the slowest of those answers and the longest the event
 * loop was blocked meanwhile.
 */
async function whileServing<T>(
  work: () => Promise<T>,
): Promise<{ result: T; slowestGetMs: number; maxDelayMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let done = false;
  let slowestGetMs = 0;
  const probe = (async () => {
    while (!done) {
      const started = performance.now();
      const res = await t.api.request('GET', '/api/v1/campaigns');
      expect(res.status).toBe(200);
      slowestGetMs = Math.max(slowestGetMs, performance.now() - started);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    const result = await work();
    return { result, slowestGetMs, maxDelayMs: delay.max / 1e6 };
  } finally {
    done = true;
    await probe;
    delay.disable();
  }
}

// Generous: a full mailing used to block the dialer for seconds (17.5 s for 10 MB with a bad header); batches keep
// each block to tens of ms, plus the single insert that makes the import all or nothing.
const BLOCKED_AT_MOST_MS = 1000;

describe('large mailings keep the dialer answering', () => {
  it('a bad header is answered at once, while the client is still sending the file', async () => {
    const campaign = await newCampaign('Cabeçalho ruim');
    let sendRest: () => void = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        // a first chunk as a client sends it (past the 4 KB the request journal keeps); the rest of a 10 MB file
        // would follow, and never needs to
        const rows = 'Ana;11 98765-4321;Santos\n'.repeat(4000);
        controller.enqueue(new TextEncoder().encode(`nome;telefone;cidade\n${rows}`));
        sendRest = () => controller.close();
      },
    });
    const started = performance.now();
    const res = await upload(campaign.id, body);
    const elapsed = performance.now() - started;
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      error: {
        code: 'MAILING_INVALID',
        details: {
          errors: [
            { line: 1, field: 'cpf' },
            { line: 1, field: 'email' },
            { line: 1, field: 'state' },
          ],
          errorCount: 3,
        },
      },
    });
    expect(elapsed).toBeLessThan(5000);
    sendRest();
  });

  it('other requests are served while a 100 000-lead file imports, and all of it is imported', async () => {
    const campaign = await newCampaign('Grande');
    const csv = new TextEncoder().encode(mailingToCsv(generateMailing({ size: 100_000, seed: 'big' })));
    const { result, slowestGetMs, maxDelayMs } = await whileServing(async () => {
      let offset = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (offset >= csv.length) return controller.close();
          controller.enqueue(csv.subarray(offset, offset + 64 * 1024));
          offset += 64 * 1024;
        },
      });
      const res = await upload(campaign.id, body);
      return { status: res.status, body: (await res.json()) as { added: number } };
    });
    expect(result).toMatchObject({ status: 201, body: { added: 100_000 } });
    expect(slowestGetMs).toBeLessThan(BLOCKED_AT_MOST_MS);
    expect(maxDelayMs).toBeLessThan(BLOCKED_AT_MOST_MS);
  }, 180_000);

  it('other requests are served while 100 000 leads are generated, and the export streams them back', async () => {
    const campaign = await newCampaign('Gerada');
    const { result, slowestGetMs, maxDelayMs } = await whileServing(() =>
      patient.request<{ added: number }>('POST', `/api/v1/campaigns/${campaign.id}/mailing/generate`, {
        json: { size: 100_000, seed: 'gerada' },
      }),
    );
    expect(result.status).toBe(201);
    expect(result.body.added).toBe(100_000);
    expect(slowestGetMs).toBeLessThan(BLOCKED_AT_MOST_MS);
    expect(maxDelayMs).toBeLessThan(BLOCKED_AT_MOST_MS);

    const exported = await whileServing(
      async () => (await patient.request('GET', `/api/v1/campaigns/${campaign.id}/mailing`)).text,
    );
    expect(exported.result).toBe(mailingToCsv(generateMailing({ size: 100_000, seed: 'gerada' })));
    expect(exported.maxDelayMs).toBeLessThan(BLOCKED_AT_MOST_MS);
  }, 180_000);
});
