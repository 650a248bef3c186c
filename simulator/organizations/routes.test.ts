import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpsClient } from '../../core/https-client.ts';
import { startTestSimulator, type TestSimulator } from '../../harness/simulator.ts';

let t: TestSimulator;
beforeAll(async () => {
  t = await startTestSimulator();
});
afterAll(() => t.close());

describe('dialer key authentication', () => {
  it('refuses a request without a key with 401 DIALER_KEY_MISSING', async () => {
    const res = await t.api.request('GET', '/api/v1/organization', { headers: { 'x-dialer-key': '' } });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code: 'DIALER_KEY_MISSING' } });
  });

  it('refuses an unknown key with 401 DIALER_KEY_INVALID', async () => {
    const res = await t.api.request('GET', '/api/v1/organization', { headers: { 'x-dialer-key': 'dsk_nope' } });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code: 'DIALER_KEY_INVALID' } });
  });

  it('accepts the key as a bearer token too', async () => {
    const bearer = new HttpsClient({ baseUrl: t.listening.url, ca: t.certs.ca.certPem });
    const res = await bearer.request('GET', '/api/v1/organization', { headers: { authorization: `Bearer ${t.key}` } });
    await bearer.close();
    expect(res.status).toBe(200);
  });
});

describe('organization configuration', () => {
  it('shows the organization with its LOGIN system pause, AGVs and agents, never a password', async () => {
    const res = await t.api.request<Record<string, unknown>>('GET', '/api/v1/organization');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: 'acme',
      pauses: expect.arrayContaining([{ idStatus: 1, name: 'LOGIN', system: true }]),
    });
    expect(res.text).not.toContain('senha');
  });

  it('adds a pause and refuses a duplicate name or idStatus with 409 PAUSE_DUPLICATE', async () => {
    const ok = await t.api.request('POST', '/api/v1/pauses', { json: { idStatus: 20, name: 'Reunião' } });
    expect(ok.status).toBe(201);
    const dupId = await t.api.request('POST', '/api/v1/pauses', { json: { idStatus: 20, name: 'Outra' } });
    expect(dupId.status).toBe(409);
    expect(dupId.body).toMatchObject({ error: { code: 'PAUSE_DUPLICATE' } });
    const dupName = await t.api.request('POST', '/api/v1/pauses', { json: { idStatus: 21, name: 'Reunião' } });
    expect(dupName.status).toBe(409);
  });

  it('validates a pause with 422 VALIDATION_FAILED naming the field', async () => {
    const res = await t.api.request('POST', '/api/v1/pauses', { json: { idStatus: 'x', name: '' } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: { code: 'VALIDATION_FAILED', details: { issues: expect.any(Array) } } });
  });

  it('answers malformed JSON with 400 or 422 and a coded error', async () => {
    const res = await t.api.request('POST', '/api/v1/pauses', {
      body: '{"idStatus": ',
      headers: { 'content-type': 'application/json' },
    });
    expect([400, 422]).toContain(res.status);
    expect((res.body as { error: { code: string } }).error.code).toMatch(/MALFORMED_JSON|VALIDATION_FAILED/);
  });

  it('stores a pause name exactly as given, so a trailing space stays visible; refuses NUL and line breaks', async () => {
    const added = await t.api.request('POST', '/api/v1/pauses', { json: { idStatus: 61, name: 'Banheiro ' } });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ name: 'Banheiro ' });
    const listed = await t.api.request<Array<{ idStatus: number; name: string }>>('GET', '/api/v1/pauses');
    expect(listed.body.find((p) => p.idStatus === 61)?.name).toBe('Banheiro ');
    for (const name of ['Almo\u0000ço', 'Linha\nnova', '   ']) {
      const res = await t.api.request('POST', '/api/v1/pauses', { json: { idStatus: 62, name } });
      expect(res.status, JSON.stringify(name)).toBe(422);
      expect(res.body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    }
    const nul = await t.api.request<{ error: { message: string } }>('POST', '/api/v1/pauses', {
      json: { idStatus: 62, name: 'Almo\u0000ço' },
    });
    expect(nul.body.error.message).toMatch(/U\+0000 NUL at index 4/);
    await t.api.request('DELETE', '/api/v1/pauses/61');
  });

  it('keeps LOGIN when the catalogue is replaced, and refuses to delete it', async () => {
    const put = await t.api.request<Array<{ name: string }>>('PUT', '/api/v1/pauses', {
      json: [
        { idStatus: 2, name: 'Almoço' },
        { idStatus: 3, name: 'Banheiro' },
      ],
    });
    expect(put.status).toBe(200);
    expect(put.body.map((p) => p.name)).toEqual(['LOGIN', 'Almoço', 'Banheiro']);
    const del = await t.api.request('DELETE', '/api/v1/pauses/1');
    expect(del.status).toBe(409);
    expect(del.body).toMatchObject({ error: { code: 'PAUSE_SYSTEM' } });
    expect((await t.api.request('DELETE', '/api/v1/pauses/3')).status).toBe(200);
    expect((await t.api.request('DELETE', '/api/v1/pauses/3')).status).toBe(422);
  });

  it('creates, updates and deletes an AGV; an unknown one is 404 AGV_NOT_FOUND', async () => {
    const put = await t.api.request('PUT', '/api/v1/agvs/7100', {
      json: { name: 'Bot', behaviour: { action: 'hangup', holdSeconds: 3 } },
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ extension: '7100', name: 'Bot', behaviour: { action: 'hangup', holdSeconds: 3 } });
    expect((await t.api.request('DELETE', '/api/v1/agvs/7100')).status).toBe(200);
    const gone = await t.api.request('DELETE', '/api/v1/agvs/7100');
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ error: { code: 'AGV_NOT_FOUND' } });
  });

  it('refuses an AGV on an agent’s extension with 409 EXTENSION_IN_USE', async () => {
    const res = await t.api.request('PUT', '/api/v1/agvs/2001', { json: { name: 'Clash' } });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: 'EXTENSION_IN_USE' } });
  });

  it('creates an agent without ever returning the password, and refuses a duplicate', async () => {
    const res = await t.api.request('POST', '/api/v1/agents', {
      json: { dialerUser: 'novo', name: 'Novo', password: 'segredo-123' },
    });
    expect(res.status).toBe(201);
    expect(res.text).not.toContain('segredo');
    expect(res.body).toMatchObject({ dialerUser: 'novo', status: { state: 'logged_out' } });
    const dup = await t.api.request('POST', '/api/v1/agents', {
      json: { dialerUser: 'novo', name: 'Novo', password: 'segredo-123' },
    });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ error: { code: 'AGENT_EXISTS' } });
  });

  it('refuses to delete a logged-in agent with 409 AGENT_LOGGED_IN', async () => {
    await t.api.request('POST', '/api/v1/agents/login', { json: { dialerUser: 'novo', password: 'segredo-123' } });
    const res = await t.api.request('DELETE', '/api/v1/agents/novo');
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: 'AGENT_LOGGED_IN' } });
    await t.api.request('POST', '/api/v1/agents/novo/logout');
    expect((await t.api.request('DELETE', '/api/v1/agents/novo')).status).toBe(200);
    expect((await t.api.request('GET', '/api/v1/agents/novo')).status).toBe(404);
  });

  it('stores agents’ passwords encrypted', () => {
    const rows = t.sim.db.prepare('SELECT password_sealed FROM agents').all() as { password_sealed: string }[];
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.password_sealed).toMatch(/^v1:/);
    expect(JSON.stringify(rows)).not.toContain('senha');
  });

  it('answers an unknown route with 404 ROUTE_NOT_FOUND, with a key or without one (not a 401 that suggests it exists)', async () => {
    const anonymous = new HttpsClient({ baseUrl: t.listening.url, ca: t.certs.ca.certPem });
    const res = await anonymous.request('GET', '/api/v1/nothing/here');
    const admin = await anonymous.request('GET', '/__admin/nothing');
    await anonymous.close();
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
    expect(admin.status).toBe(404);
  });

  it('answers an unknown route with 404 ROUTE_NOT_FOUND', async () => {
    const res = await t.api.request('GET', '/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
  });

  it('publishes the OpenAPI document and a docs page', async () => {
    const doc = await t.api.request<{ paths: Record<string, unknown> }>('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/agents/login', '/api/v1/calls/{id}/disposition', '/api/v1/events/stream']),
    );
    const page = await t.api.request('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger-ui-bundle.js');
    expect((await t.api.request('GET', '/docs/assets/swagger-ui-bundle.js')).status).toBe(200);
  });
});
