import { afterEach, describe, expect, it } from 'vitest';
import { startTestPair, type TestPair } from '../../harness/pair.ts';

let p: TestPair;
afterEach(async () => {
  await p?.close();
});

/** Logs ana in, then an admin changes her over HTTP; her old token must stop working at once. */
async function anaChangedByAdmin(patch: Record<string, unknown>) {
  p = await startTestPair();
  const ana = await p.login('ana');
  const agent = p.client(ana.token);
  expect((await agent.request('GET', '/api/v1/me')).status).toBe(200);
  const admin = p.client((await p.login('admin')).token);
  const changed = await admin.request('PATCH', `/api/v1/organizations/acme/users/${p.ids.agents[0]!.id}`, {
    json: patch,
  });
  expect(changed.status).toBe(200);
  return { agent, admin, changed };
}

describe('sessions end when what the user may do changes', () => {
  it('a role change ends the session at once: the old token gets 401 right after', async () => {
    const { agent } = await anaChangedByAdmin({ role: 'supervisor' });
    const me = await agent.request<{ error: { code: string } }>('GET', '/api/v1/me');
    expect([me.status, me.body.error.code]).toEqual([401, 'SESSION_INVALID']);
    // and the dialer login made for her is logged out, durably
    await p.settle();
    expect(p.dialer.sim.sessions.runtime('acme', 'ana').state).toBe('logged_out');
  });

  it('a password change ends the session at once', async () => {
    const { agent } = await anaChangedByAdmin({ password: 'nova-senha-da-ana' });
    expect((await agent.request('GET', '/api/v1/me')).status).toBe(401);
    expect((await p.login('ana', 'nova-senha-da-ana')).token).toMatch(/^omni_/);
  });

  it('a deactivation ends the session at once, and the user cannot log in again until activated', async () => {
    const { agent, admin, changed } = await anaChangedByAdmin({ active: false });
    expect(changed.body).toMatchObject({ active: false });
    expect((await agent.request('GET', '/api/v1/me')).status).toBe(401);
    const again = await p.client().request<{ error: { code: string; message: string } }>('POST', '/api/v1/sessions', {
      json: { organization: 'acme', username: 'ana', password: 'agent-password-1' },
    });
    expect([again.status, again.body.error.code]).toEqual([403, 'USER_INACTIVE']);
    await admin.request('PATCH', `/api/v1/organizations/acme/users/${p.ids.agents[0]!.id}`, { json: { active: true } });
    expect((await p.login('ana')).token).toMatch(/^omni_/);
  });

  it('other changes leave the session alone (they apply at the next login)', async () => {
    const { agent } = await anaChangedByAdmin({ name: 'Ana Souza', slots: 2 });
    expect((await agent.request('GET', '/api/v1/me')).status).toBe(200);
  });
});
