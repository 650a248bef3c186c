import { describe, expect, it } from 'vitest';
import { AREA_CODES, dddsOf } from './area-codes.ts';

describe('area codes', () => {
  it('has the 67 DDDs, each with cities, sorted', () => {
    expect(AREA_CODES).toHaveLength(67);
    expect(AREA_CODES.map((a) => a.ddd)).toEqual([...AREA_CODES.map((a) => a.ddd)].sort());
    for (const a of AREA_CODES) expect(a.cities.length).toBeGreaterThanOrEqual(3);
  });

  it('maps the well-known ones right', () => {
    const uf = (ddd: string) => AREA_CODES.find((a) => a.ddd === ddd)?.uf;
    expect([uf('11'), uf('21'), uf('31'), uf('61'), uf('63'), uf('64'), uf('87'), uf('97'), uf('99')]).toEqual([
      'SP',
      'RJ',
      'MG',
      'DF',
      'TO',
      'GO',
      'PE',
      'AM',
      'MA',
    ]);
    expect(dddsOf('SP')).toEqual(['11', '12', '13', '14', '15', '16', '17', '18', '19']);
    expect(AREA_CODES.find((a) => a.ddd === '11')?.cities[0]).toBe('São Paulo');
  });
});
