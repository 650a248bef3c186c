import { beforeEach, describe, expect, it } from 'vitest';
import { type configTestbed, configTestbedWithOrganizations, type TestClient } from '../../harness/config-testbed.ts';

const ORG = 'acme';
let t: ReturnType<typeof configTestbed>;
let admin: TestClient;

beforeEach(async () => {
  ({ t, admin } = await configTestbedWithOrganizations());
});

describe('user routes', () => {
  const ana = {
    username: 'ana',
    name: 'Ana',
    role: 'agent',
    password: 'senha-omni-ana',
    useDialer: true,
    dialerUser: 'ana',
    dialerPassword: 'senha-ds-ana',
    slots: 2,
  };

  it('never answers a password or dialer password, and stores them hashed and sealed', async () => {
    const created = await admin('POST', `/organizations/${ORG}/users`, { json: ana });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: 'ana', hasPassword: true, hasDialerPassword: true, slots: 2 });
    const id = created.body.id as string;
    const answers = [
      created,
      await admin('GET', `/organizations/${ORG}/users`),
      await admin('GET', `/organizations/${ORG}/users/${id}`),
      await admin('PATCH', `/organizations/${ORG}/users/${id}`, { json: { dialerPassword: 'nova-senha-ds' } }),
      await admin('GET', `/organizations/${ORG}/setup?format=json`),
      await admin('GET', `/organizations/${ORG}/setup?format=yaml`),
    ];
    for (const res of answers) {
      expect(res.status).toBe(200 + (res === created ? 1 : 0));
      for (const secret of ['senha-omni-ana', 'senha-ds-ana', 'nova-senha-ds', 'scrypt$', 'v1:'])
        expect(res.text).not.toContain(secret);
    }
    const dbText = JSON.stringify(t.db.prepare('SELECT * FROM users').all());
    for (const secret of ['senha-omni-ana', 'senha-ds-ana', 'nova-senha-ds']) expect(dbText).not.toContain(secret);
    expect(t.config.users.dialerCredentials(id).dialerPassword).toBe('nova-senha-ds');
  });

  it('answers 409 USER_EXISTS, 404 USER_NOT_FOUND, 422 for a short password or missing dialer credentials', async () => {
    await admin('POST', `/organizations/${ORG}/users`, { json: ana });
    const dup = await admin('POST', `/organizations/${ORG}/users`, { json: { ...ana, dialerUser: 'ana2' } });
    expect([dup.status, dup.body.error.code]).toEqual([409, 'USER_EXISTS']);
    const missing = await admin('GET', `/organizations/${ORG}/users/nope`);
    expect([missing.status, missing.body.error.code]).toEqual([404, 'USER_NOT_FOUND']);
    const short = await admin('POST', `/organizations/${ORG}/users`, {
      json: { ...ana, username: 'bia', dialerUser: 'bia', password: 'curta' },
    });
    expect([short.status, short.body.error.details.issues[0].path]).toEqual([422, 'body.password']);
    const noDialer = await admin('POST', `/organizations/${ORG}/users`, {
      json: { ...ana, username: 'bia', dialerUser: undefined },
    });
    expect([noDialer.status, noDialer.body.error.details.issues[0].path]).toEqual([422, 'body.dialerUser']);
  });

  it('updates and deletes a user, and keeps the last admin', async () => {
    const { body } = await admin('POST', `/organizations/${ORG}/users`, { json: ana });
    const patched = await admin('PATCH', `/organizations/${ORG}/users/${body.id}`, { json: { role: 'supervisor' } });
    expect(patched.body.role).toBe('supervisor');
    expect((await admin('DELETE', `/organizations/${ORG}/users/${body.id}`)).status).toBe(200);
    const adminId = t.config.users.byUsername(ORG, 'admin')!.id;
    const last = await admin('DELETE', `/organizations/${ORG}/users/${adminId}`);
    expect([last.status, last.body.error.code]).toEqual([409, 'LAST_ADMIN']);
  });
});

describe('deactivating a user', () => {
  it('answers the user inactive, and refuses to deactivate the only active admin (409 LAST_ADMIN)', async () => {
    const { body } = await admin('POST', `/organizations/${ORG}/users`, {
      json: { username: 'bia', name: 'Bia', role: 'agent', password: 'senha-da-bia' },
    });
    const off = await admin('PATCH', `/organizations/${ORG}/users/${body.id}`, { json: { active: false } });
    expect([off.status, off.body.active]).toEqual([200, false]);
    const adminId = t.config.users.byUsername(ORG, 'admin')!.id;
    const last = await admin('PATCH', `/organizations/${ORG}/users/${adminId}`, { json: { active: false } });
    expect([last.status, last.body.error.code]).toEqual([409, 'LAST_ADMIN']);
  });
});
