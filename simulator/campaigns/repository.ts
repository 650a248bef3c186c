import { randomUUID } from 'node:crypto';
import type { Campaign, CampaignInput } from '../../contract/campaigns.ts';
import type { Lead } from '../../contract/mailing.ts';
import type { CallOutcome, Pacing } from '../../contract/pacing.ts';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../core/db.ts';
import { AppError, notFound } from '../../core/errors.ts';
import { LeadStaging, STAGE_TABLE } from '../mailing/staging.ts';
import { nextAttempt } from '../pacing/outcome-model.ts';

type Row = {
  id: string;
  org_id: string;
  name: string;
  service: string | null;
  pacing: string;
  route_to: string;
  seed: string;
  status: 'stopped' | 'running';
  calls_started: number;
  created_at: number;
};

export type LeadStatus = 'pending' | 'dialing' | 'done' | 'failed';

/** Campaigns and their mailing (leads) with each lead's dialling state. */
export class CampaignRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  create(orgId: string, input: CampaignInput): Campaign {
    const id = randomUUID();
    this.db
      .prepare(
        'INSERT INTO campaigns (id, org_id, name, service, pacing, route_to, seed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        id,
        orgId,
        input.name,
        input.service ?? null,
        JSON.stringify(input.pacing),
        JSON.stringify(input.routeTo),
        JSON.stringify(input.seed),
        this.clock.now(),
      );
    return this.get(orgId, id);
  }

  #row(orgId: string, id: string): Row {
    const row = this.db.prepare('SELECT * FROM campaigns WHERE org_id = ? AND id = ?').get(orgId, id) as
      | Row
      | undefined;
    if (!row) throw notFound('Campaign', id, 'CAMPAIGN_NOT_FOUND');
    return row;
  }

  get(orgId: string, id: string): Campaign {
    const r = this.#row(orgId, id);
    return {
      id: r.id,
      name: r.name,
      service: r.service,
      pacing: JSON.parse(r.pacing),
      routeTo: JSON.parse(r.route_to),
      seed: JSON.parse(r.seed),
      status: r.status,
      createdAt: new Date(r.created_at).toISOString(),
      leads: this.counts(id),
    };
  }

  list(orgId: string): Campaign[] {
    const ids = this.db.prepare('SELECT id FROM campaigns WHERE org_id = ? ORDER BY created_at, id').all(orgId) as {
      id: string;
    }[];
    return ids.map((r) => this.get(orgId, r.id));
  }

  running(): Array<{ orgId: string; id: string }> {
    return (
      this.db.prepare("SELECT org_id, id FROM campaigns WHERE status = 'running'").all() as {
        org_id: string;
        id: string;
      }[]
    ).map((r) => ({ orgId: r.org_id, id: r.id }));
  }

  setStatus(orgId: string, id: string, status: 'stopped' | 'running'): Campaign {
    this.#row(orgId, id);
    this.db.prepare('UPDATE campaigns SET status = ? WHERE id = ?').run(status, id);
    return this.get(orgId, id);
  }

  /** The index of the next call this campaign starts: the outcome model draws call N from (seed, N). */
  takeCallIndex(id: string): number {
    const row = this.db
      .prepare('UPDATE campaigns SET calls_started = calls_started + 1 WHERE id = ? RETURNING calls_started')
      .get(id) as { calls_started: number };
    return row.calls_started - 1;
  }

  counts(campaignId: string): { total: number; pending: number; dialing: number; done: number; failed: number } {
    const rows = this.db
      .prepare('SELECT status, COUNT(*) AS n FROM leads WHERE campaign_id = ? GROUP BY status')
      .all(campaignId) as { status: LeadStatus; n: number }[];
    const c = { total: 0, pending: 0, dialing: 0, done: 0, failed: 0 };
    for (const r of rows) {
      c[r.status] = r.n;
      c.total += r.n;
    }
    return c;
  }

  /** Inside a transaction: empties the mailing when `replace` (not while leads are dialled); the last seq in use. */
  #startAdding(campaignId: string, replace: boolean): number {
    if (replace) {
      const dialing = this.counts(campaignId).dialing;
      if (dialing > 0)
        throw new AppError('CAMPAIGN_DIALING', 409, `${dialing} leads are being dialled; stop the campaign first`);
      this.db.prepare('DELETE FROM leads WHERE campaign_id = ?').run(campaignId);
    }
    return (
      (this.db.prepare('SELECT MAX(seq) AS s FROM leads WHERE campaign_id = ?').get(campaignId) as { s: number | null })
        .s ?? 0
    );
  }

  /** A place to hold a large mailing batch by batch before `addStagedLeads` adds it at once. */
  staging(): LeadStaging {
    return new LeadStaging(this.db);
  }

  /**
   * Adds the leads a LeadStaging holds (in their staged order) in one transaction, replacing the mailing when
   * `replace`: an import is all or nothing, and the batches were written while other requests were served.
   */
  addStagedLeads(orgId: string, campaignId: string, staging: LeadStaging, replace = false): number {
    this.#row(orgId, campaignId);
    return this.db.transaction(() => {
      const start = this.#startAdding(campaignId, replace);
      const taken = this.db
        .prepare(
          `SELECT s.id FROM ${STAGE_TABLE} s JOIN leads l ON l.campaign_id = ? AND l.id = s.id
           WHERE s.import_id = ? LIMIT 1`,
        )
        .get(campaignId, staging.importId) as { id: string } | undefined;
      if (taken)
        throw new AppError('LEAD_DUPLICATE', 409, `lead '${taken.id}' is already in this mailing`, {
          leadId: taken.id,
        });
      return this.db
        .prepare(
          `INSERT INTO leads (campaign_id, id, seq, data)
           SELECT ?, id, ? + seq, data FROM ${STAGE_TABLE} WHERE import_id = ? ORDER BY seq`,
        )
        .run(campaignId, start, staging.importId).changes;
    })();
  }

  /** Adds leads to the mailing (replacing it when `replace`). Lead ids must be unique within the campaign. */
  addLeads(orgId: string, campaignId: string, leads: Lead[], replace = false): number {
    this.#row(orgId, campaignId);
    return this.db.transaction(() => {
      const start = this.#startAdding(campaignId, replace);
      const ins = this.db.prepare('INSERT INTO leads (campaign_id, id, seq, data) VALUES (?, ?, ?, ?)');
      leads.forEach((lead, i) => {
        try {
          ins.run(campaignId, lead.id, start + i + 1, JSON.stringify(lead));
        } catch (e) {
          if (String(e).includes('UNIQUE'))
            throw new AppError('LEAD_DUPLICATE', 409, `lead '${lead.id}' is already in this mailing`, {
              leadId: lead.id,
            });
          throw e;
        }
      });
      return leads.length;
    })();
  }

  leads(
    orgId: string,
    campaignId: string,
    filter: { status?: LeadStatus | undefined; limit?: number; offset?: number } = {},
  ): Array<{ lead: Lead; status: LeadStatus; attempts: number; lastOutcome: CallOutcome | null }> {
    this.#row(orgId, campaignId);
    const rows = this.db
      .prepare(
        `SELECT data, status, attempts, last_outcome FROM leads WHERE campaign_id = ? AND (? IS NULL OR status = ?)
         ORDER BY seq LIMIT ? OFFSET ?`,
      )
      .all(campaignId, filter.status ?? null, filter.status ?? null, filter.limit ?? -1, filter.offset ?? 0) as {
      data: string;
      status: LeadStatus;
      attempts: number;
      last_outcome: CallOutcome | null;
    }[];
    return rows.map((r) => ({
      lead: JSON.parse(r.data),
      status: r.status,
      attempts: r.attempts,
      lastOutcome: r.last_outcome,
    }));
  }

  /** Marks up to n due leads as dialling and returns them, oldest first. */
  takeDueLeads(campaignId: string, n: number): Lead[] {
    if (n <= 0) return [];
    const rows = this.db
      .prepare(
        `UPDATE leads SET status = 'dialing', attempts = attempts + 1
         WHERE rowid IN (SELECT rowid FROM leads WHERE campaign_id = ? AND status = 'pending' AND next_attempt_at <= ?
                         ORDER BY next_attempt_at, seq LIMIT ?)
         RETURNING data, seq`,
      )
      .all(campaignId, this.clock.now(), n) as { data: string; seq: number }[];
    return rows.sort((a, b) => a.seq - b.seq).map((r) => JSON.parse(r.data));
  }

  countDueLeads(campaignId: string): number {
    return (
      this.db
        .prepare(
          "SELECT COUNT(*) AS n FROM leads WHERE campaign_id = ? AND status = 'pending' AND next_attempt_at <= ?",
        )
        .get(campaignId, this.clock.now()) as { n: number }
    ).n;
  }

  /** Records a call attempt's outcome: done, failed, or back to pending for a retry of busy / no answer. */
  leadAttemptEnded(campaignId: string, leadId: string, outcome: CallOutcome, pacing: Pacing): void {
    const row = this.db
      .prepare('SELECT attempts FROM leads WHERE campaign_id = ? AND id = ?')
      .get(campaignId, leadId) as { attempts: number } | undefined;
    if (!row) return; // the mailing was replaced meanwhile
    const next = nextAttempt({ attempts: Math.max(1, row.attempts), outcome, pacing, now: this.clock.now() });
    const status: LeadStatus = next.retry ? 'pending' : outcome === 'answered' ? 'done' : 'failed';
    this.db
      .prepare('UPDATE leads SET status = ?, next_attempt_at = ?, last_outcome = ? WHERE campaign_id = ? AND id = ?')
      .run(status, next.retry ? next.at : 0, outcome, campaignId, leadId);
  }
}
