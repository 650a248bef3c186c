import { beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../core/errors.ts';
import { configTestbed, thrownCode } from '../../harness/config-testbed.ts';
import type { Configuration } from '../configuration.ts';

let config: Configuration;
const ORG = 'acme';

beforeEach(async () => {
  config = configTestbed().config;
  await config.organizations.create({ id: ORG, name: 'ACME Cobranças' });
});

describe('services', () => {
  it('finds the AGV service by its ramal; identifiers are unique per organization', async () => {
    const { services } = config;
    const s = services.create(ORG, { name: 'URA Cobrança', identifier: '7001' });
    expect(services.byIdentifier(ORG, '7001')?.id).toBe(s.id);
    expect(services.byIdentifier(ORG, '7002')).toBeUndefined();
    expect(await thrownCode(() => services.create(ORG, { name: 'Outra', identifier: '7001' }))).toBe('SERVICE_EXISTS');
    await config.organizations.create({ id: 'other', name: 'Other' });
    expect(services.create('other', { name: 'URA', identifier: '7001' }).identifier).toBe('7001');
    const other = services.create(ORG, { name: 'B', identifier: '7002' });
    expect(await thrownCode(() => services.update(ORG, other.id, { identifier: '7001' }))).toBe('SERVICE_EXISTS');
    services.delete(ORG, s.id);
    expect(await thrownCode(() => services.get(ORG, s.id))).toBe('SERVICE_NOT_FOUND');
  });

  it('refuses an identifier with spaces instead of trimming it', async () => {
    expect(await thrownCode(() => config.services.create(ORG, { name: 'URA', identifier: ' 7001' }))).toBe(
      'VALIDATION_FAILED',
    );
  });
});

describe('pauses', () => {
  it('keeps names and ID Statuses unique (PAUSE_DUPLICATE) and finds a pause by ID Status', async () => {
    const { pauses } = config;
    const lunch = pauses.create(ORG, { name: 'Almoço', idStatus: 2 });
    expect(await thrownCode(() => pauses.create(ORG, { name: 'Almoço', idStatus: 9 }))).toBe('PAUSE_DUPLICATE');
    expect(await thrownCode(() => pauses.create(ORG, { name: 'Lanche', idStatus: 2 }))).toBe('PAUSE_DUPLICATE');
    const wc = pauses.create(ORG, { name: 'Banheiro', idStatus: 3 });
    expect(await thrownCode(() => pauses.update(ORG, wc.id, { idStatus: 2 }))).toBe('PAUSE_DUPLICATE');
    expect(pauses.update(ORG, wc.id, { name: 'Banheiro' }).name).toBe('Banheiro');
    expect(pauses.byIdStatus(ORG, 2)?.id).toBe(lunch.id);
    expect(pauses.byIdStatus(ORG, 99)).toBeUndefined();
  });

  it('swaps ID Statuses between pauses in one step', async () => {
    const { pauses } = config;
    const a = pauses.create(ORG, { name: 'A', idStatus: 2 });
    const b = pauses.create(ORG, { name: 'B', idStatus: 3 });
    pauses.reassignIdStatuses(ORG, [
      { pauseId: a.id, idStatus: 3 },
      { pauseId: b.id, idStatus: 2 },
    ]);
    expect(pauses.list(ORG).map((p) => [p.name, p.idStatus])).toEqual([
      ['B', 2],
      ['A', 3],
    ]);
    const c = pauses.create(ORG, { name: 'C', idStatus: 4 });
    expect(await thrownCode(() => pauses.reassignIdStatuses(ORG, [{ pauseId: c.id, idStatus: 2 }]))).toBe(
      'PAUSE_DUPLICATE',
    );
    expect(pauses.get(ORG, c.id).idStatus).toBe(4);
  });

  it('stores names exactly as given, so a trailing space is a different name, and refuses an ID Status outside 0..9999', async () => {
    const { pauses } = config;
    expect(pauses.create(ORG, { name: '  Treinamento ', idStatus: 4 }).name).toBe('  Treinamento ');
    expect(pauses.create(ORG, { name: 'Banheiro ', idStatus: 5 }).name).toBe('Banheiro ');
    expect(pauses.create(ORG, { name: 'Banheiro', idStatus: 6 }).name).toBe('Banheiro');
    expect(pauses.byName(ORG, 'Banheiro ')?.idStatus).toBe(5);
    expect(await thrownCode(() => pauses.create(ORG, { name: 'X', idStatus: -1 }))).toBe('VALIDATION_FAILED');
    expect(await thrownCode(() => pauses.create(ORG, { name: '', idStatus: 5 }))).toBe('VALIDATION_FAILED');
    expect(await thrownCode(() => pauses.create(ORG, { name: '   ', idStatus: 7 }))).toBe('VALIDATION_FAILED');
  });

  it('refuses NUL and control characters in a name with a message saying which and where', async () => {
    try {
      config.pauses.create(ORG, { name: 'Almo\u0000ço', idStatus: 2 });
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.status).toBe(422);
      expect(isAppError(e) && e.message).toBe(
        'name: the pause name must not contain control characters: U+0000 NUL at index 4; remove it',
      );
    }
  });
});

describe('tags', () => {
  it('keeps codes unique (TAG_EXISTS), links services, and offers unlinked tags in every service', async () => {
    const { services, tags } = config;
    const s1 = services.create(ORG, { name: 'S1', identifier: 's1' });
    const s2 = services.create(ORG, { name: 'S2', identifier: 's2' });
    tags.create(ORG, { code: 'VENDA', name: 'Venda', serviceIds: [s1.id] });
    tags.create(ORG, { code: 'RECADO', name: 'Recado' });
    expect(await thrownCode(() => tags.create(ORG, { code: 'VENDA', name: 'x' }))).toBe('TAG_EXISTS');
    expect(await thrownCode(() => tags.create(ORG, { code: 'X', name: 'x', serviceIds: ['nope'] }))).toBe(
      'SERVICE_UNKNOWN',
    );
    expect(tags.byCode(ORG, 'VENDA')?.serviceIds).toEqual([s1.id]);
    expect(tags.forService(ORG, s1.id).map((x) => x.code)).toEqual(['RECADO', 'VENDA']);
    expect(tags.forService(ORG, s2.id).map((x) => x.code)).toEqual(['RECADO']);
    services.delete(ORG, s1.id);
    expect(tags.byCode(ORG, 'VENDA')?.serviceIds).toEqual([]);
  });

  it('refuses NUL and control characters in a code', async () => {
    expect(await thrownCode(() => config.tags.create(ORG, { code: 'VEN\u0000DA', name: 'Venda' }))).toBe(
      'VALIDATION_FAILED',
    );
    expect(await thrownCode(() => config.tags.create(ORG, { code: 'VENDA\t', name: 'Venda' }))).toBe(
      'VALIDATION_FAILED',
    );
  });
});
