import type { Db, Migration } from '../../core/db.ts';

type OldRow = { id: number; org_id: string; kind: string; payload: string };

/** Old command kinds → the dialer route each calls, and whether it is ordered per call or per agent. */
const ROUTES: Record<string, { route: string; per: 'call' | 'agent' }> = {
  disposition: { route: 'calls.disposition', per: 'call' },
  hangup: { route: 'calls.hangup', per: 'call' },
  pause: { route: 'agents.pause', per: 'agent' },
  unpause: { route: 'agents.unpause', per: 'agent' },
  available: { route: 'agents.available', per: 'agent' },
  logout: { route: 'agents.logout', per: 'agent' },
};

/** An old payload (`{ callId, ...body }` or `{ dialerUser, ...body }`) as the route's input. */
function routeInput(per: 'call' | 'agent', old: Record<string, unknown>) {
  if (per === 'call') {
    const { callId, ...body } = old;
    return { key: String(callId), input: { params: { id: callId }, body } };
  }
  const { dialerUser, ...body } = old;
  return { key: String(dialerUser), input: { params: { dialerUser }, ...(Object.keys(body).length ? { body } : {}) } };
}

/**
 * Dialer commands name the route they call, and every ordering key carries the organization: before, an agent's
 * commands were keyed `agent:<dialerUser>` across organizations (one organization's unreachable dialer held another's
 * pause for an agent with the same dialer user) and a call's by its bare id. Rewrites every stored command (pending
 * and failed ones will be sent as routes; sent ones stay readable the same way). Idempotency keys stay: the dialer may
 * already hold a disposition under the old one.
 */
export const migration2: Migration = {
  version: 2,
  name: 'dialer-commands-by-route',
  up: (db: Db) => {
    const rows = db
      .prepare(
        `SELECT id, org_id, kind, payload FROM outbox WHERE kind IN (${Object.keys(ROUTES)
          .map(() => '?')
          .join(', ')})`,
      )
      .all(...Object.keys(ROUTES)) as OldRow[];
    const update = db.prepare('UPDATE outbox SET kind = ?, ordering_key = ?, payload = ? WHERE id = ?');
    for (const r of rows) {
      const { route, per } = ROUTES[r.kind]!;
      const { key, input } = routeInput(per, JSON.parse(r.payload) as Record<string, unknown>);
      update.run(route, `${r.org_id}:${per}:${key}`, JSON.stringify(input), r.id);
    }
  },
};
