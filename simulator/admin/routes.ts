import { randomUUID } from 'node:crypto';
import { controlRoutes as routes, StreamsDropRequest } from '../../contract/dialer/control/routes.ts';
import type { Lead } from '../../contract/mailing.ts';
import { type Clock, VirtualClock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import { openApiApp, optionalJsonBody } from '../../core/http/validation.ts';
import type { CallFlow } from '../calls/call-flow.ts';
import type { CampaignRepository } from '../campaigns/repository.ts';
import { generateMailing } from '../mailing/generate.ts';
import type { OrganizationRepository } from '../organizations/repository.ts';
import type { Reset } from './reset.ts';

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

  app.openapi(routes['control.clock.get'], (c) => c.json(clockState(d.clock), 200));

  app.openapi(routes['control.clock.advance'], (c) => {
    virtual(d.clock).advance(c.req.valid('json').ms);
    return c.json(clockState(d.clock), 200);
  });

  app.openapi(routes['control.clock.set'], (c) => {
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
  });

  app.openapi(routes['control.seed'], (c) => {
    d.seed.set(c.req.valid('json').seed);
    return c.json({ seed: d.seed.get() }, 200);
  });

  app.openapi(routes['control.reset'], (c) => c.json(d.reset.run(c.req.valid('json')), 200));

  app.openapi(routes['control.streams.drop'], async (c) => {
    // No body: every organization's streams.
    const { orgId } = await optionalJsonBody(c, StreamsDropRequest);
    return c.json({ dropped: d.dropStreams(orgId) }, 200);
  });

  app.openapi(routes['control.organizations.list'], (c) =>
    c.json(
      d.orgs.list().map((o) => d.orgs.get(o.id)),
      200,
    ),
  );

  app.openapi(routes['control.organizations.create'], (c) => c.json(d.orgs.create(c.req.valid('json')), 201));

  app.openapi(routes['control.organizations.key'], (c) =>
    c.json({ key: d.orgs.revealKey(c.req.valid('param').orgId) }, 200),
  );

  app.openapi(routes['control.organizations.rotateKey'], (c) => {
    const { orgId } = c.req.valid('param');
    d.orgs.get(orgId);
    return c.json({ key: d.orgs.rotateKey(orgId) }, 200);
  });

  app.openapi(routes['control.organizations.delete'], (c) => {
    const { orgId } = c.req.valid('param');
    d.orgs.get(orgId);
    d.orgs.delete(orgId);
    return c.json({ ok: true as const }, 200);
  });

  app.openapi(routes['control.calls.create'], (c) => {
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
  });

  app.openapi(routes['control.calls.hangup'], (c) => {
    const { orgId, callId } = c.req.valid('param');
    return c.json(d.flow.hangup(orgId, callId, 'customer'), 200);
  });

  app.openapi(routes['control.calls.agvTransfer'], (c) => {
    const { orgId, callId } = c.req.valid('param');
    return c.json(d.flow.agvTransferNow(orgId, callId), 200);
  });

  return app;
}
