import { createRoute, z } from '@hono/zod-openapi';
import { Campaign, CampaignInput } from '../../contract/campaigns.ts';
import { GenerateMailingRequest, Lead } from '../../contract/mailing.ts';
import { CallOutcome } from '../../contract/pacing.ts';
import { AppError } from '../../core/errors.ts';
import { errors, json, jsonBody } from '../../core/http/openapi.ts';
import { dialerRouter } from '../http/app.ts';
import { mailingToCsv } from '../mailing/csv.ts';
import { generateMailing } from '../mailing/generate.ts';
import { importMailing } from '../mailing/import.ts';
import type { Pacer } from '../pacing/pacer.ts';
import type { CampaignRepository } from './repository.ts';

const tags = ['Campaigns and mailing'];
const idParam = { params: z.object({ id: z.string().min(1) }) };
const LeadStatus = z.enum(['pending', 'dialing', 'done', 'failed']);
const LeadRecord = z
  .object({ lead: Lead, status: LeadStatus, attempts: z.number(), lastOutcome: CallOutcome.nullable() })
  .openapi('LeadRecord');
const MailingLoaded = z.object({ added: z.number(), campaign: Campaign }).openapi('MailingLoaded');
const MAX_CSV_BYTES = 50 * 1024 * 1024;

/** Campaigns, their mailing (generated from a seed, or imported / exported as CSV) and their dialling. */
export function campaignRoutes(campaigns: CampaignRepository, pacer: Pacer) {
  const app = dialerRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/campaigns',
      tags,
      summary: 'Creates a campaign (stopped, with an empty mailing)',
      request: jsonBody(CampaignInput),
      responses: { 201: json(Campaign, 'created'), 401: errors[401], 422: errors[422] },
    }),
    (c) => c.json(campaigns.create(c.var.orgId, c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/campaigns',
      tags,
      summary: 'The campaigns with their lead counts',
      responses: { 200: json(z.array(Campaign), 'the campaigns'), 401: errors[401] },
    }),
    (c) => c.json(campaigns.list(c.var.orgId), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/campaigns/{id}',
      tags,
      summary: 'One campaign',
      request: idParam,
      responses: { 200: json(Campaign, 'the campaign'), 401: errors[401], 404: errors[404] },
    }),
    (c) => c.json(campaigns.get(c.var.orgId, c.req.valid('param').id), 200),
  );

  for (const action of ['start', 'stop'] as const)
    app.openapi(
      createRoute({
        method: 'post',
        path: `/campaigns/{id}/${action}`,
        tags,
        summary:
          action === 'start'
            ? 'Starts dialling (scripted campaigns dial only through the control API)'
            : 'Stops dialling; calls under way go on',
        request: idParam,
        responses: { 200: json(Campaign, 'the campaign'), 401: errors[401], 404: errors[404] },
      }),
      (c) => {
        const { id } = c.req.valid('param');
        const campaign =
          action === 'start' ? pacer.startCampaign(c.var.orgId, id) : pacer.stopCampaign(c.var.orgId, id);
        return c.json(campaign, 200);
      },
    );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/campaigns/{id}/mailing/generate',
      tags,
      summary: 'Generates a mailing from a seed (same seed, same mailing) and adds it to the campaign',
      request: {
        ...idParam,
        ...jsonBody(GenerateMailingRequest.and(z.object({ replace: z.boolean().default(false) }))),
      },
      responses: {
        201: json(MailingLoaded, 'leads added'),
        401: errors[401],
        404: errors[404],
        409: errors[409],
        422: errors[422],
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const leads = generateMailing(body);
      const added = campaigns.addLeads(c.var.orgId, id, leads, body.replace);
      return c.json({ added, campaign: campaigns.get(c.var.orgId, id) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/campaigns/{id}/mailing',
      tags,
      summary: 'Imports a mailing from CSV (comma or semicolon); any invalid row refuses the whole file',
      request: {
        ...idParam,
        query: z.object({ replace: z.enum(['true', 'false']).default('false') }),
        body: { content: { 'text/csv': { schema: z.string() } }, required: true },
      },
      responses: {
        201: json(MailingLoaded, 'leads added'),
        401: errors[401],
        404: errors[404],
        409: errors[409],
        422: errors[422],
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      campaigns.get(c.var.orgId, id);
      const text = await c.req.text();
      if (text.length > MAX_CSV_BYTES)
        throw new AppError('MAILING_TOO_LARGE', 413, `a mailing CSV may have at most ${MAX_CSV_BYTES} bytes`);
      const leads = importMailing(text);
      const added = campaigns.addLeads(c.var.orgId, id, leads, c.req.valid('query').replace === 'true');
      return c.json({ added, campaign: campaigns.get(c.var.orgId, id) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/campaigns/{id}/mailing',
      tags,
      summary: 'Exports the mailing as CSV',
      request: idParam,
      responses: {
        200: { content: { 'text/csv': { schema: z.string() } }, description: 'the mailing' },
        401: errors[401],
        404: errors[404],
      },
    }),
    (c) => {
      const leads = campaigns.leads(c.var.orgId, c.req.valid('param').id).map((l) => l.lead);
      return c.body(mailingToCsv(leads), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="mailing-${c.req.valid('param').id}.csv"`,
      });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/campaigns/{id}/leads',
      tags,
      summary: 'Leads with their dialling status',
      request: {
        ...idParam,
        query: z.object({
          status: LeadStatus.optional(),
          limit: z.coerce.number().int().min(1).max(10_000).default(100),
          offset: z.coerce.number().int().min(0).default(0),
        }),
      },
      responses: { 200: json(z.array(LeadRecord), 'the leads'), 401: errors[401], 404: errors[404] },
    }),
    (c) => c.json(campaigns.leads(c.var.orgId, c.req.valid('param').id, c.req.valid('query')), 200),
  );

  return app;
}
