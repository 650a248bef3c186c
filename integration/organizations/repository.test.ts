import { beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../core/errors.ts';
import { configTestbed, thrownCode } from '../../harness/config-testbed.ts';
import type { Configuration } from '../configuration.ts';
import { slugify } from './repository.ts';

let t: ReturnType<typeof configTestbed>;
let config: Configuration;
const ORG = 'acme';
const ADMIN = { username: 'admin', name: 'Admin', password: 'senha-admin-1' };

beforeEach(async () => {
  t = configTestbed();
  config = t.config;
  await config.organizations.create({ id: ORG, name: 'ACME Cobranças', admin: ADMIN });
});

describe('organizations', () => {
  it('creates with the default tabulation (auto on, 30 s, no tag) and lists what the dialer still needs', async () => {
    const org = config.organizations.get(ORG);
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

  it('creates the first administrator with the organization', async () => {
    expect(config.users.byUsername(ORG, 'admin')).toMatchObject({ role: 'admin', active: true, hasPassword: true });
  });

  it('derives an id from the name, unique, and refuses an explicit id that exists with ORGANIZATION_EXISTS', async () => {
    expect(slugify('ACME Cobranças Ltda.')).toBe('acme-cobrancas-ltda');
    expect((await config.organizations.create({ name: 'Beta Serviços' })).id).toBe('beta-servicos');
    expect((await config.organizations.create({ name: 'Beta Serviços' })).id).toBe('beta-servicos-2');
    expect(await thrownCode(() => config.organizations.insert({ id: ORG, name: 'x' }))).toBe('ORGANIZATION_EXISTS');
  });

  it('stores the name exactly as given, and refuses a blank one or one with control characters', async () => {
    expect(config.organizations.update(ORG, { name: ' ACME  Cobranças ' }).name).toBe(' ACME  Cobranças ');
    expect(await thrownCode(() => config.organizations.update(ORG, { name: '   ' }))).toBe('VALIDATION_FAILED');
    expect(await thrownCode(() => config.organizations.update(ORG, { name: 'ACME\u0000' }))).toBe('VALIDATION_FAILED');
  });

  it('seals the dialer key: never in a read model, not in clear in the database, clear for the dialer client', async () => {
    const key = 'dsk_super-secret-key-123';
    const org = config.organizations.update(ORG, {
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
    expect(config.organizations.partialDialerSettings(ORG)).toMatchObject({ dialerKey: key, missing: ['certificate'] });
  });

  it('refuses a dialer key with spaces or control characters instead of trimming it', async () => {
    expect(await thrownCode(() => config.organizations.update(ORG, { dialerKey: ' dsk_0123456789 ' }))).toBe(
      'VALIDATION_FAILED',
    );
    expect(await thrownCode(() => config.organizations.update(ORG, { dialerKey: 'dsk_0123\u00004567' }))).toBe(
      'VALIDATION_FAILED',
    );
  });

  it('refuses dialerSettings while incomplete with DIALER_NOT_CONFIGURED naming what is missing', async () => {
    config.organizations.update(ORG, { dialerUrl: 'https://d.local' });
    try {
      config.organizations.dialerSettings(ORG);
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('DIALER_NOT_CONFIGURED');
      expect(isAppError(e) && e.details).toMatchObject({ missing: ['dialerKey', 'webrtcUrl', 'certificate'] });
    }
  });

  it('validates URLs: the dialer over https only, WebRTC over wss or https', async () => {
    expect(await thrownCode(() => config.organizations.update(ORG, { dialerUrl: 'http://d.local' }))).toBe(
      'VALIDATION_FAILED',
    );
    expect(await thrownCode(() => config.organizations.update(ORG, { webrtcUrl: 'ws://d.local' }))).toBe(
      'VALIDATION_FAILED',
    );
    expect(config.organizations.update(ORG, { webrtcUrl: 'https://d.local/ws' }).webrtcUrl).toBe('https://d.local/ws');
  });

  it('tells listeners when dialer settings change', async () => {
    const seen: string[] = [];
    const off = config.organizations.onDialerSettingsChange((o) => seen.push(o));
    config.organizations.update(ORG, { name: 'Renamed' });
    config.organizations.update(ORG, { dialerUrl: 'https://d.local' });
    off();
    config.organizations.update(ORG, { dialerUrl: 'https://e.local' });
    expect(seen).toEqual([ORG]);
  });

  it('404 ORGANIZATION_NOT_FOUND for an unknown organization', async () => {
    expect(await thrownCode(() => config.organizations.get('nope'))).toBe('ORGANIZATION_NOT_FOUND');
    expect(await thrownCode(() => config.users.list('nope'))).toBe('ORGANIZATION_NOT_FOUND');
  });
});

describe('tabulation', () => {
  it('keeps the window within 5..3600 s and leaves unspecified fields alone', async () => {
    const orgs = config.organizations;
    expect(await thrownCode(() => orgs.setTabulation(ORG, { windowSeconds: 4 }))).toBe('VALIDATION_FAILED');
    expect(await thrownCode(() => orgs.setTabulation(ORG, { windowSeconds: 3601 }))).toBe('VALIDATION_FAILED');
    expect(await thrownCode(() => orgs.setTabulation(ORG, { windowSeconds: 30.5 }))).toBe('VALIDATION_FAILED');
    expect(orgs.setTabulation(ORG, { windowSeconds: 5 })).toEqual({
      autoTabulation: true,
      windowSeconds: 5,
      autoTagCode: null,
    });
    expect(orgs.setTabulation(ORG, { autoTabulation: false }).windowSeconds).toBe(5);
    expect(orgs.setTabulation(ORG, { windowSeconds: 3600 }).windowSeconds).toBe(3600);
  });

  it('accepts only an existing tag as the auto-tabulation tag, follows its renames and protects it', async () => {
    const orgs = config.organizations;
    expect(await thrownCode(() => orgs.setTabulation(ORG, { autoTagCode: 'NOPE' }))).toBe('TAG_UNKNOWN');
    const tag = config.tags.create(ORG, { code: 'SEM_CONTATO', name: 'Sem contato' });
    expect(orgs.setTabulation(ORG, { autoTagCode: 'SEM_CONTATO' }).autoTagCode).toBe('SEM_CONTATO');
    config.tags.update(ORG, tag.id, { code: 'AUTO' });
    expect(orgs.tabulation(ORG).autoTagCode).toBe('AUTO');
    expect(await thrownCode(() => config.tags.delete(ORG, tag.id))).toBe('TAG_IN_USE');
    orgs.setTabulation(ORG, { autoTagCode: null });
    config.tags.delete(ORG, tag.id);
    expect(config.tags.list(ORG)).toEqual([]);
  });
});

describe('deleting an organization', () => {
  it('removes its users, services, pauses and tags', async () => {
    config.services.create(ORG, { name: 'S', identifier: 's' });
    config.pauses.create(ORG, { name: 'P', idStatus: 2 });
    config.tags.create(ORG, { code: 'T', name: 'T' });
    config.organizations.delete(ORG);
    for (const table of ['users', 'services', 'pauses', 'tags'])
      expect(t.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get()).toEqual({ n: 0 });
  });
});
