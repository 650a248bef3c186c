import { beforeEach, describe, expect, it } from 'vitest';
import { type configTestbed, configTestbedWithOrganizations, type TestClient } from '../../harness/config-testbed.ts';

const ORG = 'acme';
let t: ReturnType<typeof configTestbed>;
let admin: TestClient;
let agent: TestClient;
let supervisor: TestClient;
let otherAdmin: TestClient;
let anonymous: TestClient;

beforeEach(async () => {
  ({ t, admin, agent, supervisor, otherAdmin, anonymous } = await configTestbedWithOrganizations());
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

  it('creates an organization with its first admin (platform operator only), 409 ORGANIZATION_EXISTS on a taken id', async () => {
    const operator = t.asOperator();
    const res = await operator('POST', '/organizations', {
      json: { id: 'beta', name: 'Beta', admin: { username: 'root', name: 'Root', password: 'senha-root-1' } },
    });
    expect(res.status).toBe(201);
    expect(res.text).not.toContain('senha-root-1');
    expect((await t.config.users.authenticate('beta', 'root', 'senha-root-1'))?.role).toBe('admin');
    const again = await operator('POST', '/organizations', {
      json: { id: 'beta', name: 'Beta', admin: { username: 'root', name: 'Root', password: 'senha-root-1' } },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ORGANIZATION_EXISTS');
    const noAdmin = await operator('POST', '/organizations', { json: { name: 'Gamma' } });
    expect(noAdmin.status).toBe(422);
    expect(noAdmin.body.error.details.issues[0].path).toBe('body.admin');
    const byAgent = await agent('POST', '/organizations', {
      json: { name: 'Delta', admin: { username: 'root', name: 'Root', password: 'senha-root-1' } },
    });
    expect(byAgent.status).toBe(403);
    expect(byAgent.body.error.code).toBe('OPERATOR_REQUIRED');
  });

  it("refuses an organization's admin with 403 OPERATOR_REQUIRED, saying who can", async () => {
    const res = await admin('POST', '/organizations', {
      json: { name: 'Epsilon', admin: { username: 'root', name: 'Root', password: 'senha-root-1' } },
    });
    expect([res.status, res.body.error.code]).toEqual([403, 'OPERATOR_REQUIRED']);
    expect(res.body.error.message).toContain('X-Omni-Operator-Token');
    expect(res.body.error.message).toContain("an organization's administrator cannot do it");
    expect(t.config.organizations.list().map((o) => o.id)).toEqual([ORG, 'other']);
  });

  it('refuses a wrong operator token with 401, and lists every organization to the operator', async () => {
    const wrong = await t.asOperator('not-the-operator-token')('POST', '/organizations', { json: { name: 'Zeta' } });
    expect([wrong.status, wrong.body.error.code]).toEqual([401, 'OPERATOR_TOKEN_INVALID']);
    const all = await t.asOperator()('GET', '/organizations');
    expect([all.status, all.body.map((o: { id: string }) => o.id)]).toEqual([200, [ORG, 'other']]);
    const own = await admin('GET', '/organizations');
    expect(own.body.map((o: { id: string }) => o.id)).toEqual([ORG]);
    expect((await agent('GET', '/organizations')).status).toBe(403);
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
    expect(t.config.organizations.exists(ORG)).toBe(false);
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
    expect(t.config.organizations.exists(ORG)).toBe(true);
  });

  it('lets every role of the organization read its pauses and tags, not its users or settings', async () => {
    t.config.pauses.create(ORG, { name: 'Almoço', idStatus: 2 });
    t.config.tags.create(ORG, { code: 'VENDA', name: 'Venda' });
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
    expect(t.config.pauses.list(ORG)).toEqual([]);
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
    expect(t.config.organizations.tabulation(ORG).windowSeconds).toBe(3600);
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
