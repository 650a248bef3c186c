import { Readable } from 'node:stream';
import { campaignRoutes as routes } from '../../contract/dialer/routes/campaigns.ts';
import { dialerRouter } from '../http/app.ts';
import { mailingCsvChunks } from '../mailing/export.ts';
import { generateMailingBatches } from '../mailing/generate.ts';
import { stageMailingCsv } from '../mailing/import.ts';
import type { Pacer } from '../pacing/pacer.ts';
import type { CampaignRepository } from './repository.ts';

const MAX_CSV_BYTES = 50 * 1024 * 1024;

/** Campaigns, their mailing (generated from a seed, or imported / exported as CSV) and their dialling. */
export function campaignRoutes(campaigns: CampaignRepository, pacer: Pacer) {
  const app = dialerRouter();

  app.openapi(routes['campaigns.create'], (c) => c.json(campaigns.create(c.var.orgId, c.req.valid('json')), 201));

  app.openapi(routes['campaigns.list'], (c) => c.json(campaigns.list(c.var.orgId), 200));

  app.openapi(routes['campaigns.get'], (c) => c.json(campaigns.get(c.var.orgId, c.req.valid('param').id), 200));

  app.openapi(routes['campaigns.start'], (c) => c.json(pacer.startCampaign(c.var.orgId, c.req.valid('param').id), 200));

  app.openapi(routes['campaigns.stop'], (c) => c.json(pacer.stopCampaign(c.var.orgId, c.req.valid('param').id), 200));

  // Large mailings are generated, read and written in batches with the event loop free between them, held aside
  // (LeadStaging) and added in one transaction: other requests are served meanwhile, and an import stays all or nothing.
  app.openapi(routes['mailing.generate'], async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    campaigns.get(c.var.orgId, id);
    const staging = campaigns.staging();
    try {
      for await (const batch of generateMailingBatches(body)) staging.add(batch);
      const added = campaigns.addStagedLeads(c.var.orgId, id, staging, body.replace);
      return c.json({ added, campaign: campaigns.get(c.var.orgId, id) }, 201);
    } finally {
      await staging.discard();
    }
  });

  app.openapi(routes['mailing.import'], async (c) => {
    const { id } = c.req.valid('param');
    campaigns.get(c.var.orgId, id);
    const raw = c.req.raw;
    // A small body the request journal read already is in Hono's cache; any other is read here as it arrives.
    const body = raw.bodyUsed || !raw.body ? [await c.req.text()] : (raw.body as unknown as AsyncIterable<Uint8Array>);
    const staging = campaigns.staging();
    try {
      await stageMailingCsv(body, staging, { maxBytes: MAX_CSV_BYTES });
      const added = campaigns.addStagedLeads(c.var.orgId, id, staging, c.req.valid('query').replace === 'true');
      return c.json({ added, campaign: campaigns.get(c.var.orgId, id) }, 201);
    } finally {
      await staging.discard();
    }
  });

  app.openapi(routes['mailing.export'], (c) => {
    const { id } = c.req.valid('param');
    const orgId = c.var.orgId;
    campaigns.get(orgId, id); // 404 now, before the stream starts
    const pages = (offset: number, limit: number) => campaigns.leads(orgId, id, { offset, limit }).map((l) => l.lead);
    // objectMode false: the text chunks go out as UTF-8 bytes
    const csv = Readable.toWeb(Readable.from(mailingCsvChunks(pages), { objectMode: false }));
    return c.body(csv, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="mailing-${id}.csv"`,
    });
  });

  app.openapi(routes['leads.list'], (c) =>
    c.json(campaigns.leads(c.var.orgId, c.req.valid('param').id, c.req.valid('query')), 200),
  );

  return app;
}
