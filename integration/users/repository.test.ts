import { beforeEach, describe, expect, it } from 'vitest';
import { configTestbed, thrownCode } from '../../harness/config-testbed.ts';
import type { Configuration } from '../configuration.ts';
import type { AccessChange } from './repository.ts';

let t: ReturnType<typeof configTestbed>;
let config: Configuration;
const ORG = 'acme';
const ADMIN = { username: 'admin', name: 'Admin', password: 'senha-admin-1' };

beforeEach(async () => {
  t = configTestbed();
  config = t.config;
  await config.organizations.create({ id: ORG, name: 'ACME Cobranças', admin: ADMIN });
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

  it('hashes the Omni password and seals the dialer password; reads carry neither', async () => {
    const u = await config.users.create(ORG, agent);
    expect(u).toMatchObject({ username: 'ana', hasPassword: true, hasDialerPassword: true, slots: 1, serviceIds: [] });
    const everything = JSON.stringify([u, config.users.list(ORG), config.users.get(ORG, u.id)]);
    expect(everything).not.toContain('senha-da-ana');
    expect(everything).not.toContain('senha-discador-ana');
    const row = t.db.prepare('SELECT * FROM users WHERE id = ?').get(u.id) as Record<string, string>;
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.dialer_password_sealed).toMatch(/^v1:/);
    expect(JSON.stringify(t.db.prepare('SELECT * FROM users').all())).not.toMatch(/senha-(da|discador)-ana/);
    expect(config.users.dialerCredentials(u.id)).toEqual({
      dialerUser: 'ana.ds',
      dialerPassword: 'senha-discador-ana',
    });
  });

  it('authenticates by organization, username and password', async () => {
    const u = await config.users.create(ORG, agent);
    expect((await config.users.authenticate(ORG, 'ana', 'senha-da-ana'))?.id).toBe(u.id);
    expect(await config.users.authenticate(ORG, 'ana', 'wrong-password')).toBeUndefined();
    expect(await config.users.authenticate(ORG, 'nobody', 'senha-da-ana')).toBeUndefined();
    await config.organizations.create({ id: 'other', name: 'Other' });
    expect(await config.users.authenticate('other', 'ana', 'senha-da-ana')).toBeUndefined();
  });

  it('needs the dialer user and password with "Utilizar discador", and a password of 8 characters', async () => {
    const users = config.users;
    expect(await thrownCode(() => users.create(ORG, { ...agent, dialerUser: undefined }))).toBe('VALIDATION_FAILED');
    expect(await thrownCode(() => users.create(ORG, { ...agent, dialerPassword: undefined }))).toBe(
      'VALIDATION_FAILED',
    );
    expect(await thrownCode(() => users.create(ORG, { ...agent, password: 'short' }))).toBe('VALIDATION_FAILED');
    const u = await users.create(ORG, { ...agent, useDialer: false, dialerUser: undefined, dialerPassword: undefined });
    expect(await thrownCode(() => users.update(ORG, u.id, { useDialer: true }))).toBe('VALIDATION_FAILED');
    expect(await thrownCode(() => users.dialerCredentials(u.id))).toBe('USER_DIALER_CREDENTIALS_MISSING');
  });

  it('refuses a taken username (USER_EXISTS) and a dialer user of another Omni user (DIALER_USER_IN_USE)', async () => {
    await config.users.create(ORG, agent);
    expect(await thrownCode(() => config.users.create(ORG, { ...agent, dialerUser: 'other' }))).toBe('USER_EXISTS');
    expect(await thrownCode(() => config.users.create(ORG, { ...agent, username: 'bia' }))).toBe('DIALER_USER_IN_USE');
  });

  it('stores the name exactly as given and refuses control characters in it', async () => {
    expect((await config.users.create(ORG, { ...agent, name: 'Ana Souza ' })).name).toBe('Ana Souza ');
    expect(await thrownCode(() => config.users.create(ORG, { ...agent, username: 'bia', name: 'Bia\u0000' }))).toBe(
      'VALIDATION_FAILED',
    );
  });

  it('updates fields, links services, and keeps secrets unless given', async () => {
    const users = config.users;
    const u = await users.create(ORG, agent);
    const s = config.services.create(ORG, { name: 'Cobrança', identifier: 'cobranca' });
    const updated = await users.update(ORG, u.id, { name: 'Ana Souza', slots: 2, serviceIds: [s.id] });
    expect(updated).toMatchObject({ name: 'Ana Souza', slots: 2, serviceIds: [s.id], hasDialerPassword: true });
    expect(await users.authenticate(ORG, 'ana', 'senha-da-ana')).toBeDefined();
    await users.update(ORG, u.id, { password: 'nova-senha-ana' });
    expect(await users.authenticate(ORG, 'ana', 'nova-senha-ana')).toBeDefined();
    expect(users.get(ORG, u.id).serviceIds).toEqual([s.id]);
    expect(await thrownCode(() => users.update(ORG, u.id, { serviceIds: ['nope'] }))).toBe('SERVICE_UNKNOWN');
    expect(await thrownCode(() => users.update(ORG, 'nope', { name: 'x' }))).toBe('USER_NOT_FOUND');
  });

  it('never lets the last active administrator go (LAST_ADMIN): deleted, demoted or deactivated', async () => {
    const users = config.users;
    const admin = users.byUsername(ORG, 'admin')!;
    expect(await thrownCode(() => users.delete(ORG, admin.id))).toBe('LAST_ADMIN');
    expect(await thrownCode(() => users.update(ORG, admin.id, { role: 'agent' }))).toBe('LAST_ADMIN');
    expect(await thrownCode(() => users.update(ORG, admin.id, { active: false }))).toBe('LAST_ADMIN');
    await users.create(ORG, { username: 'admin2', name: 'Admin 2', role: 'admin', password: 'senha-admin-2' });
    users.delete(ORG, admin.id);
    expect(users.byUsername(ORG, 'admin')).toBeUndefined();
  });

  it('scopes users to their organization', async () => {
    const u = await config.users.create(ORG, agent);
    await config.organizations.create({ id: 'other', name: 'Other' });
    expect(await thrownCode(() => config.users.get('other', u.id))).toBe('USER_NOT_FOUND');
    expect(config.users.get(ORG, u.id).orgId).toBe(ORG);
  });

  it('refuses a deactivated user at login with USER_INACTIVE, only when the password is right', async () => {
    const u = await config.users.create(ORG, agent);
    await config.users.update(ORG, u.id, { active: false });
    expect(config.users.get(ORG, u.id).active).toBe(false);
    expect(await thrownCode(() => config.users.authenticate(ORG, 'ana', 'senha-da-ana'))).toBe('USER_INACTIVE');
    expect(await config.users.authenticate(ORG, 'ana', 'wrong-password')).toBeUndefined();
    await config.users.update(ORG, u.id, { active: true });
    expect(await config.users.authenticate(ORG, 'ana', 'senha-da-ana')).toBeDefined();
  });

  it('tells listeners when a role, a password or the activation changes, or the user goes; not otherwise', async () => {
    const seen: Array<[string, AccessChange]> = [];
    config.users.onAccessChange((id, change) => seen.push([id, change]));
    const u = await config.users.create(ORG, agent);
    await config.users.update(ORG, u.id, { name: 'Ana Souza', slots: 2, dialerPassword: 'outra-senha-ds' });
    expect(seen).toEqual([]);
    await config.users.update(ORG, u.id, { role: 'supervisor' });
    await config.users.update(ORG, u.id, { password: 'nova-senha-ana' });
    await config.users.update(ORG, u.id, { active: false });
    config.users.delete(ORG, u.id);
    expect(seen).toEqual([
      [u.id, 'role'],
      [u.id, 'password'],
      [u.id, 'deactivated'],
      [u.id, 'deleted'],
    ]);
  });

  it('prepares writes off the event loop and applies them inside one transaction', async () => {
    const users = config.users;
    const hash = await users.hash('senha-do-lote');
    const before = users.list(ORG).length;
    expect(() =>
      config.transaction(() => {
        users.insert(ORG, users.prepareWith({ username: 'lote1', name: 'Lote 1', role: 'agent' }, hash));
        users.insert(ORG, users.prepareWith({ username: 'lote1', name: 'Lote 1 again', role: 'agent' }, hash));
      }),
    ).toThrow(/already exists/);
    expect(users.list(ORG)).toHaveLength(before);
    expect(await thrownCode(() => users.prepareWith({ username: 'x', name: 'X', role: 'agent' }, undefined))).toBe(
      'VALIDATION_FAILED',
    );
  });
});
