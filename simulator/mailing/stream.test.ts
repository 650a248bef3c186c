import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/errors.ts';
import { mailingToCsv, parseMailingCsv } from './csv.ts';
import { MailingDecoder } from './decode.ts';
import { generateMailing } from './generate.ts';
import { readMailingCsv } from './stream.ts';

/** `bytes` cut into pieces of `size`, as a body arrives. */
function* pieces(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const decodeAll = (bytes: Uint8Array, size: number) => {
  const d = new MailingDecoder();
  let text = '';
  for (const p of pieces(bytes, size)) text += d.write(p);
  return text + d.end();
};

describe('MailingDecoder', () => {
  it('reads UTF-8 whatever the chunk boundaries, an accent cut in two included', () => {
    const text = 'nome;cidade\nJoão;São Paulo\nÁgatha;Niterói 🙂\n';
    const bytes = new TextEncoder().encode(text);
    for (const size of [1, 2, 3, 5, 64]) expect(decodeAll(bytes, size), String(size)).toBe(text);
  });

  it('reads Windows-1252 (Excel on a pt-BR Windows) from the first byte that is not UTF-8', () => {
    const text = 'nome;cidade\nJoão;São Paulo\n';
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0)); // 'ã' as the single byte 0xE3
    for (const size of [1, 7, 64]) expect(decodeAll(bytes, size), String(size)).toBe(text);
  });

  it('refuses a file whose UTF-8 accents come before bytes of another encoding', () => {
    const utf8 = new TextEncoder().encode('nome\nJoão\n');
    const latin = Uint8Array.from('Sebastião\n', (c) => c.charCodeAt(0));
    const d = new MailingDecoder();
    d.write(utf8);
    let error: unknown;
    try {
      d.write(latin);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toContain('save it again as "CSV UTF-8"');
  });
});

describe('readMailingCsv', () => {
  it('finds the same leads and problems as the in-memory reader, in batches', async () => {
    const csv = mailingToCsv(generateMailing({ size: 2300, seed: 'stream' }), { separator: ';', bom: true })
      .split('\n')
      .map((line, i) => (i === 700 ? line.replace(/;\d{11};/, ';123;') : line))
      .join('\n');
    const batches: number[] = [];
    const leads: unknown[] = [];
    const result = await readMailingCsv(pieces(new TextEncoder().encode(csv), 1000), {
      batchSize: 500,
      onLeads: (batch) => {
        batches.push(batch.length);
        leads.push(...batch);
      },
    });
    const whole = parseMailingCsv(csv);
    expect(result).toMatchObject({ separator: ';', errorCount: 1, customFields: whole.customFields });
    expect(result.errors).toEqual(whole.errors);
    // leads are handed on only while the file has no error
    expect(leads).toEqual(whole.leads.slice(0, leads.length));
    expect(batches.every((n) => n <= 500)).toBe(true);
  });

  it('reads a header that spans chunks, and an empty file', async () => {
    const csv = 'name,cpf,phone,email,city,state\nAna,52998224725,11 98765-4321,a@b.com,Santos,SP\n';
    const result = await readMailingCsv(pieces(new TextEncoder().encode(csv), 3));
    expect(result).toMatchObject({ leads: 1, errorCount: 0, separator: ',' });
    const empty = await readMailingCsv([]);
    expect(empty.errors[0]?.message).toMatch(/the file is empty/);
  });
});
