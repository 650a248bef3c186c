import { campaignRoutes as routes } from '../../contract/dialer/routes/campaigns.ts';
import { AppError } from '../../core/errors.ts';
import { dialerRouter } from '../http/app.ts';
import { mailingToCsv } from '../mailing/csv.ts';
import { generateMailing } from '../mailing/generate.ts';
import { importMailing } from '../mailing/import.ts';
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

  app.openapi(routes['mailing.generate'], (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const leads = generateMailing(body);
    const added = campaigns.addLeads(c.var.orgId, id, leads, body.replace);
    return c.json({ added, campaign: campaigns.get(c.var.orgId, id) }, 201);
  });

  app.openapi(routes['mailing.import'], async (c) => {
    const { id } = c.req.valid('param');
    campaigns.get(c.var.orgId, id);
    const text = await c.req.text();
    if (text.length > MAX_CSV_BYTES)
      throw new AppError('MAILING_TOO_LARGE', 413, `a mailing CSV may have at most ${MAX_CSV_BYTES} bytes`);
    const leads = importMailing(text);
    const added = campaigns.addLeads(c.var.orgId, id, leads, c.req.valid('query').replace === 'true');
    return c.json({ added, campaign: campaigns.get(c.var.orgId, id) }, 201);
  });

  app.openapi(routes['mailing.export'], (c) => {
    const { id } = c.req.valid('param');
    const leads = campaigns.leads(c.var.orgId, id).map((l) => l.lead);
    return c.body(mailingToCsv(leads), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="mailing-${id}.csv"`,
    });
  });

  app.openapi(routes['leads.list'], (c) =>
    c.json(campaigns.leads(c.var.orgId, c.req.valid('param').id, c.req.valid('query')), 200),
  );

  return app;
}
