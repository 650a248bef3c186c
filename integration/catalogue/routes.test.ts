import { beforeEach, describe, expect, it } from 'vitest';
import { configTestbedWithOrganizations, type TestClient } from '../../harness/config-testbed.ts';

const ORG = 'acme';
let admin: TestClient;
let agent: TestClient;

beforeEach(async () => {
  ({ admin, agent } = await configTestbedWithOrganizations());
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

describe('names over HTTP', () => {
  it('keeps a pause name exactly as sent and refuses NUL with a 422 that says where', async () => {
    const spaced = await admin('POST', `/organizations/${ORG}/pauses`, { json: { name: 'Banheiro ', idStatus: 3 } });
    expect([spaced.status, spaced.body.name]).toEqual([201, 'Banheiro ']);
    const nul = await admin('POST', `/organizations/${ORG}/tags`, { json: { code: 'VEN\u0000DA', name: 'Venda' } });
    expect([nul.status, nul.body.error.code, nul.body.error.details.issues[0].path]).toEqual([
      422,
      'VALIDATION_FAILED',
      'body.code',
    ]);
    expect(nul.body.error.message).toContain('U+0000 NUL at index 3');
  });
});
