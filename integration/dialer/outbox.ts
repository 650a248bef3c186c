import { afterCommit } from '../../core/after-commit.ts';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { type Db, fromJson, toJson } from '../../core/db.ts';
import { type DialerLog, errorMessage, silentLog } from './log.ts';

export type OutboxStatus = 'pending' | 'sent' | 'failed';

export type OutboxItem = {
  id: number;
  orgId: string;
  kind: string;
  /** Items with the same key are delivered strictly in order (a call id, an agent). */
  orderingKey: string;
  payload: unknown;
  /** Sent on every attempt, so the receiver records the command once. */
  idempotencyKey: string;
  status: OutboxStatus;
  /** Attempts made before this one (when given to `send`) or so far. */
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  response: unknown;
  createdAt: number;
  sentAt: number | null;
};

export type OutboxInput = {
  orgId: string;
  kind: string;
  orderingKey: string;
  payload: unknown;
  idempotencyKey: string;
};

/** What `send` decided: delivered (optionally with the receiver's answer to keep), try again later, or give up. */
export type OutboxResult = 'sent' | { sent: unknown } | { retry: string } | { failed: string };
export type OutboxSend = (item: OutboxItem) => Promise<OutboxResult>;

export type OutboxOptions = {
  /** First retry delay, doubled per attempt up to maxDelayMs (on the injected clock). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Sends in flight at once, over all ordering keys (default 16). */
  concurrency?: number;
  onSent?: (item: OutboxItem) => void;
  onFailed?: (item: OutboxItem, error: string) => void;
  log?: DialerLog;
};

type Row = {
  id: number;
  org_id: string;
  kind: string;
  ordering_key: string;
  payload: string;
  idempotency_key: string;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  response: string | null;
  created_at: number;
  sent_at: number | null;
};

type Slot = { id: number; due: number };

const toItem = (r: Row): OutboxItem => ({
  id: r.id,
  orgId: r.org_id,
  kind: r.kind,
  orderingKey: r.ordering_key,
  payload: fromJson(r.payload),
  idempotencyKey: r.idempotency_key,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  response: fromJson(r.response),
  createdAt: r.created_at,
  sentAt: r.sent_at,
});

/**
 * A durable outbox over the `outbox` table: what must reach the dialer is written in the same transaction as the
 * state change that needs it (`enqueue` is synchronous), then delivered by `send` until it is acknowledged.
 *
 * - Per `orderingKey`, strictly in order: only the oldest pending item of a key is ever sent, and one at a time
 *   (a hang-up before the disposition of the same call). Different keys go in parallel, `concurrency` at most.
 * - A `retry` answer reschedules the item after `baseDelayMs · 2^(attempts-1)` (capped at `maxDelayMs`) on the
 *   injected clock; `next_attempt_at` is persisted, so after a restart `start()` resends whatever is pending.
 * - The item's idempotency key goes with every attempt; a duplicate key at `enqueue` is ignored.
 * Delivery is at least once; the idempotency key (or `send`'s classification of "already done" answers) makes the
 * effect once.
 *
 * The table is the truth; what to send next is picked from memory (the pending items' ids per key, which keys are due),
 * loaded at `start()` and kept up to date by `enqueue`, `requeue` and the results, so picking the next item costs no
 * query however long the backlog is. An enqueued or requeued item joins it once the caller's transaction commits
 * (`afterCommit`: a rolled-back one never does), and each item is read again by id before it is sent, so a row deleted
 * or settled meanwhile is dropped.
 */
export class Outbox {
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #concurrency: number;
  readonly #log: DialerLog;
  readonly #onSent: ((item: OutboxItem) => void) | undefined;
  readonly #onFailed: ((item: OutboxItem, error: string) => void) | undefined;
  readonly #inFlight = new Map<number, Promise<void>>();
  readonly #busyKeys = new Set<string>();
  /** Pending items per ordering key, oldest first: the head is the only one that may be sent. */
  readonly #keys = new Map<string, Slot[]>();
  /** Ids in #keys (so an id is never tracked twice). */
  readonly #tracked = new Set<number>();
  /** Keys whose head is due and not in flight, in the order they became so. */
  readonly #ready = new Set<string>();
  /** Keys whose head waits for a retry: key → when. */
  readonly #waiting = new Map<string, number>();
  #started = false;
  /** One stable function, so several kicks before a commit pump once. */
  readonly #pumpAfterCommit = () => this.#pump();
  #timer: TimerHandle | undefined;
  #timerDue: number | undefined;
  readonly #stmts;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly send: OutboxSend,
    opts: OutboxOptions = {},
  ) {
    this.#baseDelayMs = opts.baseDelayMs ?? 500;
    this.#maxDelayMs = opts.maxDelayMs ?? 30_000;
    this.#concurrency = Math.max(1, opts.concurrency ?? 16);
    this.#log = opts.log ?? silentLog;
    this.#onSent = opts.onSent;
    this.#onFailed = opts.onFailed;
    this.#stmts = {
      insert: db.prepare(
        `INSERT INTO outbox (org_id, kind, ordering_key, payload, idempotency_key, status, attempts, next_attempt_at,
           created_at)
         VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
      ),
      byKey: db.prepare('SELECT * FROM outbox WHERE idempotency_key = ?'),
      byId: db.prepare('SELECT * FROM outbox WHERE id = ?'),
      allPending: db.prepare(
        "SELECT id, ordering_key, next_attempt_at FROM outbox WHERE status = 'pending' ORDER BY id",
      ),
      sent: db.prepare(
        `UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL, response = ?
         WHERE id = ? AND status = 'pending'`,
      ),
      retry: db.prepare(
        `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
         WHERE id = ? AND status = 'pending'`,
      ),
      failed: db.prepare(
        `UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?
         WHERE id = ? AND status = 'pending'`,
      ),
      requeue: db.prepare(
        `UPDATE outbox SET status = 'pending', next_attempt_at = ? WHERE id = ? AND status = 'failed'
         RETURNING ordering_key, next_attempt_at`,
      ),
    };
  }

  /**
   * Persists an item; call it inside the transaction that makes it necessary. Returns its id (the existing one when
   * the idempotency key was already enqueued: the duplicate is ignored). Delivery starts once the caller's
   * transaction commits (never inside it, never if it rolls back), when the outbox is started.
   */
  enqueue(input: OutboxInput): number {
    const now = this.clock.now();
    const payload = toJson(input.payload) ?? 'null';
    const info = this.#stmts.insert.run(
      input.orgId,
      input.kind,
      input.orderingKey,
      payload,
      input.idempotencyKey,
      now,
      now,
    );
    if (info.changes === 0) {
      const existing = this.#stmts.byKey.get(input.idempotencyKey) as Row;
      if (existing.payload !== payload || existing.kind !== input.kind)
        this.#log.warn(
          { idempotencyKey: input.idempotencyKey, id: existing.id, kind: input.kind },
          'outbox: an item with this idempotency key exists with another payload; the new one is ignored',
        );
      return existing.id;
    }
    const id = Number(info.lastInsertRowid);
    afterCommit(this.db, () => this.#admit(id, input.orderingKey, now));
    return id;
  }

  /** Starts delivering: pending items (also those left by a previous run) are sent when due. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#keys.clear();
    this.#tracked.clear();
    this.#ready.clear();
    this.#waiting.clear();
    for (const r of this.#stmts.allPending.all() as Pick<Row, 'id' | 'ordering_key' | 'next_attempt_at'>[])
      this.#track(r.id, r.ordering_key, r.next_attempt_at);
    this.#pump();
  }

  /** Tries the due items once the caller's transaction commits (at once outside one): never inside it. */
  kick(): void {
    afterCommit(this.db, this.#pumpAfterCommit);
  }

  /** Stops sending and waits for the sends under way (their results are recorded). */
  async stop(): Promise<void> {
    this.#started = false;
    this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerDue = undefined;
    await Promise.allSettled([...this.#inFlight.values()]);
  }

  /** Resolves once nothing is in flight and nothing due can be sent now (retries wait for their time). */
  async idle(): Promise<void> {
    for (;;) {
      await new Promise<void>((r) => setImmediate(r));
      if (this.#inFlight.size > 0) {
        await Promise.race(this.#inFlight.values());
        continue;
      }
      if (!this.#started || this.#ready.size === 0) return;
      this.#pump();
    }
  }

  /** How many items wait for delivery (of one organization, or all). */
  pending(orgId?: string): number {
    const row = (
      orgId === undefined
        ? this.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'").get()
        : this.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending' AND org_id = ?").get(orgId)
    ) as { n: number };
    return row.n;
  }

  /** Items for monitoring, oldest first. */
  list(filter: { status?: OutboxStatus; orgId?: string; kind?: string; limit?: number } = {}): OutboxItem[] {
    const conditions = (
      [
        ['status = ?', filter.status],
        ['org_id = ?', filter.orgId],
        ['kind = ?', filter.kind],
      ] as const
    ).filter(([, v]) => v !== undefined);
    const where = conditions.map(([sql]) => sql);
    const args = conditions.map(([, v]) => v);
    const sql = `SELECT * FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`;
    return (this.db.prepare(sql).all(...args, filter.limit ?? 500) as Row[]).map(toItem);
  }

  get(id: number): OutboxItem | undefined {
    const row = this.#stmts.byId.get(id) as Row | undefined;
    return row && toItem(row);
  }

  /** Puts a failed item back in the queue (after its cause was fixed); false when it is not failed. */
  requeue(id: number): boolean {
    const row = this.#stmts.requeue.get(this.clock.now(), id) as
      | Pick<Row, 'ordering_key' | 'next_attempt_at'>
      | undefined;
    if (row) afterCommit(this.db, () => this.#admit(id, row.ordering_key, row.next_attempt_at));
    return row !== undefined;
  }

  /** A committed enqueue or requeue joins its key's queue (a stopped outbox loads it at `start()` instead). */
  #admit(id: number, key: string, due: number): void {
    if (!this.#started) return;
    this.#track(id, key, due);
    this.kick();
  }

  /** Adds a pending item to its key's queue, in id order. */
  #track(id: number, key: string, due: number): void {
    if (this.#tracked.has(id)) return;
    this.#tracked.add(id);
    const queue = this.#keys.get(key) ?? [];
    this.#keys.set(key, queue);
    let i = queue.length;
    while (i > 0 && queue[i - 1]!.id > id) i--;
    queue.splice(i, 0, { id, due });
    if (i === 0) this.#schedule(key);
  }

  /** Forgets an item (sent, failed for good, or gone from the table). */
  #untrack(key: string, id: number): void {
    const queue = this.#keys.get(key);
    const i = queue?.findIndex((s) => s.id === id) ?? -1;
    if (i >= 0) queue!.splice(i, 1);
    this.#tracked.delete(id);
    if (queue?.length === 0) this.#keys.delete(key);
  }

  /** Files a key under ready or waiting by its head (unless its head is in flight). */
  #schedule(key: string): void {
    if (this.#busyKeys.has(key)) return;
    const head = this.#keys.get(key)?.[0];
    this.#ready.delete(key);
    this.#waiting.delete(key);
    if (!head) return;
    if (head.due <= this.clock.now()) {
      this.#ready.add(key);
      return;
    }
    this.#waiting.set(key, head.due);
    if (this.#started && (this.#timerDue === undefined || head.due < this.#timerDue)) this.#arm(head.due);
  }

  #pump(): void {
    if (!this.#started) return;
    for (const key of this.#ready) {
      if (this.#inFlight.size >= this.#concurrency) break;
      this.#ready.delete(key);
      const head = this.#keys.get(key)?.[0];
      if (!head) continue;
      // Read again: the row may have been settled or deleted (its organization removed) since it was tracked.
      const row = this.#stmts.byId.get(head.id) as Row | undefined;
      if (row?.status !== 'pending') {
        this.#untrack(key, head.id);
        this.#schedule(key);
        continue;
      }
      this.#dispatch(toItem(row));
    }
  }

  /** One timer on the clock, at the earliest retry; when it fires, the keys now due become ready. */
  #arm(due: number): void {
    this.clock.clearTimeout(this.#timer);
    this.#timerDue = due;
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#timerDue = undefined;
      const now = this.clock.now();
      let next: number | undefined;
      for (const [key, at] of this.#waiting) {
        if (at <= now) {
          this.#waiting.delete(key);
          this.#ready.add(key);
        } else if (next === undefined || at < next) next = at;
      }
      if (next !== undefined) this.#arm(next);
      this.#pump();
    }, due - this.clock.now());
  }

  #dispatch(item: OutboxItem): void {
    this.#busyKeys.add(item.orderingKey);
    const run = (async () => {
      let result: OutboxResult;
      try {
        result = await this.send(item);
      } catch (e) {
        result = { retry: errorMessage(e) };
      }
      this.#record(item, result);
    })()
      .catch((e: unknown) =>
        this.#log.error({ id: item.id, err: errorMessage(e) }, 'outbox: recording a result failed'),
      )
      .finally(() => {
        this.#inFlight.delete(item.id);
        this.#busyKeys.delete(item.orderingKey);
        this.#schedule(item.orderingKey);
        this.#pump();
      });
    this.#inFlight.set(item.id, run);
  }

  #record(item: OutboxItem, result: OutboxResult): void {
    const now = this.clock.now();
    const attempts = item.attempts + 1;
    const ctx = { id: item.id, orgId: item.orgId, kind: item.kind, orderingKey: item.orderingKey, attempts };
    if (result === 'sent' || 'sent' in result) {
      const response = result === 'sent' ? undefined : result.sent;
      this.#stmts.sent.run(now, toJson(response), item.id);
      this.#untrack(item.orderingKey, item.id);
      this.#log.debug(ctx, 'outbox: sent');
      this.#notify(() => this.#onSent?.({ ...item, status: 'sent', attempts, sentAt: now, lastError: null, response }));
    } else if ('retry' in result) {
      const delay = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** (attempts - 1));
      // Settled elsewhere meanwhile (0 rows changed): forget it rather than retry it.
      const slot = this.#keys.get(item.orderingKey)?.find((s) => s.id === item.id);
      if (this.#stmts.retry.run(now + delay, result.retry, item.id).changes === 0 || !slot)
        this.#untrack(item.orderingKey, item.id);
      else slot.due = now + delay;
      this.#log.warn({ ...ctx, error: result.retry, retryInMs: delay }, 'outbox: send failed, will retry');
    } else {
      this.#stmts.failed.run(result.failed, item.id);
      this.#untrack(item.orderingKey, item.id);
      this.#log.error({ ...ctx, error: result.failed }, 'outbox: send failed for good');
      this.#notify(() =>
        this.#onFailed?.({ ...item, status: 'failed', attempts, lastError: result.failed }, result.failed),
      );
    }
  }

  #notify(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.#log.error({ err: errorMessage(e) }, 'outbox: a callback threw');
    }
  }
}
