import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/errors.ts';
import { mailingToCsv } from './csv.ts';
import { generateMailing } from './generate.ts';
import { importMailing } from './import.ts';

describe('importMailing', () => {
  it('returns every lead, keeping the ids of the file and assigning the missing ones', () => {
    const leads = generateMailing({ size: 20, seed: 'import' });
    expect(importMailing(mailingToCsv(leads))).toEqual(leads);
    const noIds = mailingToCsv(leads.map(({ id: _id, ...rest }) => rest));
    let n = 0;
    const imported = importMailing(noIds, { newId: () => `N${++n}` });
    expect(imported.map((l) => l.id)).toEqual(leads.map((_, i) => `N${i + 1}`));
    expect(importMailing(noIds)[0]?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('imports nothing when a row is invalid: AppError MAILING_INVALID (422) with every error', () => {
    const csv = mailingToCsv(generateMailing({ size: 5, seed: 'import' })).split('\n');
    csv[2] = csv[2]!.replace(/,\d{11},/, ',11111111111,');
    csv[4] = csv[4]!.replace(/,[A-Z]{2},/, ',ZZ,');
    let error: unknown;
    try {
      importMailing(csv.join('\n'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    const e = error as AppError;
    expect([e.code, e.status]).toEqual(['MAILING_INVALID', 422]);
    expect(e.message).toMatch(/^mailing not imported: line 3, cpf: .*\(and 1 more problem\)$/);
    expect(e.details).toEqual({
      errors: [
        { line: 3, field: 'cpf', message: expect.any(String) },
        { line: 5, field: 'state', message: expect.any(String) },
      ],
      errorCount: 2,
    });
  });
});
