import { z } from '@hono/zod-openapi';
import type { Db } from '../../core/db.ts';
import { fromJson } from '../../core/db.ts';
import type { DialerCommandRoute } from './commands.ts';

/**
 * What became of the agent's last request to the dialer (a pause, unpause, availability), as the agent's own status
 * shows it: the request is answered at once ("requested") and delivered by the outbox, so without this a pause the
 * dialer refused would fail silently for the agent.
 */
export const DialerRequestSchema = z
  .object({
    route: z.string().describe('the dialer route asked: agents.pause, agents.unpause, agents.available'),
    idStatus: z.number().int().nullable().describe('the pause asked, for a pause'),
    status: z
      .enum(['pending', 'applied', 'deferred', 'refused'])
      .describe(
        'pending: not delivered yet (see error for why, e.g. the dialer is unreachable); applied; deferred: the ' +
          'dialer keeps the pause for the end of the call; refused: the dialer said no (error says why)',
      ),
    error: z.string().nullable(),
    attempts: z.number().int(),
    requestedAt: z.iso.datetime(),
  })
  .openapi('DialerRequest');
export type DialerRequest = z.infer<typeof DialerRequestSchema>;

type Row = {
  kind: DialerCommandRoute;
  payload: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  last_error: string | null;
  response: string | null;
  created_at: number;
};

/** Reads the agents' requests from the outbox, where they are durably (no copy to keep in step). */
export class AgentRequests {
  readonly #last;

  constructor(db: Db) {
    this.#last = db.prepare(
      `SELECT kind, payload, status, attempts, last_error, response, created_at FROM outbox
       WHERE ordering_key = ? AND kind IN ('agents.pause', 'agents.unpause', 'agents.available') AND created_at >= ?
       ORDER BY id DESC LIMIT 1`,
    );
  }

  /** The agent's latest pause/unpause/availability request since `since` (their login), or null. */
  last(orgId: string, dialerUser: string, since: number): DialerRequest | null {
    const r = this.#last.get(`${orgId}:agent:${dialerUser}`, since) as Row | undefined;
    if (!r) return null;
    const payload = fromJson<{ body?: { idStatus?: number } }>(r.payload);
    const answer = fromJson<{ status?: number }>(r.response);
    const status =
      r.status === 'failed'
        ? 'refused'
        : r.status === 'pending'
          ? 'pending'
          : answer?.status === 202
            ? 'deferred'
            : 'applied';
    return {
      route: r.kind,
      idStatus: payload?.body?.idStatus ?? null,
      status,
      error: r.last_error,
      attempts: r.attempts,
      requestedAt: new Date(r.created_at).toISOString(),
    };
  }
}
