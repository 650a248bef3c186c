import { afterCommit } from '../../core/after-commit.ts';
import type { Db } from '../../core/db.ts';

/** A change supervisors' screens must show at once (Omni's own refreshes every 30 s; ours is live). */
export type LiveChange =
  | { kind: 'attendance'; attendanceId: string }
  | { kind: 'agent'; userId: string }
  | { kind: 'alert'; alertId: number };

/**
 * In-process fan-out of changes per organization. Subscribers get notified once the change's transaction commits
 * (never for one that rolls back), and read the current state themselves: a slow subscriber never holds up the domain.
 */
export class LiveFeed {
  readonly #subs = new Map<string, Set<(c: LiveChange) => void>>();

  constructor(private readonly db: Db) {}

  publish(orgId: string, change: LiveChange): void {
    if (!this.#subs.get(orgId)?.size) return;
    afterCommit(this.db, () => {
      for (const fn of this.#subs.get(orgId) ?? []) fn(change);
    });
  }

  subscribe(orgId: string, fn: (c: LiveChange) => void): () => void {
    let subs = this.#subs.get(orgId);
    if (!subs) {
      subs = new Set();
      this.#subs.set(orgId, subs);
    }
    subs.add(fn);
    return () => subs.delete(fn);
  }
}
