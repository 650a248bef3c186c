import { describe, expect, it } from 'vitest';
import { Cpf, DDD_UF, GenerateMailingRequest, isValidCpf, Lead, LeadInput, Phone, UF_CODES } from './mailing.ts';

const lead = {
  id: 'L000001',
  name: 'Maria Aparecida Souza',
  cpf: '52998224725',
  phone: '+5511987654321',
  phoneType: 'mobile',
  areaCode: '11',
  email: 'maria.souza@gmail.com',
  city: 'São Paulo',
  state: 'SP',
  custom: { produto: 'Cartão de Crédito' },
};

describe('mailing contract', () => {
  it('lists the 67 DDDs in use, each in one of the 27 UFs, every UF covered', () => {
    const ddds = Object.keys(DDD_UF);
    expect(ddds).toHaveLength(67);
    expect(new Set(Object.values(DDD_UF))).toEqual(new Set(UF_CODES));
    expect(UF_CODES).toHaveLength(27);
    for (const ddd of [
      '20',
      '23',
      '25',
      '26',
      '29',
      '30',
      '36',
      '39',
      '40',
      '50',
      '52',
      '56',
      '60',
      '70',
      '72',
      '76',
      '78',
      '80',
      '90',
    ]) {
      expect(ddds).not.toContain(ddd);
    }
  });

  it('isValidCpf accepts valid CPFs, formatted or not, and refuses wrong check digits and repeated digits', () => {
    expect(isValidCpf('52998224725')).toBe(true);
    expect(isValidCpf('529.982.247-25')).toBe(true);
    expect(isValidCpf('11144477735')).toBe(true);
    expect(isValidCpf('52998224724')).toBe(false);
    expect(isValidCpf('52998224735')).toBe(false);
    expect(isValidCpf('111.111.111-11')).toBe(false);
    expect(isValidCpf('00000000000')).toBe(false);
    expect(isValidCpf('99999999999')).toBe(false);
    expect(isValidCpf('5299822472')).toBe(false);
    expect(isValidCpf('529982247250')).toBe(false);
    expect(isValidCpf('529x982.247-25')).toBe(false);
    expect(isValidCpf('')).toBe(false);
  });

  it('Cpf stores 11 digits only and says why a value is refused, once', () => {
    expect(Cpf.safeParse('52998224725').success).toBe(true);
    expect(Cpf.safeParse('529.982.247-25').success).toBe(false);
    const short = Cpf.safeParse('123');
    expect(short.error?.issues).toHaveLength(1);
    expect(short.error?.issues[0]?.message).toMatch(/11 digits/);
    expect(Cpf.safeParse('52998224724').error?.issues[0]?.message).toMatch(/check digits/);
  });

  it('Phone takes +55, a real DDD and a mobile (9 + 8 digits) or landline (2-5 + 7 digits) number', () => {
    for (const ok of ['+5511987654321', '+552133334444', '+559952345678'])
      expect(Phone.safeParse(ok).success).toBe(true);
    for (const bad of [
      '11987654321',
      '+5511887654321',
      '+551163334444',
      '+552033334444',
      '+5511 98765-4321',
      '+1415555',
    ]) {
      expect(Phone.safeParse(bad).success, bad).toBe(false);
    }
    expect(Phone.safeParse('+552333334444').error?.issues[0]?.message).toMatch(/DDD/);
  });

  it('Lead checks that areaCode and phoneType agree with the phone', () => {
    expect(Lead.parse(lead)).toEqual(lead);
    const r = Lead.safeParse({ ...lead, areaCode: '21', phoneType: 'landline' });
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['areaCode', 'phoneType']);
    expect(Lead.safeParse({ ...lead, state: 'XX' }).error?.issues[0]?.message).toMatch(/UF/);
    expect(Lead.safeParse({ ...lead, email: 'maria@' }).error?.issues[0]?.path).toEqual(['email']);
  });

  it('LeadInput makes the id optional and custom default to {}', () => {
    const { id: _id, custom: _custom, ...rest } = lead;
    expect(LeadInput.parse(rest)).toEqual({ ...rest, custom: {} });
  });

  it('GenerateMailingRequest bounds size, defaults the custom fields and refuses repeated ones', () => {
    expect(GenerateMailingRequest.parse({ size: 10, seed: 1 }).customFields).toEqual([
      'produto',
      'valor_divida',
      'vencimento',
    ]);
    for (const size of [0, 100_001, 1.5])
      expect(GenerateMailingRequest.safeParse({ size, seed: 's' }).success).toBe(false);
    expect(GenerateMailingRequest.safeParse({ size: 100_000, seed: 's' }).success).toBe(true);
    expect(GenerateMailingRequest.safeParse({ size: 1, seed: 's', customFields: ['a', 'a'] }).success).toBe(false);
    expect(GenerateMailingRequest.safeParse({ size: 1, seed: 's', customFields: ['has space'] }).success).toBe(false);
  });
});
