import { z } from '@hono/zod-openapi';
import { type RouteRow, routeMatcher } from '../route-table.ts';
import { agentRoutes } from './agents.ts';
import { callRoutes } from './calls.ts';
import { campaignRoutes } from './campaigns.ts';
import { eventRoutes } from './events.ts';
import { organizationRoutes } from './organization.ts';

export { AgentWithStatus } from './agents.ts';
export { TransferResult } from './calls.ts';
export { LeadRecord, LeadStatus, MailingLoaded } from './campaigns.ts';
export { EVENT_PAGE_MAX } from './events.ts';

/** Where the dialer API is mounted on the dialer's origin. */
export const DIALER_API_BASE = '/api/v1';

/**
 * The dialer API, one definition per endpoint (method, path, parameters, body, every response), keyed by route id
 * (= operationId). The simulator binds its handlers to these; everyone else names a route by its id.
 */
export const dialerRoutes = {
  ...organizationRoutes,
  ...agentRoutes,
  ...campaignRoutes,
  ...callRoutes,
  ...eventRoutes,
};
export type DialerRoutes = typeof dialerRoutes;
export type DialerRouteId = keyof DialerRoutes;
export const DIALER_ROUTE_IDS = Object.keys(dialerRoutes) as DialerRouteId[];

/** The dialer API route of a request (full path, `/api/v1/...`), or undefined. */
export const dialerRouteOf: (method: string, path: string) => DialerRouteId | undefined = routeMatcher(
  dialerRoutes as Record<DialerRouteId, RouteRow>,
  DIALER_API_BASE,
);

/** A dialer API route by its id (its operationId in the document): `calls.disposition`, `agents.pause`… */
export const DialerRouteIdSchema = z
  .enum(DIALER_ROUTE_IDS as [DialerRouteId, ...DialerRouteId[]], {
    error: (i) => `'${String(i.input)}' is not a dialer route id; see the operationIds of /openapi.json`,
  })
  .openapi({ example: 'calls.disposition' });
