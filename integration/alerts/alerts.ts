import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../core/db.ts';
import type { LiveFeed } from '../monitoring/live-feed.ts';

export type Alert = {
  id: number;
  orgId: string;
  code: string;
  message: string;
  details: Record<string, unknown>;
  at: string;
  resolvedAt: string | null;
};

type Row = {
  id: number;
  org_id: string;
  code: string;
  message: string;
  details: string;
  at: number;
  resolved_at: number | null;
};

const toAlert = (r: Row): Alert => ({
  id: r.id,
  orgId: r.org_id,
  code: r.code,
  message: r.message,
  details: JSON.parse(r.details),
  at: new Date(r.at).toISOString(),
  resolvedAt: r.resolved_at === null ? null : new Date(r.resolved_at).toISOString(),
});

/** Problems supervisors must see: an AGV transfer with no service, a pause the dialer applied that Omni lacks… */
export class Alerts {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly feed: LiveFeed,
  ) {}

  /** Records an alert; with `dedupeKey`, an open alert with the same code and key is not repeated. */
  raise(orgId: string, code: string, message: string, details: Record<string, unknown>, dedupeKey?: string): Alert {
    if (dedupeKey !== undefined) {
      const open = this.db
        .prepare(
          "SELECT * FROM alerts WHERE org_id = ? AND code = ? AND resolved_at IS NULL AND json_extract(details, '$.dedupeKey') = ?",
        )
        .get(orgId, code, dedupeKey) as Row | undefined;
      if (open) return toAlert(open);
    }
    const id = Number(
      this.db
        .prepare('INSERT INTO alerts (org_id, code, message, details, at) VALUES (?, ?, ?, ?, ?)')
        .run(
          orgId,
          code,
          message,
          JSON.stringify(dedupeKey === undefined ? details : { ...details, dedupeKey }),
          this.clock.now(),
        ).lastInsertRowid,
    );
    this.feed.publish(orgId, { kind: 'alert', alertId: id });
    return this.get(id)!;
  }

  get(id: number): Alert | undefined {
    const r = this.db.prepare('SELECT * FROM alerts WHERE id = ?').get(id) as Row | undefined;
    return r && toAlert(r);
  }

  list(orgId: string, opts: { open?: boolean } = {}): Alert[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM alerts WHERE org_id = ? ${opts.open ? 'AND resolved_at IS NULL' : ''} ORDER BY id DESC LIMIT 500`,
      )
      .all(orgId) as Row[];
    return rows.map(toAlert);
  }

  resolve(orgId: string, id: number): boolean {
    const changed =
      this.db
        .prepare('UPDATE alerts SET resolved_at = ? WHERE id = ? AND org_id = ? AND resolved_at IS NULL')
        .run(this.clock.now(), id, orgId).changes > 0;
    if (changed) this.feed.publish(orgId, { kind: 'alert', alertId: id });
    return changed;
  }
}
