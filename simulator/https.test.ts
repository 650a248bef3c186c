import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpsClient } from '../core/https-client.ts';
import { startTestSimulator, type TestSimulator } from '../harness/simulator.ts';
import { issueClientCertificate, writeBrokenCertificates } from './certs/index.ts';

describe('HTTPS with the simulator’s own CA', () => {
  let t: TestSimulator;
  beforeAll(async () => {
    t = await startTestSimulator();
  });
  afterAll(() => t.close());

  it('a client that trusts only the generated CA completes the round trip', async () => {
    const res = await t.api.request('GET', '/api/v1/organization');
    expect(res.status).toBe(200);
  });

  it('a client that trusts another CA refuses the dialer’s certificate', async () => {
    const other = join(mkdtempSync(join(tmpdir(), 'dsh-other-')), 'c');
    await writeBrokenCertificates(other);
    const otherCa = readFileSync(join(other, 'broken', 'other-ca-ca.crt'));
    const client = new HttpsClient({ baseUrl: t.listening.url, ca: otherCa, headers: { 'x-dialer-key': t.key } });
    await expect(client.request('GET', '/api/v1/organization')).rejects.toThrow();
    await client.close();
  });
});

describe('mutual TLS', () => {
  let t: TestSimulator;
  let dir: string;
  beforeAll(async () => {
    t = await startTestSimulator({ mtls: true });
    dir = t.certs.dir;
  });
  afterAll(() => t.close());

  it('refuses a client without a certificate', async () => {
    await expect(t.api.request('GET', '/api/v1/organization')).rejects.toThrow();
  });

  it('refuses a client certificate signed by another CA', async () => {
    await writeBrokenCertificates(dir);
    const client = new HttpsClient({
      baseUrl: t.listening.url,
      ca: t.certs.ca.certPem,
      cert: readFileSync(join(dir, 'broken', 'other-ca.crt')),
      key: readFileSync(join(dir, 'broken', 'other-ca.key')),
      headers: { 'x-dialer-key': t.key },
    });
    await expect(client.request('GET', '/api/v1/organization')).rejects.toThrow();
    await client.close();
  });

  it('accepts a client certificate issued by the CA', async () => {
    const omni = await issueClientCertificate(dir, `omni-${process.pid}`, { force: true });
    const client = new HttpsClient({
      baseUrl: t.listening.url,
      ca: t.certs.ca.certPem,
      cert: omni.certPem,
      key: omni.keyPem,
      headers: { 'x-dialer-key': t.key },
    });
    expect((await client.request('GET', '/api/v1/organization')).status).toBe(200);
    await client.close();
  });
});
