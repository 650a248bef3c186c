import { z } from '@hono/zod-openapi';
import {
  buildRouteRequest,
  type RouteDefinitionLike,
  type RouteInput,
  RouteInputError,
} from '../../contract/dialer/route-call.ts';
import { type DialerRoutes, dialerRoutes } from '../../contract/dialer/routes/index.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import type { DialerClient } from './client.ts';
import { errorMessage } from './log.ts';
import type { Outbox, OutboxResult, OutboxSend } from './outbox.ts';

/**
 * The dialer routes Omni sends as commands (durably, through the outbox): a call's hang-up and disposition, an
 * agent's pause, unpause, availability and logout. Each is ordered per call or per agent, always within its
 * organization.
 */
export const COMMAND_ROUTES = {
  'calls.hangup': 'call',
  'calls.disposition': 'call',
  'agents.pause': 'agent',
  'agents.unpause': 'agent',
  'agents.available': 'agent',
  'agents.logout': 'agent',
} as const satisfies Partial<Record<keyof DialerRoutes, 'call' | 'agent'>>;
export type DialerCommandRoute = keyof typeof COMMAND_ROUTES;

/** A command: the route it calls and that route's input (path parameters, body), typed from the contract. */
export type DialerCommand = {
  [R in DialerCommandRoute]: { route: R } & Pick<RouteInput<DialerRoutes[R]>, 'params' | 'body'>;
}[DialerCommandRoute];

/** What an outbox item of a command holds: the route's input, as given (validated at `send`). */
const StoredCommandSchema = z.object({
  params: z.record(z.string(), z.unknown()).optional(),
  body: z.unknown().optional(),
});
type StoredCommand = z.infer<typeof StoredCommandSchema>;

const isCommandRoute = (kind: string): kind is DialerCommandRoute => Object.hasOwn(COMMAND_ROUTES, kind);

/**
 * The ordering key of a command: per call (a hang-up before the disposition of the same call) or per agent (pauses
 * in the order asked), always with the organization, so one organization's stuck dialer never holds another's.
 */
export function orderingKeyOf(orgId: string, command: DialerCommand): string {
  const params = command.params as Record<string, string>;
  return COMMAND_ROUTES[command.route] === 'call'
    ? `${orgId}:call:${params.id}`
    : `${orgId}:agent:${params.dialerUser}`;
}

/**
 * The one way Omni sends commands to an organization's dialer: each is validated against the contract (a wrong
 * command is a 422 here, never a row that fails later), keyed for ordering by organization and call or agent, and
 * enqueued in the caller's transaction (call it inside the transaction that makes the command necessary; delivery
 * starts after it commits). `dedupeKey` names the command uniquely within the organization (e.g. `disposition:<call>`):
 * the same one twice is enqueued once; it travels as the Idempotency-Key to routes that take one.
 */
export class DialerCommandPort {
  constructor(private readonly outbox: Pick<Outbox, 'enqueue'>) {}

  send(orgId: string, command: DialerCommand, dedupeKey: string): number {
    const route = dialerRoutes[command.route] as unknown as RouteDefinitionLike;
    try {
      buildRouteRequest(route, command);
    } catch (e) {
      if (e instanceof RouteInputError)
        throw new AppError('VALIDATION_FAILED', 422, `invalid ${command.route} command: ${e.message}`, {
          route: command.route,
          issues: e.issues,
        });
      throw e;
    }
    const payload: StoredCommand = {
      ...(command.params ? { params: command.params } : {}),
      ...(command.body !== undefined ? { body: command.body } : {}),
    };
    return this.outbox.enqueue({
      orgId,
      kind: command.route,
      orderingKey: orderingKeyOf(orgId, command),
      payload,
      idempotencyKey: `${orgId}:${dedupeKey}`,
    });
  }
}

/** Problems an administrator (or time) fixes: retried, the error kept in the item's last_error. */
const RETRY_CODES = new Set([
  'DIALER_UNREACHABLE',
  'DIALER_CERTIFICATE_MISMATCH',
  'DIALER_CERTIFICATE_EXPIRED',
  'DIALER_CERTIFICATE_NOT_YET_VALID',
  'DIALER_CERTIFICATE_INVALID',
  'DIALER_NOT_CONFIGURED',
  'DIALER_URL_INVALID',
]);

/** An answer that means the command already took effect. */
function alreadyDone(route: DialerCommandRoute, payload: StoredCommand, e: AppError): unknown {
  const code = e.details?.dialerCode;
  if (route === 'calls.hangup' && code === 'CALL_ALREADY_ENDED') return { alreadyEnded: e.details };
  if (route === 'agents.logout' && code === 'AGENT_NOT_LOGGED_IN') return { alreadyLoggedOut: true };
  if (route === 'calls.disposition' && code === 'CALL_ALREADY_DISPOSED') {
    const first = e.details?.first as { tagCode?: string; notes?: string } | undefined;
    const body = payload.body as { tagCode?: string; notes?: string } | undefined;
    if (first && first.tagCode === body?.tagCode && first.notes === (body?.notes ?? ''))
      return { alreadyDisposed: first };
  }
  return undefined;
}

/** Sorts a failure into retry (network, 5xx, 401/408/429, trust and configuration problems) or failed (other 4xx). */
export function classifyDialerError(route: DialerCommandRoute, payload: StoredCommand, e: unknown): OutboxResult {
  if (!isAppError(e)) return { retry: errorMessage(e) };
  const described = `${e.code}: ${e.message}`;
  const done = alreadyDone(route, payload, e);
  if (done !== undefined) return { sent: done };
  // A 2xx whose body does not match the contract: the dialer did it; retrying would not change the body.
  if (e.code === 'DIALER_RESPONSE_INVALID') return { sent: { unreadableAnswer: e.message } };
  if (RETRY_CODES.has(e.code) || e.status >= 500 || [401, 408, 425, 429].includes(e.status))
    return { retry: described };
  return { failed: described };
}

/** What the outbox keeps of an answer: what happened, never the lead's data a Call carries. */
function summary(body: unknown): unknown {
  const call = body as { id?: string; state?: string; endedBy?: string | null; lead?: unknown } | undefined;
  if (call?.lead !== undefined) return { callId: call.id, state: call.state, endedBy: call.endedBy };
  return body;
}

/**
 * The Outbox's `send` for dialer commands: calls the item's route on the organization's DialerClient with the item's
 * idempotency key (the same on every retry). "Already done" answers count as sent: CALL_ALREADY_ENDED for a
 * hang-up, AGENT_NOT_LOGGED_IN for a logout, CALL_ALREADY_DISPOSED when the first disposition has the same tag and
 * notes.
 */
export function dialerCommandSender(clients: { get(orgId: string): DialerClient }): OutboxSend {
  return async (item) => {
    if (!isCommandRoute(item.kind)) return { failed: `'${item.kind}' is not a dialer command route` };
    const route = item.kind;
    const stored = StoredCommandSchema.safeParse(item.payload);
    if (!stored.success) return { failed: `invalid ${route} command: ${z.prettifyError(stored.error)}` };
    const payload = stored.data;
    try {
      const res = await clients.get(item.orgId).call(route, {
        ...(payload as object),
        idempotencyKey: item.idempotencyKey,
      } as never);
      return {
        sent: {
          status: res.status,
          ...(res.headers['idempotent-replayed'] === 'true' ? { replayed: true } : {}),
          answer: summary(res.body),
        },
      };
    } catch (e) {
      // A command the contract refuses never becomes valid by waiting.
      if (isAppError(e) && e.code === 'DIALER_REQUEST_INVALID') return { failed: `${e.code}: ${e.message}` };
      return classifyDialerError(route, payload, e);
    }
  };
}
