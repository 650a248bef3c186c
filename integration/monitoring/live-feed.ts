/** A change supervisors' screens must show at once (Omni's own refreshes every 30 s; ours is live). */
export type LiveChange =
  | { kind: 'attendance'; attendanceId: string }
  | { kind: 'agent'; userId: string }
  | { kind: 'alert'; alertId: number };

/**
 * In-process fan-out of changes per organization. Subscribers get notified after the change's transaction, and read
 * the current state themselves: a slow subscriber never holds up the domain.
 */
export class LiveFeed {
  readonly #subs = new Map<string, Set<(c: LiveChange) => void>>();

  publish(orgId: string, change: LiveChange): void {
    const subs = this.#subs.get(orgId);
    if (!subs?.size) return;
    setImmediate(() => {
      for (const fn of subs) fn(change);
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
