import type { Db } from '../../core/db.ts';
import type { DurableTimers } from '../../core/durable-timers.ts';
import type { OrganizationRepository } from '../organizations/repository.ts';
import type { Pacer } from '../pacing/pacer.ts';

const count = (db: Db, sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n;

/**
 * Puts the dialer back to a clean state between tests, for one organization (so parallel tests do not disturb each
 * other) or for all: calls, dispositions, events and sessions go; configuration stays unless asked.
 */
export class Reset {
  constructor(
    private readonly db: Db,
    private readonly orgs: OrganizationRepository,
    private readonly timers: DurableTimers,
    private readonly pacer: Pacer,
    private readonly clearGlobal: () => void,
  ) {}

  run(req: { orgId?: string | undefined; config: boolean }) {
    const targets = req.orgId ? [this.orgs.get(req.orgId).id] : this.orgs.list().map((o) => o.id);
    const result = { calls: 0, dispositions: 0, events: 0, agentsLoggedOut: 0, leadsReset: 0, organizationsDeleted: 0 };
    for (const orgId of targets) {
      for (const c of this.db
        .prepare("SELECT id FROM campaigns WHERE org_id = ? AND status = 'running'")
        .all(orgId) as {
        id: string;
      }[])
        this.pacer.stopCampaign(orgId, c.id);
      this.db.transaction(() => {
        const timers = this.db
          .prepare('SELECT t.kind, t.ref FROM durable_timers t JOIN calls c ON c.id = t.ref WHERE c.org_id = ?')
          .all(orgId) as { kind: string; ref: string }[];
        for (const t of timers) this.timers.cancel(t.kind, t.ref);
        result.dispositions += this.db.prepare('DELETE FROM dispositions WHERE org_id = ?').run(orgId).changes;
        result.calls += this.db.prepare('DELETE FROM calls WHERE org_id = ?').run(orgId).changes;
        result.events += this.db.prepare('DELETE FROM events WHERE org_id = ?').run(orgId).changes;
        result.agentsLoggedOut += count(
          this.db,
          "SELECT COUNT(*) AS n FROM agents WHERE org_id = ? AND state <> 'logged_out'",
          orgId,
        );
        this.db
          .prepare(
            "UPDATE agents SET state = 'logged_out', id_status = NULL, pending_id_status = NULL, call_id = NULL, logged_in_at = NULL WHERE org_id = ?",
          )
          .run(orgId);
        result.leadsReset += this.db
          .prepare(
            `UPDATE leads SET status = 'pending', attempts = 0, next_attempt_at = 0, last_outcome = NULL
             WHERE campaign_id IN (SELECT id FROM campaigns WHERE org_id = ?)`,
          )
          .run(orgId).changes;
        this.db.prepare('UPDATE campaigns SET calls_started = 0 WHERE org_id = ?').run(orgId);
        if (req.config) {
          this.orgs.delete(orgId);
          result.organizationsDeleted++;
        }
      })();
    }
    if (!req.orgId) this.clearGlobal();
    return result;
  }
}
