import { beforeEach, describe, expect, it } from 'vitest';
import { CampaignInput } from '../../contract/campaigns.ts';
import type { Lead } from '../../contract/mailing.ts';
import { VirtualClock } from '../../core/clock.ts';
import { type Db, migrate, openDatabase } from '../../core/db.ts';
import { AppError } from '../../core/errors.ts';
import { CampaignRepository } from '../campaigns/repository.ts';
import { simulatorMigrations } from '../store/migrations.ts';
import { mailingToCsv } from './csv.ts';
import { generateMailing } from './generate.ts';
import { MAX_REPORTED_ERRORS, stageMailingCsv } from './import.ts';
import { LeadStaging } from './staging.ts';

let db: Db;
let campaigns: CampaignRepository;
let campaignId: string;
beforeEach(() => {
  db = openDatabase(':memory:');
  migrate(db, simulatorMigrations);
  db.prepare(
    "INSERT INTO organizations (id, name, key_hash, key_sealed, created_at) VALUES ('acme', 'Acme', 'h', 's', 0)",
  ).run();
  campaigns = new CampaignRepository(db, new VirtualClock(0));
  campaignId = campaigns.create('acme', CampaignInput.parse({ name: 'Cobrança' })).id;
});

/** The file as a stream of chunks of `size` bytes, as a request body arrives. */
async function* chunks(text: string, size = 4096): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Imports a CSV into the campaign the way the upload route does; the leads the campaign then holds. */
async function importCsv(text: string, newId?: () => string): Promise<Lead[]> {
  const staging = campaigns.staging();
  try {
    await stageMailingCsv(chunks(text), staging, newId ? { newId } : {});
    campaigns.addStagedLeads('acme', campaignId, staging);
  } finally {
    await staging.discard();
  }
  return campaigns.leads('acme', campaignId).map((l) => l.lead);
}

const failure = async (p: Promise<unknown>): Promise<AppError> => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
};

describe('stageMailingCsv', () => {
  it('imports every lead in file order, keeping the ids of the file and assigning the missing ones', async () => {
    const leads = generateMailing({ size: 2500, seed: 'import' }); // more than one batch
    expect(await importCsv(mailingToCsv(leads))).toEqual(leads);

    campaignId = campaigns.create('acme', CampaignInput.parse({ name: 'Sem ids' })).id;
    let n = 0;
    const noIds = mailingToCsv(leads.slice(0, 20).map(({ id: _id, ...rest }) => rest));
    const imported = await importCsv(noIds, () => `N${++n}`);
    expect(imported.map((l) => l.id)).toEqual(leads.slice(0, 20).map((_, i) => `N${i + 1}`));
  });

  it('imports nothing when a row is invalid: MAILING_INVALID (422) with every error, line by line', async () => {
    const csv = mailingToCsv(generateMailing({ size: 1500, seed: 'import' })).split('\n');
    csv[2] = csv[2]!.replace(/,\d{11},/, ',11111111111,');
    csv[1400] = csv[1400]!.replace(/,[A-Z]{2},/, ',ZZ,'); // after the first batch was staged
    const e = await failure(importCsv(csv.join('\n')));
    expect([e.code, e.status]).toEqual(['MAILING_INVALID', 422]);
    expect(e.message).toMatch(/^mailing not imported: line 3, cpf: .*\(and 1 more problem\)$/);
    expect(e.details).toEqual({
      errors: [
        { line: 3, field: 'cpf', message: expect.any(String) },
        { line: 1401, field: 'state', message: expect.any(String) },
      ],
      errorCount: 2,
    });
    expect(campaigns.get('acme', campaignId).leads.total).toBe(0);
    expect(db.prepare('SELECT COUNT(*) AS n FROM temp.mailing_stage').get()).toEqual({ n: 0 });
  });

  it(`keeps the first ${MAX_REPORTED_ERRORS} errors and counts them all`, async () => {
    const rows = Array.from({ length: 800 }, (_, i) => `L${i},Ana,111.111.111-11,+5511987654321,a@b.com,Santos,SP`);
    const e = await failure(importCsv(['id,name,cpf,phone,email,city,state', ...rows].join('\n')));
    const details = e.details as { errors: unknown[]; errorCount: number };
    expect(details.errors).toHaveLength(MAX_REPORTED_ERRORS);
    expect(details.errorCount).toBe(800);
    expect(e.message).toContain('(and 799 more problems)');
  });

  it('refuses a bad header at once, without reading past it', async () => {
    let pulled = 0;
    async function* stalled(): AsyncGenerator<Uint8Array> {
      pulled++;
      yield new TextEncoder().encode('nome;telefone;cidade\nAna;11 98765-4321;Santos\n');
      pulled++;
      await new Promise(() => {}); // a client that never sends the rest
    }
    const e = await failure(stageMailingCsv(stalled(), new LeadStaging(db)));
    expect(e.code).toBe('MAILING_INVALID');
    expect(e.message).toMatch(/^mailing not imported: line 1, cpf: the header has no 'cpf' column/);
    expect(e.details).toMatchObject({ errorCount: 3 }); // cpf, email, state
    expect(pulled).toBeLessThanOrEqual(2);
  });

  it('refuses a file over the size limit with 413, without reading further', async () => {
    const csv = mailingToCsv(generateMailing({ size: 200, seed: 'big' }));
    const e = await failure(stageMailingCsv(chunks(csv), new LeadStaging(db), { maxBytes: 10_000 }));
    expect([e.code, e.status]).toEqual(['MAILING_TOO_LARGE', 413]);
    expect(e.message).toContain('at most 10000 bytes');
  });

  it('a lead id already in the campaign refuses the whole file with 409 LEAD_DUPLICATE', async () => {
    const leads = generateMailing({ size: 10, seed: 'dup' });
    await importCsv(mailingToCsv(leads.slice(0, 5)));
    const e = await failure(importCsv(mailingToCsv(leads.slice(4))));
    expect([e.code, e.status, e.details]).toEqual(['LEAD_DUPLICATE', 409, { leadId: leads[4]!.id }]);
    expect(campaigns.get('acme', campaignId).leads.total).toBe(5);
  });
});
