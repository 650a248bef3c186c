import { describe, expect, it } from 'vitest';
import { UF_CODES } from '../../contract/mailing.ts';
import { seededRandom } from '../../core/random.ts';
import { CPF_FISCAL_REGION, formatCpf, generateCpf, isValidCpf, unformatCpf } from './cpf.ts';

describe('cpf', () => {
  it('generates valid CPFs, deterministically from the rng', () => {
    const rng = seededRandom('cpf');
    const cpfs = Array.from({ length: 5000 }, () => generateCpf(rng));
    for (const cpf of cpfs) {
      expect(cpf).toMatch(/^\d{11}$/);
      expect(isValidCpf(cpf), cpf).toBe(true);
    }
    expect(new Set(cpfs).size).toBeGreaterThan(4990);
    const again = seededRandom('cpf');
    expect(Array.from({ length: 5000 }, () => generateCpf(again))).toEqual(cpfs);
  });

  it("puts the state's fiscal region in the ninth digit", () => {
    const rng = seededRandom('regions');
    for (const uf of UF_CODES) {
      const cpf = generateCpf(rng, uf);
      expect(isValidCpf(cpf)).toBe(true);
      expect(Number(cpf[8])).toBe(CPF_FISCAL_REGION[uf]);
    }
  });

  it('formats and unformats', () => {
    expect(formatCpf('52998224725')).toBe('529.982.247-25');
    expect(formatCpf('529.982.247-25')).toBe('529.982.247-25');
    expect(formatCpf('123')).toBe('123');
    expect(unformatCpf('529.982.247-25')).toBe('52998224725');
  });

  it('refuses known-bad CPFs', () => {
    for (const bad of ['111.111.111-11', '22222222222', '123.456.789-00', '52998224726', '12345678909x']) {
      expect(isValidCpf(bad), bad).toBe(false);
    }
    expect(isValidCpf('123.456.789-09')).toBe(true);
  });
});
