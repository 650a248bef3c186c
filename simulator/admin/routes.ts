import { randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import {
  ClockAdvance,
  ClockSet,
  ClockState,
  ResetRequest,
  ResetResult,
  ScriptedCallRequest,
  SeedRequest,
} from '../../contract/admin.ts';
import { Call } from '../../contract/calls.ts';
import type { Lead } from '../../contract/mailing.ts';
import { Organization, OrganizationInput } from '../../contract/organizations.ts';
import { type Clock, VirtualClock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import { errors, json, jsonBody } from '../../core/http/openapi.ts';
import { openApiApp } from '../../core/http/validation.ts';
import type { CallFlow } from '../calls/call-flow.ts';
import type { CampaignRepository } from '../campaigns/repository.ts';
import { generateMailing } from '../mailing/generate.ts';
import type { OrganizationRepository } from '../organizations/repository.ts';
import type { Reset } from './reset.ts';

const tags = ['Control'];
const OrgWithKey = z.object({ organization: Organization, key: z.string() }).openapi('OrganizationWithKey');
const orgParam = z.object({ orgId: z.string() });
const callParam = orgParam.extend({ callId: z.string() });

export type AdminDeps = {
  clock: Clock;
  orgs: OrganizationRepository;
  campaigns: CampaignRepository;
  flow: CallFlow;
  reset: Reset;
  seed: { get(): string | number; set(seed: string | number): void; next(): string };
  dropStreams: (orgId?: string) => number;
};

function clockState(clock: Clock) {
  const now = clock.now();
  return {
    kind: clock.kind,
    now: new Date(now).toISOString(),
    nowMs: now,
    pendingTimers: clock instanceof VirtualClock ? clock.pending : null,
  };
}

function virtual(clock: Clock): VirtualClock {
  if (!(clock instanceof VirtualClock))
    throw new AppError(
      'CLOCK_NOT_VIRTUAL',
      409,
      'the dialer runs on the real clock; start it with --clock virtual to set or advance time',
    );
  return clock;
}

/** The control API: clock, seed, reset, organizations, scripted call control, event-stream drops. */
export function adminRoutes(d: AdminDeps) {
  const app = openApiApp();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/clock',
      tags,
      summary: 'The dialer’s clock',
      responses: { 200: json(ClockState, 'the clock') },
    }),
    (c) => c.json(clockState(d.clock), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/clock/advance',
      tags,
      summary: 'Moves a virtual clock forward, firing every timer due on the way, in order',
      request: jsonBody(ClockAdvance),
      responses: { 200: json(ClockState, 'the clock'), 409: errors[409], 422: errors[422] },
    }),
    (c) => {
      virtual(d.clock).advance(c.req.valid('json').ms);
      return c.json(clockState(d.clock), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/clock/set',
      tags,
      summary: 'Sets a virtual clock to a later instant (ISO 8601 or epoch ms)',
      request: jsonBody(ClockSet),
      responses: { 200: json(ClockState, 'the clock'), 409: errors[409], 422: errors[422] },
    }),
    (c) => {
      const { now } = c.req.valid('json');
      const target = typeof now === 'number' ? now : Date.parse(now);
      const clock = virtual(d.clock);
      if (target < clock.now())
        throw new AppError(
          'CLOCK_BACKWARDS',
          409,
          `the clock is at ${new Date(clock.now()).toISOString()}; it never goes back`,
        );
      clock.set(target);
      return c.json(clockState(d.clock), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/seed',
      tags,
      summary: 'Fixes the random seed (fault probabilities, generated scripted leads)',
      request: jsonBody(SeedRequest),
      responses: { 200: json(SeedRequest, 'the seed'), 422: errors[422] },
    }),
    (c) => {
      d.seed.set(c.req.valid('json').seed);
      return c.json({ seed: d.seed.get() }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/reset',
      tags,
      summary: 'Clears calls, dispositions, events, sessions, faults and the journal (of one organization or all)',
      request: jsonBody(ResetRequest),
      responses: { 200: json(ResetResult, 'what was cleared'), 404: errors[404], 422: errors[422] },
    }),
    (c) => c.json(d.reset.run(c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/streams/drop',
      tags,
      summary: 'Drops the open event streams now (a network failure on demand)',
      request: { body: { content: { 'application/json': { schema: z.object({ orgId: z.string().optional() }) } } } },
      responses: { 200: json(z.object({ dropped: z.number() }), 'how many streams were closed') },
    }),
    async (c) => {
      const body = (await c.req.json().catch(() => ({}))) as { orgId?: string };
      return c.json({ dropped: d.dropStreams(body.orgId) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/organizations',
      tags,
      summary: 'Organizations (without keys)',
      responses: { 200: json(z.array(Organization), 'the organizations') },
    }),
    (c) =>
      c.json(
        d.orgs.list().map((o) => d.orgs.get(o.id)),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/organizations',
      tags,
      summary: 'Creates an organization; the answer carries its dialer key (shown this once, or via /key)',
      request: jsonBody(OrganizationInput),
      responses: { 201: json(OrgWithKey, 'created'), 409: errors[409], 422: errors[422] },
    }),
    (c) => c.json(d.orgs.create(c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/organizations/{orgId}/key',
      tags,
      summary: 'The organization’s dialer key',
      request: { params: orgParam },
      responses: { 200: json(z.object({ key: z.string() }), 'the key'), 404: errors[404] },
    }),
    (c) => c.json({ key: d.orgs.revealKey(c.req.valid('param').orgId) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/organizations/{orgId}/key/rotate',
      tags,
      summary: 'Replaces the organization’s dialer key; the old one stops working at once',
      request: { params: orgParam },
      responses: { 200: json(z.object({ key: z.string() }), 'the new key'), 404: errors[404] },
    }),
    (c) => {
      const { orgId } = c.req.valid('param');
      d.orgs.get(orgId);
      return c.json({ key: d.orgs.rotateKey(orgId) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/organizations/{orgId}',
      tags,
      summary: 'Deletes an organization and everything in it',
      request: { params: orgParam },
      responses: { 200: json(z.object({ ok: z.literal(true) }), 'deleted'), 404: errors[404] },
    }),
    (c) => {
      const { orgId } = c.req.valid('param');
      d.orgs.get(orgId);
      d.orgs.delete(orgId);
      return c.json({ ok: true as const }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/organizations/{orgId}/calls',
      tags,
      summary: 'Scripted call: a lead’s call, answered now, offered to an agent, an AGV, or the next free agent',
      request: { params: orgParam, ...jsonBody(ScriptedCallRequest) },
      responses: { 201: json(Call, 'the call'), 404: errors[404], 409: errors[409], 422: errors[422] },
    }),
    (c) => {
      const { orgId } = c.req.valid('param');
      d.orgs.get(orgId);
      const req = c.req.valid('json');
      let lead: Lead | undefined = req.lead ? { ...req.lead, id: req.lead.id ?? randomUUID() } : undefined;
      if (!lead && req.campaignId) {
        d.campaigns.get(orgId, req.campaignId);
        lead = req.leadId
          ? d.campaigns.leads(orgId, req.campaignId).find((l) => l.lead.id === req.leadId)?.lead
          : d.campaigns.takeDueLeads(req.campaignId, 1)[0];
        if (!lead)
          throw new AppError(
            'LEAD_NOT_FOUND',
            404,
            req.leadId
              ? `lead '${req.leadId}' is not in campaign ${req.campaignId}`
              : `campaign ${req.campaignId} has no pending lead`,
          );
      }
      lead ??= generateMailing({ size: 1, seed: d.seed.next(), customFields: [] })[0]!;
      const call = d.flow.scripted(orgId, {
        lead,
        campaignId: req.campaignId ?? null,
        origin: 'scripted',
        dialerUser: req.dialerUser,
        agvExtension: req.agvExtension,
      });
      return c.json(call, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/organizations/{orgId}/calls/{callId}/hangup',
      tags,
      summary: 'The customer hangs up now',
      request: { params: callParam },
      responses: { 200: json(Call, 'ended'), 404: errors[404], 409: errors[409] },
    }),
    (c) => {
      const { orgId, callId } = c.req.valid('param');
      return c.json(d.flow.hangup(orgId, callId, 'customer'), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/organizations/{orgId}/calls/{callId}/agv-transfer',
      tags,
      summary: 'The AGV holding the call transfers it to Omni now',
      request: { params: callParam },
      responses: { 200: json(Call, 'queued for Omni'), 404: errors[404], 409: errors[409] },
    }),
    (c) => {
      const { orgId, callId } = c.req.valid('param');
      return c.json(d.flow.agvTransferNow(orgId, callId), 200);
    },
  );

  return app;
}
