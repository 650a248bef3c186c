import { beforeEach, describe, expect, it } from 'vitest';
import { configTestbed, type TestClient } from '../../harness/config-testbed.ts';

const ORG = 'acme';
let t: ReturnType<typeof configTestbed>;
let admin: TestClient;
let agent: TestClient;
let supervisor: TestClient;
let otherAdmin: TestClient;
let anonymous: TestClient;

beforeEach(() => {
  t = configTestbed();
  t.config.createOrganization({
    id: ORG,
    name: 'ACME',
    admin: { username: 'admin', name: 'Admin', password: 'senha-admin-1' },
  });
  t.config.createOrganization({
    id: 'other',
    name: 'Other',
    admin: { username: 'admin', name: 'Admin', password: 'senha-admin-2' },
  });
  admin = t.as({ orgId: ORG, role: 'admin' });
  agent = t.as({ orgId: ORG, role: 'agent' });
  supervisor = t.as({ orgId: ORG, role: 'supervisor' });
  otherAdmin = t.as({ orgId: 'other', role: 'admin' });
  anonymous = t.as();
});

describe('organization routes', () => {
  it('shows the own organization without the dialer key, and what is missing', async () => {
    const key = 'dsk_route-secret-key-42';
    const patched = await admin('PATCH', `/organizations/${ORG}`, {
      json: { dialerKey: key, dialerUrl: 'https://d.local:8443/api/v1', webrtcUrl: 'wss://d.local:8443/ws' },
    });
    expect(patched.status).toBe(200);
    expect(patched.text).not.toContain(key);
    const res = await admin('GET', `/organizations/${ORG}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: ORG, hasDialerKey: true, media: 'dialer', missing: ['certificate'] });
    expect(res.text).not.toContain(key);
    const list = await admin('GET', '/organizations');
    expect(list.body.map((o: { id: string }) => o.id)).toEqual([ORG]);
  });

  it('creates an organization with its first admin (admin only), 409 ORGANIZATION_EXISTS on a taken id', async () => {
    const res = await admin('POST', '/organizations', {
      json: { id: 'beta', name: 'Beta', admin: { username: 'root', name: 'Root', password: 'senha-root-1' } },
    });
    expect(res.status).toBe(201);
    expect(res.text).not.toContain('senha-root-1');
    expect(t.config.authenticate('beta', 'root', 'senha-root-1')?.role).toBe('admin');
    const again = await admin('POST', '/organizations', {
      json: { id: 'beta', name: 'Beta', admin: { username: 'root', name: 'Root', password: 'senha-root-1' } },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ORGANIZATION_EXISTS');
    const noAdmin = await admin('POST', '/organizations', { json: { name: 'Gamma' } });
    expect(noAdmin.status).toBe(422);
    expect(noAdmin.body.error.details.issues[0].path).toBe('body.admin');
    const byAgent = await agent('POST', '/organizations', {
      json: { name: 'Delta', admin: { username: 'root', name: 'Root', password: 'senha-root-1' } },
    });
    expect(byAgent.status).toBe(403);
    expect(byAgent.body.error.code).toBe('FORBIDDEN_ROLE');
  });

  it('validates the dialer parameters with 422 naming the field', async () => {
    const res = await admin('PATCH', `/organizations/${ORG}`, { json: { dialerUrl: 'http://insecure.local' } });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(res.body.error.details.issues[0]).toMatchObject({ path: 'body.dialerUrl' });
    expect(res.body.error.message).toContain('https://');
  });

  it('deletes the own organization', async () => {
    expect((await admin('DELETE', `/organizations/${ORG}`)).status).toBe(200);
    expect(t.config.organizationExists(ORG)).toBe(false);
  });
});

describe('roles and organizations', () => {
  it('401 without a session', async () => {
    const res = await anonymous('GET', `/organizations/${ORG}/pauses`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('refuses configuration writes to agents and supervisors with 403 FORBIDDEN_ROLE', async () => {
    const writes: Array<[string, string, unknown]> = [
      ['PATCH', `/organizations/${ORG}`, { name: 'x' }],
      ['PUT', `/organizations/${ORG}/tabulation`, { windowSeconds: 60 }],
      ['POST', `/organizations/${ORG}/users`, { username: 'x', name: 'x', role: 'admin', password: '12345678' }],
      ['POST', `/organizations/${ORG}/services`, { name: 'x', identifier: 'x' }],
      ['POST', `/organizations/${ORG}/pauses`, { name: 'x', idStatus: 9 }],
      ['POST', `/organizations/${ORG}/tags`, { code: 'x', name: 'x' }],
      ['DELETE', `/organizations/${ORG}`, undefined],
    ];
    for (const client of [agent, supervisor])
      for (const [method, path, json] of writes) {
        const res = await client(method, path, json === undefined ? {} : { json });
        expect([method, path, res.status, res.body.error.code]).toEqual([method, path, 403, 'FORBIDDEN_ROLE']);
      }
    expect(t.config.organizationExists(ORG)).toBe(true);
  });

  it('lets every role of the organization read its pauses and tags, not its users or settings', async () => {
    t.config.createPause(ORG, { name: 'Almoço', idStatus: 2 });
    t.config.createTag(ORG, { code: 'VENDA', name: 'Venda' });
    for (const client of [agent, supervisor, admin]) {
      expect((await client('GET', `/organizations/${ORG}/pauses`)).body).toEqual([
        expect.objectContaining({ name: 'Almoço', idStatus: 2 }),
      ]);
      expect((await client('GET', `/organizations/${ORG}/tags`)).status).toBe(200);
    }
    expect((await agent('GET', `/organizations/${ORG}/users`)).status).toBe(403);
    expect((await agent('GET', `/organizations/${ORG}`)).status).toBe(403);
  });

  it("refuses another organization's admin with 403 FORBIDDEN_ORGANIZATION, reads included", async () => {
    for (const [method, path] of [
      ['GET', `/organizations/${ORG}`],
      ['GET', `/organizations/${ORG}/pauses`],
      ['GET', `/organizations/${ORG}/setup`],
      ['POST', `/organizations/${ORG}/pauses`],
      ['DELETE', `/organizations/${ORG}`],
    ] as const) {
      const res = await otherAdmin(method, path, method === 'POST' ? { json: { name: 'x', idStatus: 9 } } : {});
      expect([path, res.status, res.body.error.code]).toEqual([path, 403, 'FORBIDDEN_ORGANIZATION']);
    }
    expect(t.config.listPauses(ORG)).toEqual([]);
  });
});

describe('tabulation routes', () => {
  it('defaults to 30 s, refuses 4 and 3601, accepts the bounds', async () => {
    expect((await admin('GET', `/organizations/${ORG}/tabulation`)).body).toEqual({
      autoTabulation: true,
      windowSeconds: 30,
      autoTagCode: null,
    });
    for (const windowSeconds of [4, 3601, 0, -30, 12.5]) {
      const res = await admin('PUT', `/organizations/${ORG}/tabulation`, { json: { windowSeconds } });
      expect([windowSeconds, res.status, res.body.error.details.issues[0].path]).toEqual([
        windowSeconds,
        422,
        'body.windowSeconds',
      ]);
    }
    for (const windowSeconds of [5, 3600]) {
      const res = await admin('PUT', `/organizations/${ORG}/tabulation`, { json: { windowSeconds } });
      expect(res.body.windowSeconds).toBe(windowSeconds);
    }
    expect(t.config.tabulationSettings(ORG).windowSeconds).toBe(3600);
  });

  it('sets the auto-tabulation tag only to an existing tag', async () => {
    const bad = await admin('PUT', `/organizations/${ORG}/tabulation`, { json: { autoTagCode: 'NOPE' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('TAG_UNKNOWN');
    await admin('POST', `/organizations/${ORG}/tags`, { json: { code: 'AUTO', name: 'Tabulação automática' } });
    const ok = await admin('PUT', `/organizations/${ORG}/tabulation`, {
      json: { autoTabulation: true, autoTagCode: 'AUTO' },
    });
    expect(ok.body).toEqual({ autoTabulation: true, windowSeconds: 30, autoTagCode: 'AUTO' });
  });
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
    expect(t.config.userDialerCredentials(id).dialerPassword).toBe('nova-senha-ds');
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
    const adminId = t.config.userByUsername(ORG, 'admin')!.id;
    const last = await admin('DELETE', `/organizations/${ORG}/users/${adminId}`);
    expect([last.status, last.body.error.code]).toEqual([409, 'LAST_ADMIN']);
  });
});

describe('service, pause and tag routes', () => {
  it('does CRUD on services with SERVICE_EXISTS and SERVICE_NOT_FOUND', async () => {
    const s = await admin('POST', `/organizations/${ORG}/services`, { json: { name: 'URA', identifier: '7001' } });
    expect(s.status).toBe(201);
    const dup = await admin('POST', `/organizations/${ORG}/services`, { json: { name: 'Outra', identifier: '7001' } });
    expect([dup.status, dup.body.error.code]).toEqual([409, 'SERVICE_EXISTS']);
    const got = await admin('GET', `/organizations/${ORG}/services/${s.body.id}`);
    expect(got.body).toMatchObject({ name: 'URA', identifier: '7001', orgId: ORG });
    const renamed = await admin('PATCH', `/organizations/${ORG}/services/${s.body.id}`, { json: { name: 'URA 1' } });
    expect(renamed.body.name).toBe('URA 1');
    expect((await admin('GET', `/organizations/${ORG}/services`)).body).toHaveLength(1);
    expect((await admin('DELETE', `/organizations/${ORG}/services/${s.body.id}`)).status).toBe(200);
    const gone = await admin('GET', `/organizations/${ORG}/services/${s.body.id}`);
    expect([gone.status, gone.body.error.code]).toEqual([404, 'SERVICE_NOT_FOUND']);
  });

  it('does CRUD on pauses with PAUSE_DUPLICATE for a name or an ID Status, and PAUSE_NOT_FOUND', async () => {
    const p = await admin('POST', `/organizations/${ORG}/pauses`, { json: { name: 'Almoço', idStatus: 2 } });
    expect(p.status).toBe(201);
    for (const json of [
      { name: 'Almoço', idStatus: 3 },
      { name: 'Lanche', idStatus: 2 },
    ]) {
      const dup = await admin('POST', `/organizations/${ORG}/pauses`, { json });
      expect([dup.status, dup.body.error.code]).toEqual([409, 'PAUSE_DUPLICATE']);
    }
    const bad = await admin('POST', `/organizations/${ORG}/pauses`, { json: { name: 'X', idStatus: 'dois' } });
    expect([bad.status, bad.body.error.details.issues[0].path]).toEqual([422, 'body.idStatus']);
    const patched = await admin('PATCH', `/organizations/${ORG}/pauses/${p.body.id}`, { json: { idStatus: 7 } });
    expect(patched.body).toMatchObject({ name: 'Almoço', idStatus: 7 });
    expect((await agent('GET', `/organizations/${ORG}/pauses/${p.body.id}`)).body.idStatus).toBe(7);
    expect((await admin('DELETE', `/organizations/${ORG}/pauses/${p.body.id}`)).status).toBe(200);
    const gone = await admin('DELETE', `/organizations/${ORG}/pauses/${p.body.id}`);
    expect([gone.status, gone.body.error.code]).toEqual([404, 'PAUSE_NOT_FOUND']);
  });

  it('does CRUD on tags with TAG_EXISTS, TAG_NOT_FOUND and per-service filtering', async () => {
    const s = await admin('POST', `/organizations/${ORG}/services`, { json: { name: 'Vendas', identifier: 'v' } });
    const tag = await admin('POST', `/organizations/${ORG}/tags`, {
      json: { code: 'VENDA', name: 'Venda', serviceIds: [s.body.id] },
    });
    expect(tag.status).toBe(201);
    await admin('POST', `/organizations/${ORG}/tags`, { json: { code: 'RECADO', name: 'Recado' } });
    const dup = await admin('POST', `/organizations/${ORG}/tags`, { json: { code: 'VENDA', name: 'x' } });
    expect([dup.status, dup.body.error.code]).toEqual([409, 'TAG_EXISTS']);
    const unknownService = await admin('POST', `/organizations/${ORG}/tags`, {
      json: { code: 'X', name: 'x', serviceIds: ['nope'] },
    });
    expect([unknownService.status, unknownService.body.error.code]).toEqual([422, 'SERVICE_UNKNOWN']);
    const forService = await agent('GET', `/organizations/${ORG}/tags?serviceId=${s.body.id}`);
    expect(forService.body.map((x: { code: string }) => x.code)).toEqual(['RECADO', 'VENDA']);
    const patched = await admin('PATCH', `/organizations/${ORG}/tags/${tag.body.id}`, {
      json: { name: 'Venda feita' },
    });
    expect(patched.body).toMatchObject({ code: 'VENDA', name: 'Venda feita', serviceIds: [s.body.id] });
    expect((await admin('DELETE', `/organizations/${ORG}/tags/${tag.body.id}`)).status).toBe(200);
    const gone = await agent('GET', `/organizations/${ORG}/tags/${tag.body.id}`);
    expect([gone.status, gone.body.error.code]).toEqual([404, 'TAG_NOT_FOUND']);
  });
});

describe('OpenAPI', () => {
  it('documents every configuration route', () => {
    const doc = t.app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } });
    expect(Object.keys(doc.paths ?? {})).toEqual(
      expect.arrayContaining([
        '/organizations',
        '/organizations/{orgId}',
        '/organizations/{orgId}/certificate',
        '/organizations/{orgId}/tabulation',
        '/organizations/{orgId}/setup',
        '/organizations/{orgId}/users/{userId}',
        '/organizations/{orgId}/services/{serviceId}',
        '/organizations/{orgId}/pauses/{pauseId}',
        '/organizations/{orgId}/tags/{tagId}',
      ]),
    );
    expect(doc.components?.schemas).toHaveProperty('OmniSetup');
  });
});
