import { afterCommit } from './after-commit.ts';
import type { Clock, TimerHandle } from './clock.ts';
import type { Db } from './db.ts';

/** SQL for the table DurableTimers keeps its deadlines in; include it in the owning side's migrations. */
export const DURABLE_TIMERS_SQL = `
CREATE TABLE durable_timers (
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  PRIMARY KEY (kind, ref)
);
CREATE INDEX durable_timers_due ON durable_timers (due_at);
`;

type Handler = (ref: string) => void;

/**
 * Deadlines that survive a restart: each is a row (kind, ref, due_at) armed on the clock. After a restart,
 * `start()` re-arms every row, so a deadline fires at its original time, or at once if that time has passed.
 * The handler runs in the same transaction that deletes the row: a deadline fires once, or, if its handler
 * throws, stays and is retried.
 *
 * `schedule` and `cancel` write the row at once and move the clock's timer once the caller's transaction commits
 * (see `afterCommit`): a rolled-back schedule or cancel leaves the timer as the restored row says.
 */
export class DurableTimers {
  readonly #handlers = new Map<string, Handler>();
  readonly #armed = new Map<string, { handle: TimerHandle; dueAt: number }>();
  readonly #retryMs: number;
  readonly #onError: (kind: string, ref: string, err: unknown) => void;
  #started = false;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    opts: { retryMs?: number; onError?: (kind: string, ref: string, err: unknown) => void } = {},
  ) {
    this.#retryMs = opts.retryMs ?? 1_000;
    this.#onError = opts.onError ?? (() => {});
  }

  on(kind: string, handler: Handler): void {
    this.#handlers.set(kind, handler);
  }

  /** Arms every stored deadline. Call after every handler is registered. */
  start(): void {
    this.#started = true;
    const rows = this.db.prepare('SELECT kind, ref, due_at FROM durable_timers ORDER BY due_at').all() as Array<{
      kind: string;
      ref: string;
      due_at: number;
    }>;
    for (const r of rows) this.#arm(r.kind, r.ref, r.due_at);
  }

  stop(): void {
    this.#started = false;
    for (const a of this.#armed.values()) this.clock.clearTimeout(a.handle);
    this.#armed.clear();
  }

  /** Sets (or moves) the deadline of (kind, ref). */
  schedule(kind: string, ref: string, dueAt: number): void {
    this.db
      .prepare(
        'INSERT INTO durable_timers (kind, ref, due_at) VALUES (?, ?, ?) ON CONFLICT (kind, ref) DO UPDATE SET due_at = excluded.due_at',
      )
      .run(kind, ref, dueAt);
    afterCommit(this.db, () => {
      if (this.#started) this.#arm(kind, ref, dueAt);
    });
  }

  cancel(kind: string, ref: string): void {
    this.db.prepare('DELETE FROM durable_timers WHERE kind = ? AND ref = ?').run(kind, ref);
    afterCommit(this.db, () => this.#disarm(`${kind}\u0000${ref}`));
  }

  dueAt(kind: string, ref: string): number | undefined {
    const row = this.db.prepare('SELECT due_at FROM durable_timers WHERE kind = ? AND ref = ?').get(kind, ref) as
      | { due_at: number }
      | undefined;
    return row?.due_at;
  }

  /** Deletes every stored deadline (used by a reset). */
  clear(): void {
    this.stop();
    this.db.prepare('DELETE FROM durable_timers').run();
    this.#started = true;
  }

  #arm(kind: string, ref: string, dueAt: number): void {
    const key = `${kind}\u0000${ref}`;
    this.#disarm(key);
    const handle = this.clock.setTimeout(() => this.#fire(kind, ref, dueAt), dueAt - this.clock.now());
    this.#armed.set(key, { handle, dueAt });
  }

  #disarm(key: string): void {
    this.clock.clearTimeout(this.#armed.get(key)?.handle);
    this.#armed.delete(key);
  }

  #fire(kind: string, ref: string, dueAt: number): void {
    const key = `${kind}\u0000${ref}`;
    this.#armed.delete(key);
    const handler = this.#handlers.get(kind);
    try {
      this.db.transaction(() => {
        // Fire only if the row still holds this deadline (not cancelled or moved meanwhile).
        const res = this.db
          .prepare('DELETE FROM durable_timers WHERE kind = ? AND ref = ? AND due_at = ?')
          .run(kind, ref, dueAt);
        if (res.changes === 0) return;
        if (!handler) throw new Error(`no handler for durable timer kind '${kind}'`);
        handler(ref);
      })();
    } catch (err) {
      this.#onError(kind, ref, err);
      // The failed transaction left the row in place: move it to the retry time and arm it again.
      const retryAt = this.clock.now() + this.#retryMs;
      this.db.prepare('UPDATE durable_timers SET due_at = ? WHERE kind = ? AND ref = ?').run(retryAt, kind, ref);
      if (this.#started) this.#arm(kind, ref, retryAt);
    }
  }
}
