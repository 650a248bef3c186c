import { beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../core/errors.ts';
import { configTestbed, TEST_SCRYPT_COST } from '../../harness/config-testbed.ts';
import { hashPassword, NO_PASSWORD, verifyPassword } from './passwords.ts';
import { type Config, slugify } from './repository.ts';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (isAppError(e)) return e.code;
    throw e;
  }
}

let t: ReturnType<typeof configTestbed>;
let config: Config;
const ORG = 'acme';
const ADMIN = { username: 'admin', name: 'Admin', password: 'senha-admin-1' };

beforeEach(() => {
  t = configTestbed();
  config = t.config;
  config.createOrganization({ id: ORG, name: 'ACME Cobranças', admin: ADMIN });
});

describe('passwords', () => {
  it('hashes with a random salt and verifies only the right password', () => {
    const a = hashPassword('correct horse', TEST_SCRYPT_COST);
    const b = hashPassword('correct horse', TEST_SCRYPT_COST);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(verifyPassword('correct horse', a)).toBe(true);
    expect(verifyPassword('correct horsE', a)).toBe(false);
    expect(verifyPassword('anything', NO_PASSWORD)).toBe(false);
    expect(verifyPassword('anything', 'scrypt$garbage')).toBe(false);
  });
});

describe('organizations', () => {
  it('creates with the default tabulation (auto on, 30 s, no tag) and lists what the dialer still needs', () => {
    const org = config.getOrganization(ORG);
    expect(org).toMatchObject({
      id: ORG,
      media: 'dialer',
      hasDialerKey: false,
      dialerUrl: null,
      certificate: null,
      tabulation: { autoTabulation: true, windowSeconds: 30, autoTagCode: null },
      missing: ['dialerKey', 'dialerUrl', 'webrtcUrl', 'certificate'],
    });
  });

  it('derives an id from the name, unique, and refuses an explicit id that exists with ORGANIZATION_EXISTS', () => {
    expect(slugify('ACME Cobranças Ltda.')).toBe('acme-cobrancas-ltda');
    expect(config.createOrganization({ name: 'Beta Serviços' }).id).toBe('beta-servicos');
    expect(config.createOrganization({ name: 'Beta Serviços' }).id).toBe('beta-servicos-2');
    expect(code(() => config.createOrganization({ id: ORG, name: 'x' }))).toBe('ORGANIZATION_EXISTS');
  });

  it('seals the dialer key: never in a read model, not in clear in the database, clear for the dialer client', () => {
    const key = 'dsk_super-secret-key-123';
    const org = config.updateOrganization(ORG, {
      dialerKey: key,
      dialerUrl: 'https://discador.local:8443/api/v1',
      webrtcUrl: 'wss://discador.local:8443/ws',
    });
    expect(org.hasDialerKey).toBe(true);
    expect(JSON.stringify(org)).not.toContain(key);
    const stored = t.db.prepare('SELECT dialer_key_sealed FROM organizations WHERE id = ?').get(ORG) as {
      dialer_key_sealed: string;
    };
    expect(stored.dialer_key_sealed).toMatch(/^v1:/);
    expect(JSON.stringify(t.db.prepare('SELECT * FROM organizations').all())).not.toContain(key);
    expect(config.partialDialerSettings(ORG)).toMatchObject({ dialerKey: key, missing: ['certificate'] });
  });

  it('refuses dialerSettings while incomplete with DIALER_NOT_CONFIGURED naming what is missing', () => {
    config.updateOrganization(ORG, { dialerUrl: 'https://d.local' });
    try {
      config.dialerSettings(ORG);
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('DIALER_NOT_CONFIGURED');
      expect(isAppError(e) && e.details).toMatchObject({ missing: ['dialerKey', 'webrtcUrl', 'certificate'] });
    }
  });

  it('validates URLs: the dialer over https only, WebRTC over wss or https', () => {
    expect(code(() => config.updateOrganization(ORG, { dialerUrl: 'http://d.local' }))).toBe('VALIDATION_FAILED');
    expect(code(() => config.updateOrganization(ORG, { webrtcUrl: 'ws://d.local' }))).toBe('VALIDATION_FAILED');
    expect(config.updateOrganization(ORG, { webrtcUrl: 'https://d.local/ws' }).webrtcUrl).toBe('https://d.local/ws');
  });

  it('tells listeners when dialer settings change', () => {
    const seen: string[] = [];
    const off = config.onDialerSettingsChange((o) => seen.push(o));
    config.updateOrganization(ORG, { name: 'Renamed' });
    config.updateOrganization(ORG, { dialerUrl: 'https://d.local' });
    off();
    config.updateOrganization(ORG, { dialerUrl: 'https://e.local' });
    expect(seen).toEqual([ORG]);
  });

  it('404 ORGANIZATION_NOT_FOUND for an unknown organization', () => {
    expect(code(() => config.getOrganization('nope'))).toBe('ORGANIZATION_NOT_FOUND');
    expect(code(() => config.listUsers('nope'))).toBe('ORGANIZATION_NOT_FOUND');
  });
});

describe('tabulation', () => {
  it('keeps the window within 5..3600 s and leaves unspecified fields alone', () => {
    expect(code(() => config.setTabulation(ORG, { windowSeconds: 4 }))).toBe('VALIDATION_FAILED');
    expect(code(() => config.setTabulation(ORG, { windowSeconds: 3601 }))).toBe('VALIDATION_FAILED');
    expect(code(() => config.setTabulation(ORG, { windowSeconds: 30.5 }))).toBe('VALIDATION_FAILED');
    expect(config.setTabulation(ORG, { windowSeconds: 5 })).toEqual({
      autoTabulation: true,
      windowSeconds: 5,
      autoTagCode: null,
    });
    expect(config.setTabulation(ORG, { autoTabulation: false }).windowSeconds).toBe(5);
    expect(config.setTabulation(ORG, { windowSeconds: 3600 }).windowSeconds).toBe(3600);
  });

  it('accepts only an existing tag as the auto-tabulation tag, follows its renames and protects it', () => {
    expect(code(() => config.setTabulation(ORG, { autoTagCode: 'NOPE' }))).toBe('TAG_UNKNOWN');
    const tag = config.createTag(ORG, { code: 'SEM_CONTATO', name: 'Sem contato' });
    expect(config.setTabulation(ORG, { autoTagCode: 'SEM_CONTATO' }).autoTagCode).toBe('SEM_CONTATO');
    config.updateTag(ORG, tag.id, { code: 'AUTO' });
    expect(config.tabulationSettings(ORG).autoTagCode).toBe('AUTO');
    expect(code(() => config.deleteTag(ORG, tag.id))).toBe('TAG_IN_USE');
    config.setTabulation(ORG, { autoTagCode: null });
    config.deleteTag(ORG, tag.id);
    expect(config.listTags(ORG)).toEqual([]);
  });
});

describe('users', () => {
  const agent = {
    username: 'ana',
    name: 'Ana',
    role: 'agent' as const,
    password: 'senha-da-ana',
    useDialer: true,
    dialerUser: 'ana.ds',
    dialerPassword: 'senha-discador-ana',
  };

  it('hashes the Omni password and seals the dialer password; reads carry neither', () => {
    const u = config.createUser(ORG, agent);
    expect(u).toMatchObject({ username: 'ana', hasPassword: true, hasDialerPassword: true, slots: 1, serviceIds: [] });
    const everything = JSON.stringify([u, config.listUsers(ORG), config.getUser(ORG, u.id)]);
    expect(everything).not.toContain('senha-da-ana');
    expect(everything).not.toContain('senha-discador-ana');
    const row = t.db.prepare('SELECT * FROM users WHERE id = ?').get(u.id) as Record<string, string>;
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.dialer_password_sealed).toMatch(/^v1:/);
    expect(JSON.stringify(t.db.prepare('SELECT * FROM users').all())).not.toMatch(/senha-(da|discador)-ana/);
    expect(config.userDialerCredentials(u.id)).toEqual({ dialerUser: 'ana.ds', dialerPassword: 'senha-discador-ana' });
  });

  it('authenticates by organization, username and password', () => {
    const u = config.createUser(ORG, agent);
    expect(config.authenticate(ORG, 'ana', 'senha-da-ana')?.id).toBe(u.id);
    expect(config.authenticate(ORG, 'ana', 'wrong-password')).toBeUndefined();
    expect(config.authenticate(ORG, 'nobody', 'senha-da-ana')).toBeUndefined();
    config.createOrganization({ id: 'other', name: 'Other' });
    expect(config.authenticate('other', 'ana', 'senha-da-ana')).toBeUndefined();
  });

  it('needs the dialer user and password with "Utilizar discador", and a password of 8 characters', () => {
    expect(code(() => config.createUser(ORG, { ...agent, dialerUser: undefined }))).toBe('VALIDATION_FAILED');
    expect(code(() => config.createUser(ORG, { ...agent, dialerPassword: undefined }))).toBe('VALIDATION_FAILED');
    expect(code(() => config.createUser(ORG, { ...agent, password: 'short' }))).toBe('VALIDATION_FAILED');
    const u = config.createUser(ORG, { ...agent, useDialer: false, dialerUser: undefined, dialerPassword: undefined });
    expect(code(() => config.updateUser(ORG, u.id, { useDialer: true }))).toBe('VALIDATION_FAILED');
    expect(code(() => config.userDialerCredentials(u.id))).toBe('USER_DIALER_CREDENTIALS_MISSING');
  });

  it('refuses a taken username (USER_EXISTS) and a dialer user of another Omni user (DIALER_USER_IN_USE)', () => {
    config.createUser(ORG, agent);
    expect(code(() => config.createUser(ORG, { ...agent, dialerUser: 'other' }))).toBe('USER_EXISTS');
    expect(code(() => config.createUser(ORG, { ...agent, username: 'bia' }))).toBe('DIALER_USER_IN_USE');
  });

  it('updates fields, links services, and keeps secrets unless given', () => {
    const u = config.createUser(ORG, agent);
    const s = config.createService(ORG, { name: 'Cobrança', identifier: 'cobranca' });
    const updated = config.updateUser(ORG, u.id, { name: 'Ana Souza', slots: 2, serviceIds: [s.id] });
    expect(updated).toMatchObject({ name: 'Ana Souza', slots: 2, serviceIds: [s.id], hasDialerPassword: true });
    expect(config.authenticate(ORG, 'ana', 'senha-da-ana')).toBeDefined();
    config.updateUser(ORG, u.id, { password: 'nova-senha-ana' });
    expect(config.authenticate(ORG, 'ana', 'nova-senha-ana')).toBeDefined();
    expect(config.usersOfService(s.id).map((x) => x.username)).toEqual(['ana']);
    expect(code(() => config.updateUser(ORG, u.id, { serviceIds: ['nope'] }))).toBe('SERVICE_UNKNOWN');
    expect(code(() => config.updateUser(ORG, 'nope', { name: 'x' }))).toBe('USER_NOT_FOUND');
  });

  it('never lets the last administrator go (LAST_ADMIN)', () => {
    const admin = config.userByUsername(ORG, 'admin')!;
    expect(code(() => config.deleteUser(ORG, admin.id))).toBe('LAST_ADMIN');
    expect(code(() => config.updateUser(ORG, admin.id, { role: 'agent' }))).toBe('LAST_ADMIN');
    config.createUser(ORG, { username: 'admin2', name: 'Admin 2', role: 'admin', password: 'senha-admin-2' });
    config.deleteUser(ORG, admin.id);
    expect(config.userByUsername(ORG, 'admin')).toBeUndefined();
  });

  it('scopes users to their organization', () => {
    const u = config.createUser(ORG, agent);
    config.createOrganization({ id: 'other', name: 'Other' });
    expect(code(() => config.getUser('other', u.id))).toBe('USER_NOT_FOUND');
    expect(config.findUser(u.id)?.orgId).toBe(ORG);
  });
});

describe('services', () => {
  it('finds the AGV service by its ramal; identifiers are unique per organization', () => {
    const s = config.createService(ORG, { name: 'URA Cobrança', identifier: '7001' });
    expect(config.serviceByIdentifier(ORG, '7001')?.id).toBe(s.id);
    expect(config.serviceByIdentifier(ORG, '7002')).toBeUndefined();
    expect(code(() => config.createService(ORG, { name: 'Outra', identifier: '7001' }))).toBe('SERVICE_EXISTS');
    config.createOrganization({ id: 'other', name: 'Other' });
    expect(config.createService('other', { name: 'URA', identifier: '7001' }).identifier).toBe('7001');
    const other = config.createService(ORG, { name: 'B', identifier: '7002' });
    expect(code(() => config.updateService(ORG, other.id, { identifier: '7001' }))).toBe('SERVICE_EXISTS');
    config.deleteService(ORG, s.id);
    expect(code(() => config.getService(ORG, s.id))).toBe('SERVICE_NOT_FOUND');
  });
});

describe('pauses', () => {
  it('keeps names and ID Statuses unique (PAUSE_DUPLICATE) and finds a pause by ID Status', () => {
    const lunch = config.createPause(ORG, { name: 'Almoço', idStatus: 2 });
    expect(code(() => config.createPause(ORG, { name: 'Almoço', idStatus: 9 }))).toBe('PAUSE_DUPLICATE');
    expect(code(() => config.createPause(ORG, { name: 'Lanche', idStatus: 2 }))).toBe('PAUSE_DUPLICATE');
    const wc = config.createPause(ORG, { name: 'Banheiro', idStatus: 3 });
    expect(code(() => config.updatePause(ORG, wc.id, { idStatus: 2 }))).toBe('PAUSE_DUPLICATE');
    expect(config.updatePause(ORG, wc.id, { name: 'Banheiro' }).name).toBe('Banheiro');
    expect(config.pauseByIdStatus(ORG, 2)?.id).toBe(lunch.id);
    expect(config.pauseByIdStatus(ORG, 99)).toBeUndefined();
  });

  it('swaps ID Statuses between pauses in one step', () => {
    const a = config.createPause(ORG, { name: 'A', idStatus: 2 });
    const b = config.createPause(ORG, { name: 'B', idStatus: 3 });
    config.reassignPauseIdStatuses(ORG, [
      { pauseId: a.id, idStatus: 3 },
      { pauseId: b.id, idStatus: 2 },
    ]);
    expect(config.listPauses(ORG).map((p) => [p.name, p.idStatus])).toEqual([
      ['B', 2],
      ['A', 3],
    ]);
    const c = config.createPause(ORG, { name: 'C', idStatus: 4 });
    expect(code(() => config.reassignPauseIdStatuses(ORG, [{ pauseId: c.id, idStatus: 2 }]))).toBe('PAUSE_DUPLICATE');
    expect(config.getPause(ORG, c.id).idStatus).toBe(4);
  });

  it('trims names and refuses an ID Status outside 0..9999', () => {
    expect(config.createPause(ORG, { name: '  Treinamento ', idStatus: 4 }).name).toBe('Treinamento');
    expect(code(() => config.createPause(ORG, { name: 'X', idStatus: -1 }))).toBe('VALIDATION_FAILED');
    expect(code(() => config.createPause(ORG, { name: '', idStatus: 5 }))).toBe('VALIDATION_FAILED');
  });
});

describe('tags', () => {
  it('keeps codes unique (TAG_EXISTS), links services, and offers unlinked tags in every service', () => {
    const s1 = config.createService(ORG, { name: 'S1', identifier: 's1' });
    const s2 = config.createService(ORG, { name: 'S2', identifier: 's2' });
    config.createTag(ORG, { code: 'VENDA', name: 'Venda', serviceIds: [s1.id] });
    config.createTag(ORG, { code: 'RECADO', name: 'Recado' });
    expect(code(() => config.createTag(ORG, { code: 'VENDA', name: 'x' }))).toBe('TAG_EXISTS');
    expect(code(() => config.createTag(ORG, { code: 'X', name: 'x', serviceIds: ['nope'] }))).toBe('SERVICE_UNKNOWN');
    expect(config.tagByCode(ORG, 'VENDA')?.serviceIds).toEqual([s1.id]);
    expect(config.tagsForService(ORG, s1.id).map((x) => x.code)).toEqual(['RECADO', 'VENDA']);
    expect(config.tagsForService(ORG, s2.id).map((x) => x.code)).toEqual(['RECADO']);
    config.deleteService(ORG, s1.id);
    expect(config.tagByCode(ORG, 'VENDA')?.serviceIds).toEqual([]);
  });
});

describe('deleting an organization', () => {
  it('removes its users, services, pauses and tags', () => {
    config.createService(ORG, { name: 'S', identifier: 's' });
    config.createPause(ORG, { name: 'P', idStatus: 2 });
    config.createTag(ORG, { code: 'T', name: 'T' });
    config.deleteOrganization(ORG);
    for (const table of ['users', 'services', 'pauses', 'tags'])
      expect(t.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get()).toEqual({ n: 0 });
  });
});
