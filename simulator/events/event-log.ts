import type { DialerEvent, DialerEventData, DialerEventType } from '../../contract/events.ts';
import { afterCommit } from '../../core/after-commit.ts';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../core/db.ts';

type Row = { id: number; org_id: string; type: string; at: number; data: string };

const toEvent = (r: Row): DialerEvent =>
  ({
    id: r.id,
    orgId: r.org_id,
    type: r.type,
    at: new Date(r.at).toISOString(),
    data: JSON.parse(r.data),
  }) as DialerEvent;

/**
 * The durable, ordered event log. Events are appended inside the caller's transaction, so an event exists exactly
 * when the state change it describes was committed. Listeners are only woken up, once that transaction commits (one
 * wake-up per organization per commit): they re-read from their cursor, which is what makes delivery gap-free and
 * duplicate-free.
 */
export class EventLog {
  readonly #listeners = new Map<string, Set<() => void>>();
  /** One stable function per organization, so several appends in one transaction wake its listeners once. */
  readonly #wakers = new Map<string, () => void>();
  readonly #insert;
  readonly #after;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.#insert = db.prepare('INSERT INTO events (org_id, type, at, data) VALUES (?, ?, ?, ?)');
    this.#after = db.prepare('SELECT * FROM events WHERE org_id = ? AND id > ? ORDER BY id LIMIT ?');
  }

  append<T extends DialerEventType>(orgId: string, type: T, data: DialerEventData<T>): number {
    const id = Number(this.#insert.run(orgId, type, this.clock.now(), JSON.stringify(data)).lastInsertRowid);
    afterCommit(this.db, this.#waker(orgId));
    return id;
  }

  after(orgId: string, afterId: number, limit = 500): DialerEvent[] {
    return (this.#after.all(orgId, afterId, limit) as Row[]).map(toEvent);
  }

  lastId(orgId: string): number {
    const row = this.db.prepare('SELECT MAX(id) AS id FROM events WHERE org_id = ?').get(orgId) as {
      id: number | null;
    };
    return row.id ?? 0;
  }

  subscribe(orgId: string, wake: () => void): () => void {
    let set = this.#listeners.get(orgId);
    if (!set) {
      set = new Set();
      this.#listeners.set(orgId, set);
    }
    set.add(wake);
    return () => {
      set.delete(wake);
      if (set.size === 0) this.#listeners.delete(orgId);
    };
  }

  #waker(orgId: string): () => void {
    let wake = this.#wakers.get(orgId);
    if (!wake) {
      wake = () => {
        for (const listener of this.#listeners.get(orgId) ?? []) listener();
      };
      this.#wakers.set(orgId, wake);
    }
    return wake;
  }
}
