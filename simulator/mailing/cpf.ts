import { cpfCheckDigits, isValidCpf, type Uf } from '../../contract/mailing.ts';
import type { Random } from '../../core/random.ts';

export { cpfCheckDigits, isValidCpf };

/**
 * The CPF's ninth digit is the fiscal region that issued it. Generated CPFs use the lead's state's region so a
 * mailing looks like a real one (a person may of course have moved since).
 */
export const CPF_FISCAL_REGION: Readonly<Record<Uf, number>> = {
  DF: 1,
  GO: 1,
  MS: 1,
  MT: 1,
  TO: 1,
  AC: 2,
  AM: 2,
  AP: 2,
  PA: 2,
  RO: 2,
  RR: 2,
  CE: 3,
  MA: 3,
  PI: 3,
  AL: 4,
  PB: 4,
  PE: 4,
  RN: 4,
  BA: 5,
  SE: 5,
  MG: 6,
  ES: 7,
  RJ: 7,
  SP: 8,
  PR: 9,
  SC: 9,
  RS: 0,
};

/** A valid CPF (11 digits, no punctuation) drawn from `rng`; issued in `uf`'s fiscal region when given. */
export function generateCpf(rng: Random, uf?: Uf): string {
  for (;;) {
    let base = '';
    for (let i = 0; i < 8; i++) base += Math.floor(rng() * 10);
    base += uf === undefined ? Math.floor(rng() * 10) : CPF_FISCAL_REGION[uf];
    if (/^(\d)\1{8}$/.test(base)) continue; // 000.000.000-00 and friends are never issued
    return base + cpfCheckDigits(base);
  }
}

/** Digits only: '529.982.247-25' → '52998224725'. */
export const unformatCpf = (cpf: string): string => cpf.replace(/\D/g, '');

/** '52998224725' → '529.982.247-25'; anything that is not 11 digits once unformatted is returned unchanged. */
export function formatCpf(cpf: string): string {
  const d = unformatCpf(cpf);
  return d.length === 11 ? `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6, 9)}-${d.slice(9)}` : cpf;
}
