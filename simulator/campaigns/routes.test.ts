import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../../contract/campaigns.ts';
import { startTestSimulator, type TestSimulator } from '../../harness/simulator.ts';
import { parseMailingCsv } from '../mailing/csv.ts';

let t: TestSimulator;
let campaign: Campaign;
beforeAll(async () => {
  t = await startTestSimulator();
  campaign = (
    await t.api.request<Campaign>('POST', '/api/v1/campaigns', {
      json: { name: 'Cobrança', service: 'Cobrança', pacing: { mode: 'scripted' } },
    })
  ).body;
});
afterAll(() => t.close());

describe('campaigns and mailing over the API', () => {
  it('creates a campaign with default pacing filled in', () => {
    expect(campaign).toMatchObject({ name: 'Cobrança', status: 'stopped', pacing: { mode: 'scripted', ratio: 1.5 } });
  });

  it('validates a campaign with 422 naming the field', async () => {
    const res = await t.api.request('POST', '/api/v1/campaigns', {
      json: { name: 'x', pacing: { mode: 'predictive', ratio: 9 } },
    });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toContain('pacing.ratio');
  });

  it('generates the same mailing for the same seed', async () => {
    const gen = await t.api.request<{ added: number }>('POST', `/api/v1/campaigns/${campaign.id}/mailing/generate`, {
      json: { size: 25, seed: 'abc', replace: true },
    });
    expect(gen.status).toBe(201);
    expect(gen.body.added).toBe(25);
    const first = (await t.api.request('GET', `/api/v1/campaigns/${campaign.id}/mailing`)).text;
    await t.api.request('POST', `/api/v1/campaigns/${campaign.id}/mailing/generate`, {
      json: { size: 25, seed: 'abc', replace: true },
    });
    const second = (await t.api.request('GET', `/api/v1/campaigns/${campaign.id}/mailing`)).text;
    expect(second).toBe(first);
    expect(parseMailingCsv(first).leads).toHaveLength(25);
  });

  it('exports CSV that imports back into another campaign unchanged', async () => {
    const csv = (await t.api.request('GET', `/api/v1/campaigns/${campaign.id}/mailing`)).text;
    const other = (await t.api.request<Campaign>('POST', '/api/v1/campaigns', { json: { name: 'Outra' } })).body;
    const imp = await t.api.request<{ added: number }>('POST', `/api/v1/campaigns/${other.id}/mailing`, {
      body: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(imp.status).toBe(201);
    expect(imp.body.added).toBe(25);
    expect((await t.api.request('GET', `/api/v1/campaigns/${other.id}/mailing`)).text).toBe(csv);
  });

  it('refuses a CSV with an invalid CPF with 422 MAILING_INVALID naming the line, importing nothing', async () => {
    const csv = 'name,cpf,phone,email,city,state\nMaria,111.111.111-11,+5511987654321,m@example.com,São Paulo,SP\n';
    const other = (await t.api.request<Campaign>('POST', '/api/v1/campaigns', { json: { name: 'Ruim' } })).body;
    const res = await t.api.request('POST', `/api/v1/campaigns/${other.id}/mailing`, {
      body: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      error: { code: 'MAILING_INVALID', details: { errors: [{ line: 2, field: 'cpf' }] } },
    });
    expect((await t.api.request<Campaign>('GET', `/api/v1/campaigns/${other.id}`)).body.leads.total).toBe(0);
  });

  it('lists leads with their status, and a scripted call takes the next pending lead', async () => {
    const call = await t.admin.request<{ lead: { id: string } }>('POST', '/__admin/organizations/acme/calls', {
      json: { campaignId: campaign.id },
    });
    expect(call.status).toBe(201);
    const dialing = await t.api.request<Array<{ lead: { id: string } }>>(
      'GET',
      `/api/v1/campaigns/${campaign.id}/leads?status=dialing`,
    );
    expect(dialing.body.map((l) => l.lead.id)).toEqual([call.body.lead.id]);
  });

  it('answers 404 CAMPAIGN_NOT_FOUND for an unknown campaign', async () => {
    const res = await t.api.request('POST', '/api/v1/campaigns/nope/start');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: 'CAMPAIGN_NOT_FOUND' } });
  });
});
