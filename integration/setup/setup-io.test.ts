import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../core/errors.ts';
import { type CertificateSet, ensureCertificates } from '../../harness/certs.ts';
import { configTestbed, type TestClient } from '../../harness/config-testbed.ts';
import type { Configuration } from '../configuration.ts';
import {
  exportSetup,
  importSetup,
  parseSetupText,
  REDACTED,
  renderSetup,
  type SetupDocumentInput,
} from './setup-io.ts';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const SECRETS = ['dsk_export-secret-key-1', 'senha-omni-ana', 'senha-ds-ana', 'senha-omni-root', 'senha-ds-bia'];

let dir: string;
let certs: CertificateSet;
let t: ReturnType<typeof configTestbed>;
let config: Configuration;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'omni-setup-certs-'));
  certs = await ensureCertificates(dir, { now: NOW });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An organization with a bit of everything. */
async function seedSource(c: Configuration): Promise<void> {
  await c.organizations.create({
    id: 'source',
    name: 'Fonte Cobranças',
    dialerKey: SECRETS[0],
    dialerUrl: 'https://discador.fonte.local:8443/api/v1',
    webrtcUrl: 'wss://discador.fonte.local:8443/ws',
    admin: { username: 'root', name: 'Root', password: SECRETS[3]! },
  });
  c.organizations.uploadCertificate('source', certs.server.certPem);
  const agv = c.services.create('source', { name: 'URA Cobrança', identifier: '7001' });
  const zero = c.services.create('source', { name: 'Fila Zero', identifier: '0701' });
  c.services.create('source', { name: 'Vendas', identifier: 'vendas' });
  c.pauses.create('source', { name: 'Almoço', idStatus: 2 });
  c.pauses.create('source', { name: 'Banheiro', idStatus: 3 });
  c.tags.create('source', { code: 'VENDA', name: 'Venda', serviceIds: [agv.id, zero.id] });
  c.tags.create('source', { code: '001', name: 'Sem contato' });
  c.organizations.setTabulation('source', { windowSeconds: 45, autoTagCode: '001' });
  await c.users.create('source', {
    username: 'ana',
    name: 'Ana',
    role: 'agent',
    password: SECRETS[1]!,
    useDialer: true,
    dialerUser: 'ana.ds',
    dialerPassword: SECRETS[2]!,
    slots: 2,
    serviceIds: [agv.id],
  });
  await c.users.create('source', {
    username: 'bia',
    name: 'Bia',
    role: 'supervisor',
    password: 'senha-omni-bia',
    useDialer: true,
    dialerUser: '1001',
    dialerPassword: SECRETS[4]!,
  });
}

/** The document without what legitimately differs between two organizations: origin, time, secret markers. */
function comparable(doc: SetupDocumentInput) {
  const { id: _id, dialerKey: _key, ...organization } = doc.organization ?? {};
  return {
    ...doc,
    exportedAt: undefined,
    organization,
    users: (doc.users ?? [])
      .filter((u) => u.username !== 'boss')
      .map(({ password: _p, dialerPassword: _d, ...u }) => u),
  };
}

async function codeAndPath(fn: () => unknown): Promise<[string, unknown] | undefined> {
  try {
    await fn();
    return undefined;
  } catch (e) {
    if (!isAppError(e)) throw e;
    const issues = e.details?.issues as Array<{ path: string }> | undefined;
    return [e.code, issues ? issues.map((i) => i.path) : e.details?.path];
  }
}

beforeEach(async () => {
  t = configTestbed({ now: NOW });
  config = t.config;
  await seedSource(config);
  await config.organizations.create({
    id: 'target',
    name: 'Alvo',
    admin: { username: 'boss', name: 'Boss', password: 'senha-boss-1' },
  });
});

describe('export', () => {
  it('has the whole setup by natural keys and no secret (set secrets read "***")', async () => {
    const doc = exportSetup(config, 'source', NOW);
    for (const format of ['json', 'yaml'] as const) {
      const text = renderSetup(doc, format);
      for (const secret of [...SECRETS, 'senha-omni-bia', 'scrypt$', 'v1:']) expect(text).not.toContain(secret);
    }
    expect(doc.organization).toMatchObject({
      id: 'source',
      dialerKey: REDACTED,
      certificate: expect.stringContaining('BEGIN CERTIFICATE'),
      tabulation: { autoTabulation: true, windowSeconds: 45, autoTagCode: '001' },
    });
    expect(doc.tags).toContainEqual({ code: 'VENDA', name: 'Venda', services: ['0701', '7001'] });
    expect(doc.users).toContainEqual(
      expect.objectContaining({ username: 'ana', password: REDACTED, dialerPassword: REDACTED, services: ['7001'] }),
    );
  });

  it('writes YAML that keeps ramais, codes and numeric dialer users as text', async () => {
    const yaml = renderSetup(exportSetup(config, 'source', NOW), 'yaml');
    expect(yaml).toMatch(/^# Omni setup/);
    expect(yaml).toContain('identifier: "7001"');
    expect(yaml).toContain('identifier: "0701"');
    expect(yaml).toContain('dialerUser: "1001"');
  });
});

describe('import', () => {
  it('reproduces the setup in a fresh organization from JSON, warning about what it cannot carry', async () => {
    const doc = exportSetup(config, 'source', NOW);
    const summary = await importSetup(config, 'target', parseSetupText(renderSetup(doc, 'json'), 'json'));
    expect(summary).toMatchObject({
      dryRun: false,
      organization: 'updated',
      services: { created: ['0701', '7001', 'vendas'], updated: [], unchanged: [] },
      pauses: { created: ['Almoço', 'Banheiro'] },
      tags: { created: ['001', 'VENDA'] },
      users: { created: expect.arrayContaining(['ana', 'bia', 'root']) },
    });
    expect(summary.warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining('organization.dialerKey'),
        expect.stringMatching(/users\[\d\] \(ana\): created without a password/),
        expect.stringMatching(/users\[\d\] \(ana\): uses the dialer but has no dialer password/),
      ]),
    );
    const copy = exportSetup(config, 'target', NOW);
    expect(comparable(copy)).toEqual(comparable(doc));
    expect(config.users.get('target', config.users.byUsername('target', 'ana')!.id).hasPassword).toBe(false);
    expect(await config.users.authenticate('target', 'ana', SECRETS[1]!)).toBeUndefined();
  });

  it('reproduces the setup from YAML', async () => {
    const doc = exportSetup(config, 'source', NOW);
    await importSetup(config, 'target', parseSetupText(renderSetup(doc, 'yaml'), 'yaml'));
    expect(comparable(exportSetup(config, 'target', NOW))).toEqual(comparable(doc));
  });

  it('sets the secrets the document gives, sealed and hashed', async () => {
    const doc = exportSetup(config, 'source', NOW);
    doc.organization!.dialerKey = 'dsk_given-in-import-9';
    const ana = doc.users!.find((u) => u.username === 'ana')!;
    ana.password = 'nova-senha-ana';
    ana.dialerPassword = 'nova-senha-ds-ana';
    await importSetup(config, 'target', doc);
    expect(config.organizations.partialDialerSettings('target').dialerKey).toBe('dsk_given-in-import-9');
    const user = await config.users.authenticate('target', 'ana', 'nova-senha-ana');
    expect(user).toBeDefined();
    expect(config.users.dialerCredentials(user!.id).dialerPassword).toBe('nova-senha-ds-ana');
    const dbText = JSON.stringify([
      t.db.prepare('SELECT * FROM users').all(),
      t.db.prepare('SELECT * FROM organizations').all(),
    ]);
    for (const s of ['dsk_given-in-import-9', 'nova-senha-ana', 'nova-senha-ds-ana']) expect(dbText).not.toContain(s);
  });

  it('leaves everything unchanged when the same document comes back, keeping secrets', async () => {
    const doc = exportSetup(config, 'source', NOW);
    const summary = await importSetup(config, 'source', doc);
    expect(summary.organization).toBe('unchanged');
    for (const k of ['services', 'pauses', 'tags', 'users'] as const) {
      expect(summary[k].created).toEqual([]);
      expect(summary[k].updated).toEqual([]);
    }
    expect(summary.warnings).toEqual([]);
    expect(await config.users.authenticate('source', 'ana', SECRETS[1]!)).toBeDefined();
    expect(config.organizations.partialDialerSettings('source').dialerKey).toBe(SECRETS[0]);
  });

  it('updates by natural key, swapping ID Statuses, and never deletes', async () => {
    const summary = await importSetup(config, 'source', {
      pauses: [
        { name: 'Almoço', idStatus: 3 },
        { name: 'Banheiro', idStatus: 2 },
        { name: 'Treinamento', idStatus: 4 },
      ],
      services: [{ identifier: 7001, name: 'URA Nova' }],
      users: [{ username: 'ana', name: 'Ana Souza', role: 'agent', useDialer: true, dialerUser: 'ana.ds', slots: 3 }],
    });
    expect(summary).toMatchObject({
      pauses: { created: ['Treinamento'], updated: ['Almoço', 'Banheiro'] },
      services: { updated: ['7001'] },
      users: { updated: ['ana'] },
    });
    expect(config.pauses.list('source').map((p) => `${p.idStatus}:${p.name}`)).toEqual([
      '2:Banheiro',
      '3:Almoço',
      '4:Treinamento',
    ]);
    expect(config.services.list('source')).toHaveLength(3);
    expect(config.users.byUsername('source', 'ana')).toMatchObject({
      name: 'Ana Souza',
      slots: 3,
      hasDialerPassword: true,
    });
  });

  it('changes nothing on a dry run, and answers what it would do', async () => {
    const summary = await importSetup(config, 'target', exportSetup(config, 'source', NOW), { dryRun: true });
    expect(summary.dryRun).toBe(true);
    expect(summary.services.created).toHaveLength(3);
    expect(config.services.list('target')).toEqual([]);
    expect(config.users.list('target').map((u) => u.username)).toEqual(['boss']);
  });

  it('names the path of every invalid place in the document', async () => {
    expect(
      await codeAndPath(() =>
        importSetup(config, 'target', {
          pauses: [
            { name: 'A', idStatus: 2 },
            { name: 'B', idStatus: 2 },
          ],
          users: [
            { username: 'ok', name: 'Ok', role: 'agent' },
            { username: 'x', name: 'X', role: 'agent', password: 'curta' },
            { username: 'y', name: 'Y', role: 'agent', useDialer: true },
            { username: 'z', name: 'Z', role: 'chefe', pasword: 'typo-in-key' },
          ],
        }),
      ),
    ).toEqual([
      'VALIDATION_FAILED',
      expect.arrayContaining([
        'users[1].password',
        'users[2].dialerUser',
        'users[3].role',
        'users[3]',
        'pauses[1].idStatus',
      ]),
    ]);
  });

  it('names the path of references and conflicts found while applying, and applies nothing', async () => {
    expect(
      await codeAndPath(() => importSetup(config, 'target', { tags: [{ code: 'T', name: 'T', services: ['7001'] }] })),
    ).toEqual(['SERVICE_UNKNOWN', 'tags[0].services[0]']);
    expect(
      await codeAndPath(() =>
        importSetup(config, 'target', {
          services: [{ identifier: 's', name: 'S' }],
          organization: { certificate: 'not a certificate' },
        }),
      ),
    ).toEqual(['CERTIFICATE_UNREADABLE', 'organization.certificate']);
    expect(
      await codeAndPath(() =>
        importSetup(config, 'target', {
          services: [{ identifier: 's', name: 'S' }],
          organization: { tabulation: { autoTagCode: 'NOPE' } },
        }),
      ),
    ).toEqual(['TAG_UNKNOWN', 'organization.tabulation']);
    config.pauses.create('target', { name: 'Lanche', idStatus: 2 });
    expect(
      await codeAndPath(() => importSetup(config, 'target', { pauses: [{ name: 'Almoço', idStatus: 2 }] })),
    ).toEqual(['PAUSE_DUPLICATE', 'pauses[0].idStatus']);
    await config.users.create('target', { username: 'cai', name: 'Cai', role: 'agent', password: 'senha-cai-1' });
    expect(
      await codeAndPath(() =>
        importSetup(config, 'target', { users: [{ username: 'boss', name: 'Boss', role: 'agent' }] }),
      ),
    ).toEqual(['LAST_ADMIN', 'users[0]']);
    expect(config.services.list('target')).toEqual([]);
  });

  it('carries names exactly (a trailing space included) and whether each user is active', async () => {
    config.pauses.create('source', { name: 'Treinamento ', idStatus: 4 });
    const ana = config.users.byUsername('source', 'ana')!;
    await config.users.update('source', ana.id, { active: false });
    const doc = exportSetup(config, 'source', NOW);
    expect(doc.pauses).toContainEqual({ name: 'Treinamento ', idStatus: 4 });
    expect(doc.users).toContainEqual(expect.objectContaining({ username: 'ana', active: false }));
    await importSetup(config, 'target', parseSetupText(renderSetup(doc, 'yaml'), 'yaml'));
    expect(config.pauses.byIdStatus('target', 4)?.name).toBe('Treinamento ');
    expect(config.users.byUsername('target', 'ana')?.active).toBe(false);
  });

  it('refuses a control character in a name, naming its place in the document', async () => {
    expect(
      await codeAndPath(() => importSetup(config, 'target', { pauses: [{ name: 'Almo\u0000ço', idStatus: 2 }] })),
    ).toEqual(['VALIDATION_FAILED', ['pauses[0].name']]);
  });

  it('hands the admin role over within one document', async () => {
    const summary = await importSetup(config, 'target', {
      users: [
        { username: 'boss', name: 'Boss', role: 'agent' },
        { username: 'novo', name: 'Novo', role: 'admin', password: 'senha-novo-1' },
      ],
    });
    expect(summary.users).toMatchObject({ created: ['novo'], updated: ['boss'] });
  });

  it('reads hand-written YAML with unquoted numbers, keeping leading zeros, and reports bad YAML by line', async () => {
    const doc = parseSetupText(
      [
        'services:',
        '  - identifier: 7002',
        '    name: URA 2',
        '  - identifier: 0702',
        '    name: URA zero',
        'tags:',
        '  - code: 002',
        '    name: Recado',
        '    services: [7002]',
      ].join('\n'),
      'yaml',
    );
    await importSetup(config, 'target', doc);
    expect(config.services.list('target').map((s) => s.identifier)).toEqual(['0702', '7002']);
    expect(config.tags.byCode('target', '002')?.serviceIds).toHaveLength(1);
    try {
      parseSetupText('services:\n  - identifier: [1, 2\nname: x', 'yaml');
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('SETUP_UNREADABLE');
      expect(isAppError(e) && e.details).toMatchObject({ line: expect.any(Number) });
    }
  });
});

describe('setup routes', () => {
  let admin: TestClient;
  let targetAdmin: TestClient;
  beforeEach(() => {
    admin = t.as({ orgId: 'source', role: 'admin' });
    targetAdmin = t.as({ orgId: 'target', role: 'admin' });
  });

  it('exports YAML and imports it into another organization', async () => {
    const yaml = await admin('GET', '/organizations/source/setup?format=yaml');
    expect(yaml.status).toBe(200);
    expect(yaml.headers.get('content-type')).toContain('application/yaml');
    for (const secret of SECRETS) expect(yaml.text).not.toContain(secret);
    const dry = await targetAdmin('POST', '/organizations/target/setup?dryRun=true', {
      body: yaml.text,
      contentType: 'application/yaml',
    });
    expect([dry.status, dry.body.dryRun]).toEqual([200, true]);
    expect(t.config.services.list('target')).toEqual([]);
    const res = await targetAdmin('POST', '/organizations/target/setup', {
      body: yaml.text,
      contentType: 'application/yaml',
    });
    expect(res.status).toBe(200);
    expect(res.body.services.created).toEqual(['0701', '7001', 'vendas']);
    const json = await targetAdmin('GET', '/organizations/target/setup');
    expect(json.headers.get('content-type')).toContain('application/json');
    expect(comparable(json.body)).toEqual(comparable(exportSetup(config, 'source', NOW)));
  });

  it('answers 422 with document paths, 400 for unreadable text, 415 for other types, 403 for agents', async () => {
    const bad = await targetAdmin('POST', '/organizations/target/setup', {
      json: { pauses: [{ name: 'A', idStatus: 'x' }] },
    });
    expect([bad.status, bad.body.error.code, bad.body.error.details.issues[0].path]).toEqual([
      422,
      'VALIDATION_FAILED',
      'pauses[0].idStatus',
    ]);
    const unreadable = await targetAdmin('POST', '/organizations/target/setup', {
      body: '{ not json',
      contentType: 'application/json',
    });
    expect([unreadable.status, unreadable.body.error.code]).toEqual([400, 'SETUP_UNREADABLE']);
    const csv = await targetAdmin('POST', '/organizations/target/setup', { body: 'a,b', contentType: 'text/csv' });
    expect([csv.status, csv.body.error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const agent = t.as({ orgId: 'target', role: 'agent' });
    expect((await agent('GET', '/organizations/target/setup')).status).toBe(403);
    expect((await agent('POST', '/organizations/target/setup', { json: {} })).status).toBe(403);
  });
});
