import { z } from '@hono/zod-openapi';
import { defineRoute, type ErrorStatus, json, jsonBody, type RouteOptions } from '../../../core/http/openapi.ts';
import { Call } from '../../calls.ts';
import { Organization, OrganizationInput } from '../../organizations.ts';
import { type RouteRow, routeMatcher } from '../route-table.ts';
import { FaultRule, FaultRuleInput, FaultRuleList } from './faults.ts';
import { JournalPage, JournalQuery, VerifyResult, VerifySpec } from './journal.ts';
import {
  ClockAdvance,
  ClockSet,
  ClockState,
  ResetRequest,
  ResetResult,
  ScriptedCallRequest,
  SeedRequest,
} from './schemas.ts';

/** Where the control API is mounted on the dialer's origin. */
export const CONTROL_API_BASE = '/__admin';

/** The control API answers only the admin token (header or bearer), and only on loopback unless --admin-remote. */
const security: Array<Record<string, string[]>> = [{ adminToken: [] }, { adminBearer: [] }];
/** Every control route: 401 without the token, 403 ADMIN_LOOPBACK_ONLY from another host. */
const control = (errors: ErrorStatus[] = []): RouteOptions => ({ errors: [403, ...errors] });

const tags = { control: ['Control'], faults: ['Control: faults'], journal: ['Control: journal'] };
export const OrganizationWithKey = z
  .object({ organization: Organization, key: z.string() })
  .openapi('OrganizationWithKey');
const DialerKey = z.object({ key: z.string() }).openapi('DialerKeyAnswer');
const orgParam = z.object({ orgId: z.string().min(1) });
const callParam = orgParam.extend({ callId: z.string().min(1) });
export const StreamsDropRequest = z.object({ orgId: z.string().min(1).optional() }).openapi('StreamsDropRequest');
const Removed = (name: string) => z.object({ removed: z.number().int() }).openapi(name);

/**
 * The control API (`/__admin`): the dialer's clock, seed and reset, organizations and their keys, scripted call
 * control, event-stream drops, fault rules and the request journal. Keyed by route id, like the dialer API.
 */
export const controlRoutes = {
  'control.clock.get': defineRoute(
    {
      operationId: 'control.clock.get',
      method: 'get',
      path: '/clock',
      security,
      tags: tags.control,
      summary: 'The dialer’s clock',
      responses: { 200: json(ClockState, 'the clock') },
    },
    control(),
  ),
  'control.clock.advance': defineRoute(
    {
      operationId: 'control.clock.advance',
      method: 'post',
      path: '/clock/advance',
      security,
      tags: tags.control,
      summary:
        'Moves a virtual clock forward, firing every timer due on the way, in order (CLOCK_NOT_VIRTUAL on a real one)',
      request: jsonBody(ClockAdvance),
      responses: { 200: json(ClockState, 'the clock') },
    },
    control([409]),
  ),
  'control.clock.set': defineRoute(
    {
      operationId: 'control.clock.set',
      method: 'post',
      path: '/clock/set',
      security,
      tags: tags.control,
      summary: 'Sets a virtual clock to a later instant (ISO 8601 or epoch ms); never backwards (CLOCK_BACKWARDS)',
      request: jsonBody(ClockSet),
      responses: { 200: json(ClockState, 'the clock') },
    },
    control([409]),
  ),
  'control.seed': defineRoute(
    {
      operationId: 'control.seed',
      method: 'post',
      path: '/seed',
      security,
      tags: tags.control,
      summary: 'Fixes the random seed (fault probabilities, generated scripted leads)',
      request: jsonBody(SeedRequest),
      responses: { 200: json(SeedRequest, 'the seed') },
    },
    control(),
  ),
  'control.reset': defineRoute(
    {
      operationId: 'control.reset',
      method: 'post',
      path: '/reset',
      security,
      tags: tags.control,
      summary: 'Clears calls, dispositions, events, sessions, faults and the journal (of one organization or all)',
      request: jsonBody(ResetRequest),
      responses: { 200: json(ResetResult, 'what was cleared') },
    },
    control([404]),
  ),
  'control.streams.drop': defineRoute(
    {
      operationId: 'control.streams.drop',
      method: 'post',
      path: '/streams/drop',
      security,
      tags: tags.control,
      summary: 'Drops the open event streams now (of one organization, or all): a network failure on demand',
      request: {
        body: {
          content: { 'application/json': { schema: StreamsDropRequest } },
          description: 'the organization (default: all); the body may be left out',
          required: false,
        },
      },
      responses: { 200: json(z.object({ dropped: z.number().int() }).openapi('StreamsDropped'), 'streams closed') },
    },
    control(),
  ),
  'control.organizations.list': defineRoute(
    {
      operationId: 'control.organizations.list',
      method: 'get',
      path: '/organizations',
      security,
      tags: tags.control,
      summary: 'Organizations (without keys)',
      responses: { 200: json(z.array(Organization), 'the organizations') },
    },
    control(),
  ),
  'control.organizations.create': defineRoute(
    {
      operationId: 'control.organizations.create',
      method: 'post',
      path: '/organizations',
      security,
      tags: tags.control,
      summary: 'Creates an organization; the answer carries its dialer key (shown this once, or via /key)',
      request: jsonBody(OrganizationInput),
      responses: { 201: json(OrganizationWithKey, 'created') },
    },
    control([409]),
  ),
  'control.organizations.key': defineRoute(
    {
      operationId: 'control.organizations.key',
      method: 'get',
      path: '/organizations/{orgId}/key',
      security,
      tags: tags.control,
      summary: 'The organization’s dialer key',
      request: { params: orgParam },
      responses: { 200: json(DialerKey, 'the key') },
    },
    control([404]),
  ),
  'control.organizations.rotateKey': defineRoute(
    {
      operationId: 'control.organizations.rotateKey',
      method: 'post',
      path: '/organizations/{orgId}/key/rotate',
      security,
      tags: tags.control,
      summary: 'Replaces the organization’s dialer key; the old one stops working at once',
      request: { params: orgParam },
      responses: { 200: json(DialerKey, 'the new key') },
    },
    control([404]),
  ),
  'control.organizations.delete': defineRoute(
    {
      operationId: 'control.organizations.delete',
      method: 'delete',
      path: '/organizations/{orgId}',
      security,
      tags: tags.control,
      summary: 'Deletes an organization and everything in it',
      request: { params: orgParam },
      responses: { 200: json(z.object({ ok: z.literal(true) }), 'deleted') },
    },
    control([404]),
  ),
  'control.calls.create': defineRoute(
    {
      operationId: 'control.calls.create',
      method: 'post',
      path: '/organizations/{orgId}/calls',
      security,
      tags: tags.control,
      summary: 'Scripted call: a lead’s call, answered now, offered to an agent, an AGV, or the next free agent',
      request: { params: orgParam, ...jsonBody(ScriptedCallRequest) },
      responses: { 201: json(Call, 'the call') },
    },
    control([404, 409]),
  ),
  'control.calls.hangup': defineRoute(
    {
      operationId: 'control.calls.hangup',
      method: 'post',
      path: '/organizations/{orgId}/calls/{callId}/hangup',
      security,
      tags: tags.control,
      summary: 'The customer hangs up now',
      request: { params: callParam },
      responses: { 200: json(Call, 'ended') },
    },
    control([404, 409]),
  ),
  'control.calls.agvTransfer': defineRoute(
    {
      operationId: 'control.calls.agvTransfer',
      method: 'post',
      path: '/organizations/{orgId}/calls/{callId}/agv-transfer',
      security,
      tags: tags.control,
      summary: 'The AGV holding the call transfers it to Omni now',
      request: { params: callParam },
      responses: { 200: json(Call, 'queued for Omni') },
    },
    control([404, 409]),
  ),
  'control.faults.list': defineRoute(
    {
      operationId: 'control.faults.list',
      method: 'get',
      path: '/faults',
      security,
      tags: tags.faults,
      summary: 'Fault rules, oldest (highest precedence) first',
      responses: { 200: json(FaultRuleList, 'the rules') },
    },
    control(),
  ),
  'control.faults.add': defineRoute(
    {
      operationId: 'control.faults.add',
      method: 'post',
      path: '/faults',
      security,
      tags: tags.faults,
      summary:
        'Adds a fault rule; among rules matching a request, the first added decides. An error fault answers ' +
        'INJECTED_FAULT (or its code) with the status it names, on any dialer route, with the header ' +
        'X-Injected-Fault: <rule id>',
      request: jsonBody(FaultRuleInput),
      responses: { 201: json(FaultRule, 'the rule as stored') },
    },
    control(),
  ),
  'control.faults.remove': defineRoute(
    {
      operationId: 'control.faults.remove',
      method: 'delete',
      path: '/faults/{id}',
      security,
      tags: tags.faults,
      summary: 'Removes one fault rule (FAULT_NOT_FOUND when no rule has this id)',
      request: { params: z.object({ id: z.string().min(1).openapi({ example: 'fault-1' }) }) },
      responses: { 204: { description: 'removed' } },
    },
    control([404]),
  ),
  'control.faults.clear': defineRoute(
    {
      operationId: 'control.faults.clear',
      method: 'delete',
      path: '/faults',
      security,
      tags: tags.faults,
      summary: 'Removes every fault rule',
      responses: { 200: json(Removed('FaultsRemoved'), 'how many rules were removed') },
    },
    control(),
  ),
  'control.requests.list': defineRoute(
    {
      operationId: 'control.requests.list',
      method: 'get',
      path: '/requests',
      security,
      tags: tags.journal,
      summary: 'Recorded dialer API requests, oldest first, filtered by the query parameters',
      request: { query: JournalQuery },
      responses: { 200: json(JournalPage, 'the requests') },
    },
    control(),
  ),
  'control.requests.clear': defineRoute(
    {
      operationId: 'control.requests.clear',
      method: 'delete',
      path: '/requests',
      security,
      tags: tags.journal,
      summary: 'Empties the journal (seq keeps counting)',
      responses: { 200: json(Removed('JournalRemoved'), 'how many entries were removed') },
    },
    control(),
  ),
  'control.requests.verify': defineRoute(
    {
      operationId: 'control.requests.verify',
      method: 'post',
      path: '/requests/verify',
      security,
      tags: tags.journal,
      summary: 'Checks how many requests matched and in which order; a failed check answers 200 with ok: false',
      request: jsonBody(VerifySpec),
      responses: { 200: json(VerifyResult, 'the verdict') },
    },
    control(),
  ),
};
export type ControlRoutes = typeof controlRoutes;
export type ControlRouteId = keyof ControlRoutes;

/** The control API route of a request (full path, `/__admin/...`), or undefined. */
export const controlRouteOf: (method: string, path: string) => ControlRouteId | undefined = routeMatcher(
  controlRoutes as Record<ControlRouteId, RouteRow>,
  CONTROL_API_BASE,
);
