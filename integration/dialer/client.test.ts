import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Call } from '../../contract/calls.ts';
import { type AppError, isAppError } from '../../core/errors.ts';
import { inspectCertificate } from '../../core/x509.ts';
import { type CertificateSet, ensureCertificates, issueCertificate, validityWindow } from '../../harness/certs.ts';
import { testDialerClient } from '../../harness/dialer-client.ts';
import { availableAgent, eventsOf, startTestSimulator, type TestSimulator } from '../../harness/simulator.ts';
import { DialerClient } from './client.ts';
import { DialerClients, type DialerSettings } from './clients.ts';

let t: TestSimulator;
let other: CertificateSet;
beforeAll(async () => {
  t = await startTestSimulator();
  // A second, unrelated dialer installation: its own CA and server certificate.
  other = await ensureCertificates(mkdtempSync(join(tmpdir(), 'dsh-other-certs-')));
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.admin.request('POST', '/__admin/reset', { json: {} });
});

const failure = async (p: Promise<unknown>): Promise<AppError> => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isAppError(e)) throw new Error(`expected an AppError, got ${String(e)}`);
  return e;
};

const organization = async (c: DialerClient) => (await c.call('organization.get', {})).body;

const journalCount = async (path: string) =>
  (await t.admin.request<{ requests: unknown[] }>('GET', `/__admin/requests?path=${encodeURIComponent(path)}`)).body
    .requests.length;

describe('trust: only the uploaded certificate', () => {
  it('pins the dialer’s server certificate (what `start` tells users to upload)', async () => {
    const c = testDialerClient(t);
    expect(c.trust).toMatchObject({ mode: 'pinned', fingerprintSha256: t.certs.server.fingerprintSha256 });
    expect((await organization(c)).id).toBe('acme');
    await c.close();
  });

  it('accepts the pinned certificate in CRLF or bare Base64 form', async () => {
    const crlf = testDialerClient(t, { certificatePem: t.certs.server.certPem.replace(/\n/g, '\r\n') });
    expect((await crlf.call('pauses.list', {}).then((r) => r.body)).map((p) => p.name)).toContain('LOGIN');
    await crlf.close();
  });

  it('trusts a CA certificate as the only authority', async () => {
    const c = testDialerClient(t, { certificatePem: t.certs.ca.certPem });
    expect(c.trust.mode).toBe('ca');
    expect((await organization(c)).id).toBe('acme');
    await c.close();
  });

  it('refuses a dialer presenting another certificate, naming both fingerprints, before sending the key', async () => {
    const before = await journalCount('/api/v1/organization');
    const c = testDialerClient(t, { certificatePem: other.server.certPem });
    const e = await failure(organization(c));
    expect(e.code).toBe('DIALER_CERTIFICATE_MISMATCH');
    expect(e.status).toBe(502);
    expect(e.message).toContain(other.server.fingerprintSha256);
    expect(e.message).toContain(t.certs.server.fingerprintSha256);
    expect(e.message).toMatch(/must upload the dialer’s current certificate/);
    expect(e.details).toMatchObject({
      expectedFingerprint: other.server.fingerprintSha256,
      presentedFingerprint: t.certs.server.fingerprintSha256,
    });
    expect(await journalCount('/api/v1/organization')).toBe(before);
    await c.close();
  });

  it('a pin is exact: another certificate of the same CA is refused', async () => {
    const sibling = await issueCertificate({
      commonName: 'discador-ds.local',
      ca: { certPem: t.certs.ca.certPem, keyPem: t.certs.ca.keyPem },
      validity: validityWindow(Date.now(), 30),
      usage: 'server',
      altNames: [{ type: 'ip', value: '127.0.0.1' }],
    });
    const c = testDialerClient(t, { certificatePem: sibling.certPem });
    const e = await failure(organization(c));
    expect(e.code).toBe('DIALER_CERTIFICATE_MISMATCH');
    expect(e.details?.presentedFingerprint).toBe(t.certs.server.fingerprintSha256);
    await c.close();
  });

  it('refuses a dialer whose certificate another CA signed, when the upload is a CA', async () => {
    const c = testDialerClient(t, { certificatePem: other.ca.certPem });
    const e = await failure(organization(c));
    expect(e.code).toBe('DIALER_CERTIFICATE_MISMATCH');
    expect(e.message).toContain(t.certs.server.fingerprintSha256);
    expect(e.message).toContain(other.ca.fingerprintSha256);
    await c.close();
  });

  it('still enforces the pinned certificate’s validity window', async () => {
    const validTo = Date.parse(inspectCertificate(t.certs.server.certPem).validTo);
    const c = testDialerClient(t, { now: () => validTo + 1_000 });
    const e = await failure(organization(c));
    expect(e.code).toBe('DIALER_CERTIFICATE_EXPIRED');
    expect(e.message).toMatch(/expired/);
    await c.close();
  });

  it('refuses an unreadable certificate or a non-https URL at construction', () => {
    expect(() => testDialerClient(t, { certificatePem: 'not a certificate' })).toThrow(
      expect.objectContaining({ code: 'DIALER_CERTIFICATE_INVALID' }),
    );
    expect(() => testDialerClient(t, { baseUrl: t.listening.url.replace('https:', 'http:') })).toThrow(
      expect.objectContaining({ code: 'DIALER_URL_INVALID' }),
    );
  });
});

describe('errors', () => {
  it('a wrong dialer key gives the dialer’s code, status and message', async () => {
    const c = testDialerClient(t, { dialerKey: 'dsk_wrong-key-0000000000' });
    const e = await failure(organization(c));
    expect(e).toMatchObject({ code: 'DIALER_KEY_INVALID', status: 401 });
    expect(e.details).toMatchObject({ dialerCode: 'DIALER_KEY_INVALID', dialerStatus: 401 });
    await c.close();
  });

  it('wrong agent credentials → the dialer’s code (prefixed DIALER_), status and message', async () => {
    const c = testDialerClient(t);
    const e = await failure(c.call('agents.login', { body: { dialerUser: 'ana', password: 'wrong-password' } }));
    expect(e).toMatchObject({
      code: 'DIALER_AGENT_CREDENTIALS_INVALID',
      status: 401,
      message: 'dialer user or password is wrong',
    });
    expect(e.details).toMatchObject({ dialerCode: 'AGENT_CREDENTIALS_INVALID', dialerUser: 'ana' });
    await c.close();
  });

  it('a closed port → DIALER_UNREACHABLE (503) after the attempts', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const c = testDialerClient(t, { baseUrl: `https://127.0.0.1:${port}` });
    const e = await failure(organization(c));
    expect(e).toMatchObject({ code: 'DIALER_UNREACHABLE', status: 503 });
    expect(e.details).toMatchObject({ cause: 'ECONNREFUSED', attempts: 3 });
    await c.close();
  });

  it('a dialer slower than timeoutMs → DIALER_UNREACHABLE', async () => {
    await t.admin.request('POST', '/__admin/faults', {
      json: {
        match: { path: '/api/v1/organization' },
        fault: { kind: 'latency', distribution: { type: 'fixed', ms: 400 } },
        times: 1,
      },
    });
    const c = testDialerClient(t, { timeoutMs: 100, attempts: 1 });
    const e = await failure(organization(c));
    expect(e.code).toBe('DIALER_UNREACHABLE');
    expect(e.message).toMatch(/no answer within 100 ms/);
    await c.close();
  });

  it('retries 5xx for a GET, never for a POST without Idempotency-Key', async () => {
    await t.admin.request('DELETE', '/__admin/requests');
    await t.admin.request('POST', '/__admin/faults', {
      json: { match: { path: '/api/v1/organization' }, fault: { kind: 'error', status: 503 }, times: 2 },
    });
    const c = testDialerClient(t);
    expect((await organization(c)).id).toBe('acme');
    expect(await journalCount('/api/v1/organization')).toBe(3);

    await t.admin.request('POST', '/__admin/faults', {
      json: { match: { path: '/api/v1/agents/login' }, fault: { kind: 'error', status: 503 }, times: 1 },
    });
    const e = await failure(
      c.call('agents.login', { body: { dialerUser: 'ana', password: 'senha-ana' } }).then((r) => r.body),
    );
    expect(e).toMatchObject({ code: 'DIALER_INJECTED_FAULT', status: 503 });
    expect(await journalCount('/api/v1/agents/login')).toBe(1);
    await c.close();
  });
});

describe('typed methods', () => {
  it('drives an agent and a call through the dialer API', async () => {
    const c = testDialerClient(t);
    const login = await c
      .call('agents.login', { body: { dialerUser: 'ana', password: 'senha-ana' } })
      .then((r) => r.body);
    expect(login.status).toMatchObject({ state: 'paused', pauseName: 'LOGIN' });
    expect((await c.call('agents.available', { params: { dialerUser: 'ana' } })).body.state).toBe('available');
    const call = await t.admin.request<Call>('POST', '/__admin/organizations/acme/calls', {
      json: { dialerUser: 'ana' },
    });
    expect((await c.call('agents.status', { params: { dialerUser: 'ana' } })).body.state).toBe('in_call');
    expect((await c.call('agents.pause', { params: { dialerUser: 'ana' }, body: { idStatus: 2 } })).body).toMatchObject(
      { deferred: true, status: { pendingIdStatus: 2 } },
    );
    expect((await c.call('calls.hangup', { params: { id: call.body.id }, body: { by: 'agent' } })).body.state).toBe(
      'ended',
    );
    const dispose = () =>
      c.call('calls.disposition', {
        params: { id: call.body.id },
        body: { tagCode: 'VENDA', notes: 'ok' },
        idempotencyKey: 'key-1',
      });
    const first = await dispose();
    expect(first.body).toMatchObject({ tagCode: 'VENDA', dialerUser: 'ana' });
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await dispose();
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((await c.call('calls.get', { params: { id: call.body.id } })).body.disposition?.tagCode).toBe('VENDA');
    expect((await c.call('agents.status', { params: { dialerUser: 'ana' } })).body.state).toBe('paused');
    expect((await c.call('agents.unpause', { params: { dialerUser: 'ana' } })).body.state).toBe('available');
    expect((await c.call('agents.logout', { params: { dialerUser: 'ana' } })).body.state).toBe('logged_out');
    expect(eventsOf(t, 'call.disposed')).toHaveLength(1);
    expect((await c.call('events.list', { query: { after: 0, limit: 3 } })).body.events).toHaveLength(3);
    await c.close();
  });

  it('transfers to an AGV and assigns the handed-back call', async () => {
    const c = testDialerClient(t);
    await availableAgent(t, 'ana');
    await availableAgent(t, 'bia');
    const call = await t.admin.request<Call>('POST', '/__admin/organizations/acme/calls', {
      json: { dialerUser: 'ana' },
    });
    const { newCall } = (await c.call('calls.transfer', { params: { id: call.body.id }, body: { extension: '7001' } }))
      .body;
    expect(newCall.state).toBe('agv');
    await t.admin.request('POST', `/__admin/organizations/acme/calls/${newCall.id}/agv-transfer`);
    expect(
      (await c.call('calls.assign', { params: { id: newCall.id }, body: { dialerUser: 'bia' } })).body.dialerUser,
    ).toBe('bia');
    await c.close();
  });

  it('opens the event stream after a cursor (Last-Event-ID)', async () => {
    await availableAgent(t, 'ana');
    const [firstId] = eventsOf(t).map((e) => e.id);
    const c = testDialerClient(t);
    const ac = new AbortController();
    const res = await c.openEventStream(firstId!, ac.signal);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain(`id: ${firstId! + 1}`);
    ac.abort();
    await c.close();
  });
});

describe('DialerClients', () => {
  it('names the missing settings and caches one client per organization until invalidated', async () => {
    const settings = new Map<string, DialerSettings>([
      ['o1', { dialerUrl: t.listening.url, dialerKey: '', certificatePem: null }],
    ]);
    const clients = new DialerClients((id) => settings.get(id), { backoffMs: 10 });
    expect(() => clients.get('o1')).toThrow(
      expect.objectContaining({
        code: 'DIALER_NOT_CONFIGURED',
        status: 409,
        message: expect.stringMatching(/Chave do discador, certificado/),
      }),
    );
    expect(() => clients.get('nope')).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/Chave do discador, Servidor do discador, certificado/),
      }),
    );
    settings.set('o1', { dialerUrl: t.listening.url, dialerKey: t.key, certificatePem: t.certs.server.certPem });
    const c1 = clients.get('o1');
    expect(clients.get('o1')).toBe(c1);
    expect(c1).toBeInstanceOf(DialerClient);
    await clients.invalidate('o1');
    const c2 = clients.get('o1');
    expect(c2).not.toBe(c1);
    expect((await organization(c2)).id).toBe('acme');
    await clients.closeAll();
    expect(clients.has('o1')).toBe(false);
  });
});
