import { setTimeout as sleep } from 'node:timers/promises';
import { z } from '@hono/zod-openapi';
import type { EventSourceMessage } from 'eventsource-parser';
import { DialerEvent } from '../../contract/events.ts';
import type { Db } from '../../core/db.ts';
import { AppError } from '../../core/errors.ts';
import { readSseBatches } from '../../core/sse-reader.ts';
import type { DialerClient } from './client.ts';
import { type DialerLog, errorMessage, silentLog } from './log.ts';

const EventIds = z.object({ events: z.array(z.object({ id: z.number().int() }).loose()) });

/** An event the consumer could not read: skipped (its id still advances the cursor). */
export type InvalidDialerEvent = { id: number; type: string | undefined; data: string; error: string };

export type EventConsumerOptions = {
  log?: DialerLog;
  /** First wait before reconnecting, doubled per failed connection up to reconnectMaxMs (real time). */
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** Runs in the transaction that skips the event (its writes commit with the cursor; if it throws, they roll back). */
  onInvalid?: (orgId: string, event: InvalidDialerEvent) => void;
};

export type EventConsumerStatus = {
  running: boolean;
  connected: boolean;
  /** The cursor: the last event handled (or skipped). */
  lastEventId: number;
  lastError: string | null;
  /** Connections opened after the first. */
  reconnects: number;
  handled: number;
  invalid: number;
};

/** A message of the stream, read: a valid event, or an invalid one to skip. */
type Entry =
  | { id: number; event: DialerEvent; invalid?: undefined }
  | { id: number; event?: undefined; invalid: InvalidDialerEvent };

type Worker = {
  controller: AbortController;
  /** Aborts the current connection only (to reconnect). */
  connection: AbortController | undefined;
  done: Promise<void>;
  connected: boolean;
  lastError: string | null;
  reconnects: number;
  handled: number;
  invalid: number;
};

/**
 * Reads each organization's dialer event stream (SSE) and hands every event to `handle` exactly once: the handler
 * and the cursor update (`event_cursors`) run in one SQLite transaction, and ids at or below the cursor are skipped,
 * so a reconnect (Last-Event-ID = the cursor) or a restart never repeats or loses an event. If `handle` throws, the
 * transaction rolls back and the consumer reconnects from the cursor, so the event is tried again.
 */
export class EventConsumer {
  readonly #workers = new Map<string, Worker>();
  readonly #log: DialerLog;
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #onInvalid: EventConsumerOptions['onInvalid'];
  readonly #readCursor;
  readonly #writeCursor;

  constructor(
    private readonly db: Db,
    private readonly clients: { get(orgId: string): DialerClient },
    private readonly handle: (orgId: string, event: DialerEvent) => void,
    opts: EventConsumerOptions = {},
  ) {
    this.#log = opts.log ?? silentLog;
    this.#baseMs = opts.reconnectBaseMs ?? 200;
    this.#maxMs = opts.reconnectMaxMs ?? 5_000;
    this.#onInvalid = opts.onInvalid;
    this.#readCursor = db.prepare('SELECT last_event_id FROM event_cursors WHERE org_id = ?');
    this.#writeCursor = db.prepare(
      `INSERT INTO event_cursors (org_id, last_event_id) VALUES (?, ?)
       ON CONFLICT (org_id) DO UPDATE SET last_event_id = excluded.last_event_id
       WHERE excluded.last_event_id > event_cursors.last_event_id`,
    );
  }

  /** The organization's cursor (0 before its first event). */
  cursor(orgId: string): number {
    return (this.#readCursor.get(orgId) as { last_event_id: number } | undefined)?.last_event_id ?? 0;
  }

  /** Starts following the organization's stream from its cursor (no-op when already running). */
  start(orgId: string): void {
    if (this.#workers.has(orgId)) return;
    const worker: Worker = {
      controller: new AbortController(),
      connection: undefined,
      done: Promise.resolve(),
      connected: false,
      lastError: null,
      reconnects: 0,
      handled: 0,
      invalid: 0,
    };
    this.#workers.set(orgId, worker);
    worker.done = this.#loop(orgId, worker).catch((e: unknown) =>
      this.#log.error({ orgId, err: errorMessage(e) }, 'dialer events: consumer loop crashed'),
    );
  }

  async stop(orgId: string): Promise<void> {
    const w = this.#workers.get(orgId);
    if (!w) return;
    // Forgotten at once, so a `start` right after (without awaiting) runs a new worker; the old one handles nothing
    // more (its messages are ignored once aborted) and its loop ends soon after.
    this.#workers.delete(orgId);
    w.controller.abort();
    await w.done;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#workers.keys()].map((orgId) => this.stop(orgId)));
  }

  status(orgId: string): EventConsumerStatus {
    const w = this.#workers.get(orgId);
    return {
      running: Boolean(w),
      connected: w?.connected ?? false,
      lastEventId: this.cursor(orgId),
      lastError: w?.lastError ?? null,
      reconnects: w?.reconnects ?? 0,
      handled: w?.handled ?? 0,
      invalid: w?.invalid ?? 0,
    };
  }

  /**
   * Resolves once the consumer has handled every event the dialer had when asked (polls
   * `GET /events?after=cursor&limit=1` until it is empty); rejects with `DIALER_DRAIN_TIMEOUT` after `timeoutMs`.
   */
  async drain(orgId: string, timeoutMs = 5_000): Promise<void> {
    const started = performance.now();
    for (;;) {
      const cursor = this.cursor(orgId);
      // Read loosely: an event this side does not know must not stop the drain (the consumer skips it).
      const page = await this.clients.get(orgId).request('events.list', { query: { after: cursor, limit: 1 } });
      const ids = EventIds.parse(page.body).events.map((e) => e.id);
      if (ids.length === 0) return;
      if (performance.now() - started > timeoutMs)
        throw new AppError(
          'DIALER_DRAIN_TIMEOUT',
          504,
          `the event consumer of '${orgId}' is still behind the dialer after ${timeoutMs} ms (cursor ${cursor}, ` +
            `next event ${ids[0]}; ${this.#workers.has(orgId) ? 'running' : 'not running'})`,
          { orgId, cursor, lastError: this.#workers.get(orgId)?.lastError ?? null },
        );
      await sleep(10);
    }
  }

  async #loop(orgId: string, w: Worker): Promise<void> {
    const stop = w.controller.signal;
    let failures = 0;
    let first = true;
    while (!stop.aborted) {
      if (!first) w.reconnects++;
      first = false;
      const connection = new AbortController();
      w.connection = connection;
      const signal = AbortSignal.any([stop, connection.signal]);
      const before = w.handled + w.invalid;
      try {
        const res = await this.clients.get(orgId).openEventStream(this.cursor(orgId), signal);
        w.connected = true;
        this.#log.info({ orgId, cursor: this.cursor(orgId) }, 'dialer events: connected');
        const ended = await readSseBatches(res.body as ReadableStream<Uint8Array> | null, (batch) =>
          this.#onBatch(orgId, w, batch),
        );
        if (!connection.signal.aborted)
          w.lastError = ended === 'ended' ? 'the dialer closed the stream' : 'stream error';
      } catch (e) {
        if (!stop.aborted) w.lastError = errorMessage(e);
      } finally {
        w.connected = false;
        w.connection = undefined;
      }
      if (stop.aborted) break;
      // A connection that delivered something starts the backoff over.
      failures = w.handled + w.invalid > before ? 0 : failures + 1;
      const delay = Math.min(this.#maxMs, this.#baseMs * 2 ** Math.max(0, failures - 1));
      this.#log.warn({ orgId, error: w.lastError, retryInMs: delay }, 'dialer events: disconnected, reconnecting');
      // Real time on purpose: waiting for the network, not a domain deadline (the virtual clock may stand still).
      await sleep(delay, undefined, { signal: stop }).catch(() => {});
    }
  }

  /** Reads one message: its id, and the event or why it is invalid; undefined without a usable id or when seen. */
  #read(orgId: string, m: EventSourceMessage, cursor: number): Entry | undefined {
    let data: unknown;
    try {
      data = JSON.parse(m.data);
    } catch {
      data = undefined;
    }
    const fromData = (data as { id?: unknown } | undefined)?.id;
    const id = m.id !== undefined && m.id !== '' ? Number(m.id) : typeof fromData === 'number' ? fromData : Number.NaN;
    if (!Number.isSafeInteger(id) || id <= 0) {
      this.#log.error({ orgId, sseId: m.id, type: m.event }, 'dialer events: an event without a usable id; ignored');
      return undefined;
    }
    if (id <= cursor) return undefined;
    const parsed = DialerEvent.safeParse(data);
    if (parsed.success) return { id, event: parsed.data };
    const invalid: InvalidDialerEvent = {
      id,
      type: m.event,
      data: m.data,
      error: data === undefined ? 'the data is not JSON' : z.prettifyError(parsed.error),
    };
    this.#log.error({ orgId, ...invalid }, 'dialer events: an event does not match the contract; skipped');
    return { id, invalid };
  }

  /** Applies one entry inside the caller's transaction (the cursor is written by the caller). */
  #apply(orgId: string, e: Entry): void {
    if (e.event) this.handle(orgId, e.event);
    else if (this.#onInvalid) {
      try {
        // A savepoint: a throwing callback loses its own writes, never the skip.
        this.db.transaction(() => this.#onInvalid?.(orgId, e.invalid))();
      } catch (err) {
        this.#log.error({ orgId, id: e.id, err: errorMessage(err) }, 'dialer events: onInvalid threw');
      }
    }
  }

  /**
   * Applies the events one chunk of the stream carried in one transaction with the cursor (one commit for the chunk,
   * not one per event), each event in its own savepoint: if one fails, its writes roll back, those before it commit,
   * the connection is cut and the consumer reconnects from the cursor, so the failed event is tried again.
   */
  #onBatch(orgId: string, w: Worker, batch: EventSourceMessage[]): void {
    const connection = w.connection;
    // One chunk may carry events after a failure or a stop: they wait for the next connection.
    if (!connection || connection.signal.aborted || w.controller.signal.aborted) return;
    const cursor = this.cursor(orgId);
    const entries: Entry[] = [];
    for (const m of batch) {
      const e = this.#read(orgId, m, cursor);
      if (e) entries.push(e);
    }
    if (entries.length === 0) return;
    let failure: { id: number; err: unknown } | undefined;
    const applied = this.db.transaction(() => {
      const done: Entry[] = [];
      let last = this.cursor(orgId);
      for (const e of entries) {
        if (e.id <= last) continue;
        try {
          this.db.transaction(() => this.#apply(orgId, e))();
        } catch (err) {
          failure = { id: e.id, err };
          break;
        }
        done.push(e);
        last = e.id;
      }
      if (done.length > 0) this.#writeCursor.run(orgId, last);
      return done;
    })();
    for (const e of applied)
      if (e.event) w.handled++;
      else w.invalid++;
    if (failure) {
      const why = errorMessage(failure.err);
      w.lastError = `handling event ${failure.id} failed: ${why}`;
      this.#log.error({ orgId, id: failure.id, err: why }, 'dialer events: handling an event failed; will retry');
      connection.abort();
    }
  }
}
