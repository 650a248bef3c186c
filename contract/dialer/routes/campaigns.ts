import { z } from '@hono/zod-openapi';
import { defineRoute, json, jsonBody, orNull } from '../../../core/http/openapi.ts';
import { wholeNumberParam } from '../../../core/http/params.ts';
import { Campaign, CampaignInput } from '../../campaigns.ts';
import { GenerateMailingRequest, Lead } from '../../mailing.ts';
import { CallOutcome } from '../../pacing.ts';

const tags = ['Campaigns and mailing'];
const idParam = { params: z.object({ id: z.string().min(1) }) };
export const LeadStatus = z.enum(['pending', 'dialing', 'done', 'failed']).openapi('LeadStatus');
export const LeadRecord = z
  .object({ lead: Lead, status: LeadStatus, attempts: z.number(), lastOutcome: orNull(CallOutcome) })
  .openapi('LeadRecord');
export const MailingLoaded = z.object({ added: z.number(), campaign: Campaign }).openapi('MailingLoaded');
const csv = (description: string) => ({ content: { 'text/csv': { schema: z.string() } }, description });

/** Campaigns, their mailing (generated from a seed, or imported / exported as CSV) and their dialling. */
export const campaignRoutes = {
  'campaigns.create': defineRoute({
    operationId: 'campaigns.create',
    method: 'post',
    path: '/campaigns',
    tags,
    summary: 'Creates a campaign (stopped, with an empty mailing)',
    request: jsonBody(CampaignInput),
    responses: { 201: json(Campaign, 'created') },
  }),
  'campaigns.list': defineRoute({
    operationId: 'campaigns.list',
    method: 'get',
    path: '/campaigns',
    tags,
    summary: 'The campaigns with their lead counts',
    responses: { 200: json(z.array(Campaign), 'the campaigns') },
  }),
  'campaigns.get': defineRoute(
    {
      operationId: 'campaigns.get',
      method: 'get',
      path: '/campaigns/{id}',
      tags,
      summary: 'One campaign',
      request: idParam,
      responses: { 200: json(Campaign, 'the campaign') },
    },
    { errors: [404] },
  ),
  'campaigns.start': defineRoute(
    {
      operationId: 'campaigns.start',
      method: 'post',
      path: '/campaigns/{id}/start',
      tags,
      summary: 'Starts dialling (scripted campaigns dial only through the control API)',
      request: idParam,
      responses: { 200: json(Campaign, 'the campaign') },
    },
    { errors: [404] },
  ),
  'campaigns.stop': defineRoute(
    {
      operationId: 'campaigns.stop',
      method: 'post',
      path: '/campaigns/{id}/stop',
      tags,
      summary: 'Stops dialling; calls under way go on',
      request: idParam,
      responses: { 200: json(Campaign, 'the campaign') },
    },
    { errors: [404] },
  ),
  'mailing.generate': defineRoute(
    {
      operationId: 'mailing.generate',
      method: 'post',
      path: '/campaigns/{id}/mailing/generate',
      tags,
      summary: 'Generates a mailing from a seed (same seed, same mailing) and adds it to the campaign',
      request: {
        ...idParam,
        ...jsonBody(
          GenerateMailingRequest.and(
            z.object({ replace: z.boolean().default(false).describe('replace the pending leads instead of adding') }),
          ),
        ),
      },
      responses: { 201: json(MailingLoaded, 'leads added') },
    },
    { errors: [404, 409] },
  ),
  'mailing.import': defineRoute(
    {
      operationId: 'mailing.import',
      method: 'post',
      path: '/campaigns/{id}/mailing',
      tags,
      summary:
        'Imports a mailing from CSV (comma or semicolon separated, UTF-8, optional BOM); any invalid row refuses the ' +
        'whole file (MAILING_INVALID, 422, with line, field and message of each problem)',
      request: {
        ...idParam,
        query: z.object({ replace: z.enum(['true', 'false']).default('false') }),
        body: { ...csv('the mailing, a header line then one lead per line'), required: true },
      },
      responses: { 201: json(MailingLoaded, 'leads added') },
    },
    { errors: [404, 409, 413, 415] },
  ),
  'mailing.export': defineRoute(
    {
      operationId: 'mailing.export',
      method: 'get',
      path: '/campaigns/{id}/mailing',
      tags,
      summary: 'Exports the mailing as CSV (cells that a spreadsheet would run as formulas are neutralized)',
      request: idParam,
      responses: { 200: csv('the mailing') },
    },
    { errors: [404] },
  ),
  'leads.list': defineRoute(
    {
      operationId: 'leads.list',
      method: 'get',
      path: '/campaigns/{id}/leads',
      tags,
      summary: 'Leads with their dialling status',
      request: {
        ...idParam,
        query: z.object({
          status: LeadStatus.optional(),
          limit: wholeNumberParam({ min: 1, max: 10_000 }).default(100),
          offset: wholeNumberParam().default(0),
        }),
      },
      responses: { 200: json(z.array(LeadRecord), 'the leads') },
    },
    { errors: [404] },
  ),
};
