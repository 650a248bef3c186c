import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { mailingToCsv, normalizePhone, parseMailingCsv } from './csv.ts';
import { generateMailing } from './generate.ts';

const HEADER = 'id,name,cpf,phone,phoneType,areaCode,email,city,state,custom.produto';
const GOOD = 'L1,Maria Souza,52998224725,+5511987654321,mobile,11,maria@gmail.com,São Paulo,SP,Cartão';

describe('mailingToCsv', () => {
  it('writes the header, then one row per lead, custom fields as custom.<name> columns', () => {
    const leads = generateMailing({ size: 3, seed: 'csv' });
    const lines = mailingToCsv(leads).split('\n');
    expect(lines[0]).toBe(
      'id,name,cpf,phone,phoneType,areaCode,email,city,state,custom.produto,custom.valor_divida,custom.vencimento',
    );
    expect(lines).toHaveLength(5); // header, 3 leads, '' after the last '\n'
    expect(lines[4]).toBe('');
    expect(lines[1]).toMatch(/^L000001,/);
    // '1.234,56' holds the separator: quoted
    expect(lines[1]).toMatch(/,"\d{1,3}(\.\d{3})*,\d{2}",/);
  });

  it("uses ';' and a BOM on request", () => {
    const csv = mailingToCsv(generateMailing({ size: 2, seed: 'csv' }), { separator: ';', bom: true });
    expect(csv.startsWith('\uFEFFid;name;cpf;')).toBe(true);
    expect(csv.split('\n')[1]).toMatch(/;\d{1,3}(\.\d{3})*,\d{2};/); // no quoting needed with ';'
  });

  it("writes cells a spreadsheet would run as formulas behind a ' (a =HYPERLINK name, every +55 phone)", () => {
    const [lead] = generateMailing({ size: 1, seed: 'formula' });
    const csv = mailingToCsv([
      { ...lead!, name: '=HYPERLINK("https://evil.example","Ana")', custom: { obs: '@SUM(A1)', valor: '-12,50' } },
    ]);
    const row = parse(csv)[1] as string[];
    expect(row[1]).toBe('\'=HYPERLINK("https://evil.example","Ana")');
    expect(row[3]).toBe(`'${lead!.phone}`);
    expect(row.slice(9)).toEqual(["'@SUM(A1)", "'-12,50"]);
  });

  it('leaves a missing custom field empty', () => {
    const [a, b] = generateMailing({ size: 2, seed: 'x', customFields: ['produto'] });
    const csv = mailingToCsv([a!, { ...b!, custom: {} }]);
    expect(csv.split('\n')[2]).toMatch(/,SP,$|,[A-Z]{2},$/);
  });
});

describe('parseMailingCsv', () => {
  it('round-trips: export then import gives the same leads', () => {
    const leads = generateMailing({ size: 500, seed: 'round-trip' });
    for (const options of [{}, { separator: ';' as const }, { separator: ';' as const, bom: true }]) {
      const parsed = parseMailingCsv(mailingToCsv(leads, options));
      expect(parsed.errors).toEqual([]);
      expect(parsed.leads).toEqual(leads);
      expect(parsed.customFields).toEqual(['produto', 'valor_divida', 'vencimento']);
    }
  });

  it('round-trips cells the export neutralized: formula-like names, phones, values that start with a quote', () => {
    const [lead] = generateMailing({ size: 1, seed: 'formula' });
    const tricky = {
      ...lead!,
      name: '=HYPERLINK("https://evil.example","Ana")',
      city: "'=Santos",
      custom: { obs: '@SUM(A1)', valor: '-12,50', nota: "'aspas" },
    };
    for (const separator of [',', ';'] as const) {
      const parsed = parseMailingCsv(mailingToCsv([tricky], { separator }));
      expect(parsed.errors).toEqual([]);
      expect(parsed.leads).toEqual([tricky]);
      expect(parsed.warnings).toEqual([]); // nothing in our own export would run as a formula
    }
  });

  it('warns about cells that would run as formulas in a spreadsheet, not about phones or amounts', () => {
    const text = [
      'name,cpf,phone,email,city,state,obs',
      '=HYPERLINK("https://evil.example"),52998224725,+55 (11) 98765-4321,a@b.com,Santos,SP,-12',
      "Ana,52998224725,+5511987654321,a@b.com,Santos,SP,+cmd|' /C calc'!A0",
    ].join('\n');
    const { errors, warnings, leads } = parseMailingCsv(text);
    expect(errors).toEqual([]);
    expect(leads).toHaveLength(2);
    expect(warnings.map((w) => [w.line, w.field])).toEqual([
      [2, 'name'],
      [3, 'obs'],
    ]);
    expect(warnings[0]?.message).toMatch(/Excel would run it/);
  });

  it('round-trips names and values holding quotes, separators and line breaks', () => {
    const [lead] = generateMailing({ size: 1, seed: 'q' });
    const tricky = {
      ...lead!,
      name: 'Ana "Nina" D\'Ávila, filha',
      city: 'São João del-Rei',
      custom: { obs: 'linha 1\nlinha 2; fim' },
    };
    const parsed = parseMailingCsv(mailingToCsv([tricky, { ...lead!, id: 'L2' }]));
    expect(parsed.errors).toEqual([]);
    expect(parsed.leads[0]).toEqual(tricky);
  });

  it("reads ';'-separated files the way pt-BR Excel writes them (BOM, CRLF, formatted CPF and phone, pt-BR headers)", () => {
    const text =
      '\uFEFFNome;CPF;Telefone;E-mail;Cidade;UF;Produto;Valor\r\n' +
      'Maria Souza;529.982.247-25;(11) 98765-4321;maria@gmail.com;São Paulo;sp;Cartão;1.234,56\r\n' +
      'João Lima;111.444.777-35;21 3333-4444;joao@uol.com.br;Niterói;RJ;Empréstimo;99,90\r\n' +
      ';;;;;;;\r\n';
    const { leads, errors, separator, customFields } = parseMailingCsv(text);
    expect(errors).toEqual([]);
    expect(separator).toBe(';');
    expect(customFields).toEqual(['Produto', 'Valor']);
    expect(leads).toEqual([
      {
        name: 'Maria Souza',
        cpf: '52998224725',
        phone: '+5511987654321',
        phoneType: 'mobile',
        areaCode: '11',
        email: 'maria@gmail.com',
        city: 'São Paulo',
        state: 'SP',
        custom: { Produto: 'Cartão', Valor: '1.234,56' },
      },
      {
        name: 'João Lima',
        cpf: '11144477735',
        phone: '+552133334444',
        phoneType: 'landline',
        areaCode: '21',
        email: 'joao@uol.com.br',
        city: 'Niterói',
        state: 'RJ',
        custom: { Produto: 'Empréstimo', Valor: '99,90' },
      },
    ]);
  });

  it('strips a UTF-8 BOM (the first column is still found) and reads Windows-1252 bytes', () => {
    const withBom = parseMailingCsv(`\uFEFF${HEADER}\n${GOOD}\n`);
    expect(withBom.errors).toEqual([]);
    expect(withBom.leads[0]?.id).toBe('L1');
    const bomBytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(`${HEADER}\n${GOOD}\n`)]);
    expect(parseMailingCsv(bomBytes).leads[0]?.city).toBe('São Paulo');
    const latin1 = Uint8Array.from(`${HEADER}\n${GOOD}\n`, (c) => c.charCodeAt(0)); // 'ã' as the single byte 0xE3
    const parsed = parseMailingCsv(latin1);
    expect(parsed.errors).toEqual([]);
    expect(parsed.leads[0]?.city).toBe('São Paulo');
  });

  it('reports every bad row with its line number, the field and what to fix', () => {
    const text = [
      HEADER, // 1
      GOOD, // 2
      'L2,José,111.111.111-11,+5511987654321,mobile,11,jose@gmail.com,São Paulo,SP,x', // 3: repeated digits
      'L3,Ana,52998224724,+5511987654321,mobile,11,ana@gmail.com,São Paulo,SP,x', // 4: check digit
      '', // 5: blank, skipped
      'L4,Rui,52998224725,+5520987654321,mobile,20,rui@gmail,São Paulo,XX,x', // 6: DDD, areaCode, e-mail, UF
      'L5,Bia,52998224725,+551187654321,mobile,11,bia@gmail.com,São Paulo,SP,x', // 7: mobile without the 9
      'L1,Léo,52998224725,+5511987654321,mobile,11,leo@gmail.com,São Paulo,SP,x', // 8: repeated id
      'L6,Gil,52998224725,+5511987654321', // 9: too few fields
      ',,52998224725,+5511987654321,,,gil@gmail.com,Santos,SP,', // 10: no name
    ].join('\n');
    const { leads, errors } = parseMailingCsv(text);
    expect(leads.map((l) => l.id)).toEqual(['L1']);
    expect(errors.map((e) => [e.line, e.field])).toEqual([
      [3, 'cpf'],
      [4, 'cpf'],
      [6, 'phone'],
      [6, 'areaCode'],
      [6, 'email'],
      [6, 'state'],
      [7, 'phone'],
      [8, 'id'],
      [9, 'row'],
      [10, 'name'],
    ]);
    expect(errors[0]?.message).toMatch(/check digits/);
    expect(errors[2]?.message).toMatch(/DDD/);
    expect(errors[5]?.message).toMatch(/UF/);
    expect(errors[6]?.message).toMatch(/mobile is 9 digits starting with 9/);
    expect(errors[7]?.message).toMatch(/already used on line 2/);
    expect(errors[8]?.message).toMatch(/4 fields but the header has 10/);
  });

  it('counts lines from where a row starts when a quoted field spans lines', () => {
    const text = `${HEADER}\n${GOOD.replace('L1', 'La')}\nL2,"Ana\nMaria",5299822472,+5511987654321,mobile,11,a@b.com,Santos,SP,x\n`;
    const { errors } = parseMailingCsv(text);
    expect(errors).toEqual([{ line: 3, field: 'cpf', message: expect.stringMatching(/11 digits/) }]);
  });

  it('derives phoneType and areaCode when their columns are absent, and checks them when present', () => {
    const ok = parseMailingCsv('name,cpf,phone,email,city,state\nAna,52998224725,11 3333-4444,a@b.com,Santos,SP\n');
    expect(ok.errors).toEqual([]);
    expect(ok.leads[0]).toMatchObject({ phone: '+551133334444', phoneType: 'landline', areaCode: '11', custom: {} });
    const bad = parseMailingCsv(
      'name,cpf,phone,phoneType,ddd,email,city,state\nAna,52998224725,+551133334444,celular,21,a@b.com,Santos,SP\n',
    );
    expect(bad.errors.map((e) => e.field)).toEqual(['areaCode', 'phoneType']);
    expect(bad.errors[0]?.message).toMatch(/differs from the phone's DDD '11'/);
  });

  it('refuses a header without the required columns, or with repeated or unusable ones', () => {
    const missing = parseMailingCsv('name,phone,email,city\nAna,+5511987654321,a@b.com,Santos\n');
    expect(missing.leads).toEqual([]);
    expect(missing.errors.map((e) => [e.line, e.field])).toEqual([
      [1, 'cpf'],
      [1, 'state'],
    ]);
    expect(missing.errors[0]?.message).toMatch(/no 'cpf' column/);
    const repeated = parseMailingCsv('name,cpf,phone,email,city,state,UF\n');
    expect(repeated.errors[0]).toMatchObject({
      line: 1,
      field: 'UF',
      message: expect.stringMatching(/repeats column 6/),
    });
    const badName = parseMailingCsv('name,cpf,phone,email,city,state,valor da dívida\n');
    expect(badName.errors[0]?.message).toMatch(/not a valid custom field name/);
  });

  it('refuses an empty file, a header alone and a broken quote', () => {
    expect(parseMailingCsv('').errors[0]).toMatchObject({ line: 1, field: 'file' });
    expect(parseMailingCsv('\uFEFF').errors[0]?.message).toMatch(/empty/);
    expect(parseMailingCsv('name,cpf,phone,email,city,state\n').errors[0]?.message).toMatch(/no leads/);
    const broken = parseMailingCsv(`${HEADER}\n${GOOD}\nL2,"Ana,52998224725\n`);
    expect(broken.errors).toHaveLength(1);
    expect(broken.errors[0]?.field).toBe('file');
    expect(broken.errors[0]?.message).toMatch(/double quotes/);
  });

  it('normalizes the usual ways of writing a phone', () => {
    expect(normalizePhone('(11) 98765-4321')).toBe('+5511987654321');
    expect(normalizePhone('011 98765-4321')).toBe('+5511987654321');
    expect(normalizePhone('55 11 98765-4321')).toBe('+5511987654321');
    expect(normalizePhone('+55 (21) 3333-4444')).toBe('+552133334444');
    expect(normalizePhone('5533334444')).toBe('+555533334444'); // DDD 55 (Santa Maria), a landline
    expect(normalizePhone('ramal 12')).toBe('ramal 12');
  });
});
