import { describe, expect, it } from 'vitest';
import { DDD_UF, isValidCpf, Lead } from '../../contract/mailing.ts';
import { isAppError } from '../../core/errors.ts';
import { AREA_CODES } from './area-codes.ts';
import { mailingToCsv } from './csv.ts';
import { brMoney, generateMailing, generateMailingBatches } from './generate.ts';

describe('generateMailing', () => {
  const leads = generateMailing({ size: 2000, seed: 'mailing-test' });

  it('is deterministic: the same seed gives a byte-identical mailing, another seed a different one', () => {
    const again = generateMailing({ size: 2000, seed: 'mailing-test' });
    expect(mailingToCsv(again)).toBe(mailingToCsv(leads));
    expect(JSON.stringify(again)).toBe(JSON.stringify(leads));
    const other = generateMailing({ size: 2000, seed: 'mailing-test2' });
    expect(mailingToCsv(other)).not.toBe(mailingToCsv(leads));
    expect(other[0]).not.toEqual(leads[0]);
  });

  it('treats 42 and "42" as the same seed, and a smaller size gives a prefix', () => {
    expect(generateMailing({ size: 50, seed: 42 })).toEqual(generateMailing({ size: 50, seed: '42' }));
    expect(generateMailing({ size: 300, seed: 'mailing-test' })).toEqual(leads.slice(0, 300));
  });

  it('gives sequential ids L000001…', () => {
    expect(leads[0]?.id).toBe('L000001');
    expect(leads[1999]?.id).toBe('L002000');
    expect(new Set(leads.map((l) => l.id)).size).toBe(2000);
  });

  it('makes every lead valid against the contract', () => {
    for (const lead of leads) {
      const r = Lead.safeParse(lead);
      expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
    }
  });

  it('makes every CPF valid, and nearly all different', () => {
    for (const lead of leads) expect(isValidCpf(lead.cpf), lead.cpf).toBe(true);
    expect(new Set(leads.map((l) => l.cpf)).size).toBeGreaterThan(1990);
  });

  it("gives phones of the right format whose DDD is real and in the lead's state and city", () => {
    for (const lead of leads) {
      const m = /^\+55(\d{2})(\d+)$/.exec(lead.phone);
      expect(m, lead.phone).not.toBeNull();
      const [, ddd, number] = m!;
      expect(ddd).toBe(lead.areaCode);
      expect(Object.hasOwn(DDD_UF, ddd!)).toBe(true);
      expect(DDD_UF[ddd as keyof typeof DDD_UF]).toBe(lead.state);
      expect(AREA_CODES.find((a) => a.ddd === ddd)?.cities).toContain(lead.city);
      if (lead.phoneType === 'mobile') expect(number).toMatch(/^9[6-9]\d{7}$/);
      else expect(number).toMatch(/^[2-5]\d{7}$/);
    }
    const mobiles = leads.filter((l) => l.phoneType === 'mobile').length;
    expect(mobiles / leads.length).toBeGreaterThan(0.65);
    expect(mobiles / leads.length).toBeLessThan(0.85);
    expect(new Set(leads.map((l) => l.areaCode)).size).toBeGreaterThan(55);
  });

  it('gives well-formed lower-case e-mails and pt-BR names', () => {
    for (const lead of leads) {
      expect(lead.email).toMatch(/^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/);
      expect(lead.name.split(' ').length).toBeGreaterThanOrEqual(2);
    }
  });

  it('fills the default custom fields with plausible pt-BR values', () => {
    for (const lead of leads) {
      expect(Object.keys(lead.custom)).toEqual(['produto', 'valor_divida', 'vencimento']);
      expect(lead.custom.valor_divida).toMatch(/^\d{1,3}(\.\d{3})*,\d{2}$/);
      expect(lead.custom.vencimento).toMatch(/^(0[1-9]|[12]\d|3[01])\/(0[1-9]|1[0-2])\/202[45]$/);
      expect(lead.custom.produto).toBeTruthy();
    }
  });

  it('fills the custom fields asked for, unknown ones with a code', () => {
    const [lead] = generateMailing({ size: 1, seed: 1, customFields: ['contrato', 'dias_atraso', 'cor_favorita'] });
    expect(Object.keys(lead!.custom)).toEqual(['contrato', 'dias_atraso', 'cor_favorita']);
    expect(lead!.custom.contrato).toMatch(/^[1-9]\d{9}$/);
    expect(Number(lead!.custom.dias_atraso)).toBeGreaterThanOrEqual(1);
    expect(lead!.custom.cor_favorita).toMatch(/^[A-Z0-9]{8}$/);
    expect(generateMailing({ size: 1, seed: 1, customFields: [] })[0]!.custom).toEqual({});
  });

  it('refuses a bad request with an AppError saying what is wrong', () => {
    for (const size of [0, 100_001, 2.5]) {
      try {
        generateMailing({ size, seed: 's' });
        expect.unreachable();
      } catch (e) {
        expect(isAppError(e) && e.code === 'MAILING_REQUEST_INVALID' && e.status === 400).toBe(true);
        expect((e as Error).message).toMatch(/size/);
      }
    }
  });

  it('formats money the pt-BR way', () => {
    expect(brMoney(0.5)).toBe('0,50');
    expect(brMoney(1234.5)).toBe('1.234,50');
    expect(brMoney(1234567.891)).toBe('1.234.567,89');
  });
});

describe('generateMailingBatches', () => {
  it('gives the same mailing as generateMailing, a batch at a time, letting other work run between batches', async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 0);
    const batches: number[] = [];
    const leads = [];
    for await (const batch of generateMailingBatches({ size: 2500, seed: 'batches' }, 1000)) {
      batches.push(batch.length);
      leads.push(...batch);
    }
    clearInterval(ticker);
    expect(batches).toEqual([1000, 1000, 500]);
    expect(leads).toEqual(generateMailing({ size: 2500, seed: 'batches' }));
    expect(ticks).toBeGreaterThan(0); // timers ran while it generated
  });

  it('refuses an invalid request before generating anything', async () => {
    const batches = generateMailingBatches({ size: 0, seed: 'x' });
    await expect(batches.next()).rejects.toMatchObject({ code: 'MAILING_REQUEST_INVALID' });
  });
});
