import { afterEach, describe, expect, it } from 'vitest';
import { startTestPair, type TestPair } from '../../harness/pair.ts';

let p: TestPair;
afterEach(async () => {
  await p?.close();
});

describe('agent login with the dialer', () => {
  it('an agent with Utilizar discador is logged into the dialer and gets the WebRTC server and a SIP account', async () => {
    p = await startTestPair();
    const { body } = await p.login('ana');
    expect(body).toMatchObject({
      user: { username: 'ana', role: 'agent' },
      dialer: {
        status: 'connected',
        softphone: {
          webrtcUrl: expect.stringMatching(/^wss:\/\//),
          sip: { username: 'ana', password: expect.any(String) },
        },
      },
    });
    expect(JSON.stringify(body)).not.toContain('senha-ana');
    expect(p.dialer.sim.sessions.status('acme', 'ana').state).toBe('paused');
  });

  it('wrong Omni credentials → 401 LOGIN_INVALID', async () => {
    p = await startTestPair();
    const res = await p.client().request('POST', '/api/v1/sessions', {
      json: { organization: 'acme', username: 'ana', password: 'wrong-password' },
    });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code: 'LOGIN_INVALID' } });
  });

  it('a dialer login failure leaves the user in Omni without the dialer, with the reason visible', async () => {
    p = await startTestPair();
    await p.omni.config.users.update('acme', p.ids.agents[0]!.id, { dialerPassword: 'not-the-dialers' });
    const { token, body } = await p.login('ana');
    expect(body).toMatchObject({
      dialer: { status: 'failed', reason: expect.stringContaining('DIALER_LOGIN_FAILED') },
    });
    const me = await p.client(token).request('GET', '/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ dialer: { status: 'failed' } });
    const pause = await p.client(token).request('POST', '/api/v1/me/available');
    expect(pause.status).toBe(409);
    expect(pause.body).toMatchObject({ error: { code: 'DIALER_NOT_CONNECTED' } });
  });

  it('configuration changes apply at the next login, not during the session', async () => {
    p = await startTestPair();
    const { token } = await p.login('ana');
    await p.omni.config.users.update('acme', p.ids.agents[0]!.id, { slots: 3 });
    const during = await p.client(token).request<{ slots: { total: number } }>('GET', '/api/v1/me');
    expect(during.body.slots.total).toBe(1);
    const again = await p.login('ana');
    const after = await p.client(again.token).request<{ slots: { total: number } }>('GET', '/api/v1/me');
    expect(after.body.slots.total).toBe(3);
    expect((await p.client(token).request('GET', '/api/v1/me')).status).toBe(401);
  });

  it('becomes available, pauses with the pause’s ID Status and unpauses through the dialer', async () => {
    p = await startTestPair();
    const { token } = await p.login('ana');
    const c = p.client(token);
    expect((await c.request('POST', '/api/v1/me/available')).status).toBe(202);
    await p.settle();
    expect(p.dialer.sim.sessions.status('acme', 'ana').state).toBe('available');
    const almoco = p.omni.config.pauses.byName('acme', 'Almoço')!;
    expect((await c.request('POST', '/api/v1/me/pause', { json: { pauseId: almoco.id } })).status).toBe(202);
    await p.settle();
    expect(p.dialer.sim.sessions.status('acme', 'ana')).toMatchObject({ state: 'paused', idStatus: almoco.idStatus });
    const me = await c.request<{ pause: { name: string } | null }>('GET', '/api/v1/me');
    expect(me.body.pause?.name).toBe('Almoço');
    await c.request('POST', '/api/v1/me/unpause');
    await p.settle();
    expect(p.dialer.sim.sessions.status('acme', 'ana').state).toBe('available');
  });

  it('a pause the dialer refuses shows in the agent’s own status as refused, with why; one it applies as applied', async () => {
    p = await startTestPair();
    const { token } = await p.login('ana');
    const c = p.client(token);
    type Me = {
      dialerRequest: { route: string; status: string; idStatus: number | null; error: string | null } | null;
    };
    expect((await c.request<Me>('GET', '/api/v1/me')).body.dialerRequest).toBeNull();
    // An Omni pause whose ID Status the dialer's catalogue does not have (a drift the agent cannot see).
    const meeting = p.omni.config.pauses.create('acme', { name: 'Reunião', idStatus: 42 });
    expect((await c.request('POST', '/api/v1/me/pause', { json: { pauseId: meeting.id } })).status).toBe(202);
    await p.settle();
    const refused = (await c.request<Me>('GET', '/api/v1/me')).body.dialerRequest;
    expect(refused).toMatchObject({ route: 'agents.pause', idStatus: 42, status: 'refused' });
    expect(refused?.error).toMatch(/PAUSE_UNKNOWN.*42/);

    const almoco = p.omni.config.pauses.byName('acme', 'Almoço')!;
    await c.request('POST', '/api/v1/me/pause', { json: { pauseId: almoco.id } });
    await p.settle();
    expect((await c.request<Me>('GET', '/api/v1/me')).body.dialerRequest).toMatchObject({
      route: 'agents.pause',
      idStatus: almoco.idStatus,
      status: 'applied',
      error: null,
    });
  });

  it('logout logs the agent out of the dialer', async () => {
    p = await startTestPair();
    const { token } = await p.login('ana');
    expect((await p.client(token).request('DELETE', '/api/v1/sessions/current')).status).toBe(200);
    await p.settle();
    expect(p.dialer.sim.sessions.status('acme', 'ana').state).toBe('logged_out');
  });

  it('refuses requests without a session with 401 UNAUTHENTICATED', async () => {
    p = await startTestPair();
    const res = await p.client().request('GET', '/api/v1/me');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });
});
