import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { RealClock } from '../../core/clock.ts';
import { HttpsClient } from '../../core/https-client.ts';
import { availableAgent, eventsOf, startTestSimulator, type TestSimulator } from '../../harness/simulator.ts';

let t: TestSimulator;
beforeEach(async () => {
  await t?.close();
  t = await startTestSimulator();
});
afterAll(() => t.close());

describe('control API access', () => {
  it('needs the admin token: missing → 401 ADMIN_TOKEN_MISSING, wrong → 401 ADMIN_TOKEN_INVALID', async () => {
    const anon = new HttpsClient({ baseUrl: t.listening.url, ca: t.certs.ca.certPem });
    const missing = await anon.request('GET', '/__admin/clock');
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ error: { code: 'ADMIN_TOKEN_MISSING' } });
    const wrong = await anon.request('GET', '/__admin/clock', { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: { code: 'ADMIN_TOKEN_INVALID' } });
    await anon.close();
  });

  it('the dialer key does not open the control API', async () => {
    const res = await t.api.request('GET', '/__admin/clock');
    expect(res.status).toBe(401);
  });
});

describe('clock', () => {
  it('advances a virtual clock and fires due timers (a talk timer ends the call)', async () => {
    const before = (await t.admin.request<{ nowMs: number; kind: string }>('GET', '/__admin/clock')).body;
    expect(before.kind).toBe('virtual');
    const res = await t.admin.request<{ nowMs: number }>('POST', '/__admin/clock/advance', { json: { ms: 30_000 } });
    expect(res.body.nowMs).toBe(before.nowMs + 30_000);
    const set = await t.admin.request<{ nowMs: number }>('POST', '/__admin/clock/set', {
      json: { now: before.nowMs + 60_000 },
    });
    expect(set.body.nowMs).toBe(before.nowMs + 60_000);
    const back = await t.admin.request('POST', '/__admin/clock/set', { json: { now: before.nowMs } });
    expect(back.status).toBe(409);
    expect(back.body).toMatchObject({ error: { code: 'CLOCK_BACKWARDS' } });
  });

  it('refuses to move a real clock with 409 CLOCK_NOT_VIRTUAL', async () => {
    await t.close();
    t = await startTestSimulator({ clock: new RealClock() });
    const res = await t.admin.request('POST', '/__admin/clock/advance', { json: { ms: 1 } });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: 'CLOCK_NOT_VIRTUAL' } });
  });

  it('validates the advance with 422', async () => {
    const res = await t.admin.request('POST', '/__admin/clock/advance', { json: { ms: -5 } });
    expect(res.status).toBe(422);
  });
});

describe('organizations', () => {
  it('creates an organization whose key then works on the dialer API, and rotates it', async () => {
    const res = await t.admin.request<{ key: string; organization: { id: string } }>('POST', '/__admin/organizations', {
      json: { id: 'beta', name: 'Beta' },
    });
    expect(res.status).toBe(201);
    const client = new HttpsClient({
      baseUrl: t.listening.url,
      ca: t.certs.ca.certPem,
      headers: { 'x-dialer-key': res.body.key },
    });
    expect((await client.request<{ id: string }>('GET', '/api/v1/organization')).body.id).toBe('beta');
    const rotated = await t.admin.request<{ key: string }>('POST', '/__admin/organizations/beta/key/rotate');
    expect((await client.request('GET', '/api/v1/organization')).status).toBe(401);
    const fresh = new HttpsClient({
      baseUrl: t.listening.url,
      ca: t.certs.ca.certPem,
      headers: { 'x-dialer-key': rotated.body.key },
    });
    expect((await fresh.request('GET', '/api/v1/organization')).status).toBe(200);
    await Promise.all([client.close(), fresh.close()]);
    const dup = await t.admin.request('POST', '/__admin/organizations', { json: { id: 'beta', name: 'Beta' } });
    expect(dup.status).toBe(409);
  });
});

describe('reset', () => {
  it('clears calls, events and sessions of one organization and keeps its configuration', async () => {
    await availableAgent(t, 'ana');
    await t.admin.request('POST', '/__admin/organizations/acme/calls', { json: { dialerUser: 'ana' } });
    const res = await t.admin.request('POST', '/__admin/reset', { json: { orgId: 'acme' } });
    expect(res.body).toMatchObject({ calls: 1, agentsLoggedOut: 1, organizationsDeleted: 0 });
    expect(eventsOf(t)).toEqual([]);
    expect(t.sim.sessions.status('acme', 'ana').state).toBe('logged_out');
    expect((await t.api.request('GET', '/api/v1/organization')).status).toBe(200);
    const unknown = await t.admin.request('POST', '/__admin/reset', { json: { orgId: 'nope' } });
    expect(unknown.status).toBe(404);
  });
});

describe('faults and journal over HTTPS', () => {
  it('injects an error on the next N requests of a dialer route, then stops', async () => {
    await t.admin.request('POST', '/__admin/faults', {
      json: { match: { method: 'GET', path: '/api/v1/organization' }, fault: { kind: 'error', status: 503 }, times: 2 },
    });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await t.api.request('GET', '/api/v1/organization')).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  it('resets the connection of a matching request', async () => {
    await t.admin.request('POST', '/__admin/faults', {
      json: { match: { path: '/api/v1/calls' }, fault: { kind: 'reset' }, times: 1 },
    });
    await expect(t.api.request('GET', '/api/v1/calls')).rejects.toThrow();
    expect((await t.api.request('GET', '/api/v1/calls')).status).toBe(200);
  });

  it('journals dialer requests (never the key) and verifies count and order', async () => {
    await availableAgent(t, 'ana');
    const list = await t.admin.request<{ requests: Array<{ path: string; status: number }> }>(
      'GET',
      '/__admin/requests?pathPrefix=/api/v1/agents',
    );
    expect(list.body.requests.map((r) => [r.path, r.status])).toEqual([
      ['/api/v1/agents/login', 200],
      ['/api/v1/agents/ana/available', 200],
    ]);
    expect(JSON.stringify(list.body)).not.toContain(t.key);
    expect(JSON.stringify(list.body)).not.toContain('senha-ana');
    const ok = await t.admin.request<{ ok: boolean }>('POST', '/__admin/requests/verify', {
      json: {
        request: { pathPrefix: '/api/v1/agents' },
        count: { eq: 2 },
        order: [{ path: '/api/v1/agents/login' }, { path: '/api/v1/agents/ana/available' }],
      },
    });
    expect(ok.body.ok).toBe(true);
    const bad = await t.admin.request<{ ok: boolean; failures: string[] }>('POST', '/__admin/requests/verify', {
      json: { request: { pathPrefix: '/api/v1/agents' }, count: { eq: 3 } },
    });
    expect(bad.body.ok).toBe(false);
    expect(bad.body.failures.length).toBeGreaterThan(0);
  });
});
