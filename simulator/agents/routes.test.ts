import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { availableAgent, eventsOf, startTestSimulator, type TestSimulator } from '../../harness/simulator.ts';

let t: TestSimulator;
beforeEach(async () => {
  await t?.close();
  t = await startTestSimulator();
});
afterAll(() => t.close());

const status = async (user: string) =>
  (
    await t.api.request<{ state: string; idStatus: number | null; pendingIdStatus: number | null }>(
      'GET',
      `/api/v1/agents/${user}/status`,
    )
  ).body;

describe('agent login', () => {
  it('logs in with dialer user + password into the LOGIN pause and tells the softphone its SIP account', async () => {
    const res = await t.api.request('POST', '/api/v1/agents/login', {
      json: { dialerUser: 'ana', password: 'senha-ana' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: { dialerUser: 'ana', state: 'paused', idStatus: 1, pauseName: 'LOGIN' },
      sip: { username: 'ana', websocketPath: '/sip', password: expect.any(String) },
    });
    expect((res.body as { sip: { password: string } }).sip.password).not.toBe('senha-ana');
    expect(eventsOf(t, 'agent.state_changed').at(-1)?.data).toMatchObject({ state: 'paused', reason: 'login' });
  });

  it('refuses wrong credentials with 401 AGENT_CREDENTIALS_INVALID and changes nothing', async () => {
    for (const body of [
      { dialerUser: 'ana', password: 'errada' },
      { dialerUser: 'ninguem', password: 'senha-ana' },
    ]) {
      const res = await t.api.request('POST', '/api/v1/agents/login', { json: body });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: { code: 'AGENT_CREDENTIALS_INVALID' } });
    }
    expect((await status('ana')).state).toBe('logged_out');
    expect(eventsOf(t)).toEqual([]);
  });

  it('a repeated login keeps the session as it is', async () => {
    await availableAgent(t, 'ana');
    const again = await t.api.request('POST', '/api/v1/agents/login', {
      json: { dialerUser: 'ana', password: 'senha-ana' },
    });
    expect(again.status).toBe(200);
    expect((await status('ana')).state).toBe('available');
  });

  it('refuses actions on a logged-out agent with 409 AGENT_NOT_LOGGED_IN', async () => {
    const res = await t.api.request('POST', '/api/v1/agents/ana/available');
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: 'AGENT_NOT_LOGGED_IN' } });
  });

  it('answers 404 AGENT_NOT_FOUND for an unknown agent', async () => {
    const res = await t.api.request('GET', '/api/v1/agents/ghost/status');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: 'AGENT_NOT_FOUND' } });
  });
});

describe('pauses', () => {
  it('pauses an available agent with an idStatus and unpauses them', async () => {
    await availableAgent(t, 'ana');
    const p = await t.api.request('POST', '/api/v1/agents/ana/pause', { json: { idStatus: 2 } });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ deferred: false, status: { state: 'paused', idStatus: 2, pauseName: 'Almoço' } });
    const u = await t.api.request('POST', '/api/v1/agents/ana/unpause');
    expect(u.status).toBe(200);
    expect(u.body).toMatchObject({ state: 'available', idStatus: null });
  });

  it('refuses an unknown idStatus with 422 PAUSE_UNKNOWN listing the valid ones', async () => {
    await availableAgent(t, 'ana');
    const res = await t.api.request('POST', '/api/v1/agents/ana/pause', { json: { idStatus: 42 } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      error: {
        code: 'PAUSE_UNKNOWN',
        details: { idStatus: 42, valid: expect.arrayContaining([{ idStatus: 2, name: 'Almoço' }]) },
      },
    });
    expect((await status('ana')).state).toBe('available');
  });

  it('refuses the LOGIN system pause as a requested pause', async () => {
    await availableAgent(t, 'ana');
    const res = await t.api.request('POST', '/api/v1/agents/ana/pause', { json: { idStatus: 1 } });
    expect(res.status).toBe(422);
  });

  it('defers a pause asked during a call (202) and applies it at the disposition', async () => {
    await availableAgent(t, 'ana');
    const call = (
      await t.admin.request<{ id: string }>('POST', '/__admin/organizations/acme/calls', {
        json: { dialerUser: 'ana' },
      })
    ).body;
    const p = await t.api.request('POST', '/api/v1/agents/ana/pause', { json: { idStatus: 3 } });
    expect(p.status).toBe(202);
    expect(p.body).toMatchObject({ deferred: true, status: { state: 'in_call', pendingIdStatus: 3 } });
    expect(eventsOf(t, 'agent.pause_deferred').at(-1)?.data).toMatchObject({ idStatus: 3, pauseName: 'Banheiro' });
    await t.admin.request('POST', `/__admin/organizations/acme/calls/${call.id}/hangup`);
    expect(await status('ana')).toMatchObject({ state: 'wrap_up', pendingIdStatus: 3 });
    const d = await t.api.request('POST', `/api/v1/calls/${call.id}/disposition`, { json: { tagCode: 'VENDA' } });
    expect(d.status).toBe(200);
    expect(await status('ana')).toMatchObject({ state: 'paused', idStatus: 3, pendingIdStatus: null });
    expect(eventsOf(t, 'agent.state_changed').at(-1)?.data).toMatchObject({ reason: 'deferred_pause_applied' });
  });

  it('refuses to make an agent in a call available with 409 AGENT_BUSY', async () => {
    await availableAgent(t, 'ana');
    await t.admin.request('POST', '/__admin/organizations/acme/calls', { json: { dialerUser: 'ana' } });
    const res = await t.api.request('POST', '/api/v1/agents/ana/available');
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: 'AGENT_BUSY' } });
  });
});

describe('logout', () => {
  it('logs out during a call: the call ends and its disposition is still accepted', async () => {
    await availableAgent(t, 'ana');
    const call = (
      await t.admin.request<{ id: string }>('POST', '/__admin/organizations/acme/calls', {
        json: { dialerUser: 'ana' },
      })
    ).body;
    const out = await t.api.request('POST', '/api/v1/agents/ana/logout');
    expect(out.status).toBe(200);
    expect(out.body).toMatchObject({ state: 'logged_out' });
    const c = await t.api.request('GET', `/api/v1/calls/${call.id}`);
    expect(c.body).toMatchObject({ state: 'ended', endedBy: 'agent' });
    const d = await t.api.request('POST', `/api/v1/calls/${call.id}/disposition`, { json: { tagCode: 'QUEDA' } });
    expect(d.status).toBe(200);
    expect((await status('ana')).state).toBe('logged_out');
  });
});
