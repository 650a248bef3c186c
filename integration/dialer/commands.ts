import { z } from '@hono/zod-openapi';
import { DialerUser } from '../../contract/organizations.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import type { DialerClient } from './client.ts';
import { errorMessage } from './log.ts';
import type { Outbox, OutboxItem, OutboxResult, OutboxSend } from './outbox.ts';

/** The commands the Omni side sends the dialer through the outbox, by kind: their payloads. */
export const DispositionCommand = z.object({
  callId: z.string().min(1),
  tagCode: z.string().trim().min(1).max(64),
  notes: z.string().max(4000).default(''),
  /** Who disposes (a supervisor finalizing for the agent); the call's agent when absent. */
  dialerUser: DialerUser.optional(),
});
export const HangupCommand = z.object({
  callId: z.string().min(1),
  by: z.enum(['agent', 'supervisor']).default('agent'),
});
export const PauseCommand = z.object({ dialerUser: DialerUser, idStatus: z.number().int() });
export const AgentCommand = z.object({ dialerUser: DialerUser });

export const DialerCommandSchemas = {
  disposition: DispositionCommand,
  hangup: HangupCommand,
  pause: PauseCommand,
  unpause: AgentCommand,
  available: AgentCommand,
  logout: AgentCommand,
} as const;
export type DialerCommandKind = keyof typeof DialerCommandSchemas;
/** What `enqueueDialerCommand` takes for a kind (defaults may be left out). */
export type DialerCommandPayload<K extends DialerCommandKind> = z.input<(typeof DialerCommandSchemas)[K]>;
type Parsed<K extends DialerCommandKind> = z.output<(typeof DialerCommandSchemas)[K]>;

const isKind = (kind: string): kind is DialerCommandKind => Object.hasOwn(DialerCommandSchemas, kind);

/**
 * The default ordering key: per call for call commands (hang-up before disposition), per agent for agent commands.
 * Pass your own to order across them (e.g. the agent's key for a disposition followed by `available`).
 */
export function defaultOrderingKey(orgId: string, kind: DialerCommandKind, payload: object): string {
  return kind === 'disposition' || kind === 'hangup'
    ? `${orgId}:call:${(payload as { callId: string }).callId}`
    : `${orgId}:agent:${(payload as { dialerUser: string }).dialerUser}`;
}

/**
 * Validates a command and enqueues it (synchronously: call it inside the transaction that makes it necessary).
 * Throws `VALIDATION_FAILED` (422) for an invalid payload. Returns the outbox id (the existing one for a duplicate
 * idempotency key).
 */
export function enqueueDialerCommand<K extends DialerCommandKind>(
  outbox: Pick<Outbox, 'enqueue'>,
  cmd: { orgId: string; kind: K; payload: DialerCommandPayload<K>; idempotencyKey: string; orderingKey?: string },
): number {
  const parsed = DialerCommandSchemas[cmd.kind].safeParse(cmd.payload);
  if (!parsed.success)
    throw new AppError('VALIDATION_FAILED', 422, `invalid ${cmd.kind} command: ${z.prettifyError(parsed.error)}`, {
      kind: cmd.kind,
    });
  return outbox.enqueue({
    orgId: cmd.orgId,
    kind: cmd.kind,
    orderingKey: cmd.orderingKey ?? defaultOrderingKey(cmd.orgId, cmd.kind, parsed.data),
    payload: parsed.data,
    idempotencyKey: cmd.idempotencyKey,
  });
}

async function run(client: DialerClient, kind: DialerCommandKind, payload: unknown, item: OutboxItem) {
  switch (kind) {
    case 'disposition': {
      const p = payload as Parsed<'disposition'>;
      return client.disposition(
        p.callId,
        { tagCode: p.tagCode, notes: p.notes, ...(p.dialerUser ? { dialerUser: p.dialerUser } : {}) },
        item.idempotencyKey,
      );
    }
    case 'hangup': {
      const p = payload as Parsed<'hangup'>;
      const call = await client.hangup(p.callId, p.by);
      return { callId: call.id, state: call.state, endedBy: call.endedBy };
    }
    case 'pause': {
      const p = payload as Parsed<'pause'>;
      return client.pause(p.dialerUser, p.idStatus);
    }
    case 'unpause':
      return client.unpause((payload as Parsed<'unpause'>).dialerUser);
    case 'available':
      return client.available((payload as Parsed<'available'>).dialerUser);
    case 'logout':
      return client.logout((payload as Parsed<'logout'>).dialerUser);
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
function alreadyDone(kind: DialerCommandKind, payload: unknown, e: AppError): unknown {
  const code = e.details?.dialerCode;
  if (kind === 'hangup' && code === 'CALL_ALREADY_ENDED') return { alreadyEnded: e.details };
  if (kind === 'logout' && code === 'AGENT_NOT_LOGGED_IN') return { alreadyLoggedOut: true };
  if (kind === 'disposition' && code === 'CALL_ALREADY_DISPOSED') {
    const first = e.details?.first as { tagCode?: string; notes?: string } | undefined;
    const p = payload as Parsed<'disposition'>;
    if (first && first.tagCode === p.tagCode && first.notes === p.notes) return { alreadyDisposed: first };
  }
  return undefined;
}

/** Sorts a failure into retry (network, 5xx, 401/408/429, trust and configuration problems) or failed (other 4xx). */
export function classifyDialerError(kind: DialerCommandKind, payload: unknown, e: unknown): OutboxResult {
  if (!isAppError(e)) return { retry: errorMessage(e) };
  const described = `${e.code}: ${e.message}`;
  const done = alreadyDone(kind, payload, e);
  if (done !== undefined) return { sent: done };
  // A 2xx whose body does not match the contract: the dialer did it; retrying would not change the body.
  if (e.code === 'DIALER_RESPONSE_INVALID') return { sent: { unreadableAnswer: e.message } };
  if (RETRY_CODES.has(e.code) || e.status >= 500 || [401, 408, 425, 429].includes(e.status))
    return { retry: described };
  return { failed: described };
}

export type DialerCommandSenderOptions = {
  /** Called on every failed attempt that will be retried (e.g. to raise an alert for a certificate mismatch). */
  onRetry?: (item: OutboxItem, error: unknown) => void;
};

/**
 * The Outbox's `send` for dialer commands: maps each kind to the organization's DialerClient. A disposition goes with
 * the item's idempotency key (the same on every retry). "Already done" answers count as sent: 409
 * CALL_ALREADY_ENDED for a hang-up, AGENT_NOT_LOGGED_IN for a logout, CALL_ALREADY_DISPOSED when the first
 * disposition has the same tag and notes.
 */
export function dialerCommandSender(
  clients: { get(orgId: string): DialerClient },
  opts: DialerCommandSenderOptions = {},
): OutboxSend {
  return async (item) => {
    if (!isKind(item.kind)) return { failed: `unknown dialer command '${item.kind}'` };
    const kind = item.kind;
    const parsed = DialerCommandSchemas[kind].safeParse(item.payload);
    if (!parsed.success) return { failed: `invalid ${kind} command: ${z.prettifyError(parsed.error)}` };
    let result: OutboxResult;
    let error: unknown;
    try {
      result = { sent: await run(clients.get(item.orgId), kind, parsed.data, item) };
    } catch (e) {
      error = e;
      result = classifyDialerError(kind, parsed.data, e);
    }
    if (typeof result === 'object' && 'retry' in result) opts.onRetry?.(item, error);
    return result;
  };
}
