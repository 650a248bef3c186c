import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Lead } from '../../contract/mailing.ts';
import type { Db } from '../../core/db.ts';

/**
 * Where a mailing being imported or generated waits until all of it is read: a TEMP table (this connection only,
 * gone with it, so a crash mid-import leaves nothing behind), one row per lead, `seq` in file order.
 */
export const STAGE_TABLE = 'temp.mailing_stage';

const DELETE_CHUNK = 5000;

/**
 * A mailing held aside batch by batch (each batch one short transaction, the event loop free between them), then
 * added to its campaign in one transaction (`CampaignRepository.addStagedLeads`) so an import stays all or nothing;
 * `discard` drops it when the file turns out invalid.
 */
export class LeadStaging {
  static #last = 0;
  readonly importId = ++LeadStaging.#last;
  #size = 0;

  constructor(private readonly db: Db) {
    db.exec(`CREATE TABLE IF NOT EXISTS ${STAGE_TABLE} (
      import_id INTEGER NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
      PRIMARY KEY (import_id, seq))`);
  }

  /** Leads staged so far. */
  get size(): number {
    return this.#size;
  }

  add(leads: readonly Lead[]): void {
    const insert = this.db.prepare(`INSERT INTO ${STAGE_TABLE} (import_id, seq, id, data) VALUES (?, ?, ?, ?)`);
    this.db.transaction(() => {
      for (const lead of leads) insert.run(this.importId, ++this.#size, lead.id, JSON.stringify(lead));
    })();
  }

  /** Drops what was staged, a chunk at a time (a large mailing is not deleted in one long statement). */
  async discard(): Promise<void> {
    const del = this.db.prepare(`DELETE FROM ${STAGE_TABLE} WHERE import_id = ? AND seq > ? AND seq <= ?`);
    for (let from = 0; from < this.#size; from += DELETE_CHUNK) {
      del.run(this.importId, from, from + DELETE_CHUNK);
      await yieldToEventLoop();
    }
    this.#size = 0;
  }
}
