import { streamSSE } from 'hono/streaming';
import { EVENT_PAGE_MAX, eventRoutes as routes } from '../../contract/dialer/routes/events.ts';
import { AppError } from '../../core/errors.ts';
import { Waker } from '../../core/http/waker.ts';
import { dialerRouter } from '../http/app.ts';
import type { EventLog } from './event-log.ts';

const PAGE = EVENT_PAGE_MAX;
const HEARTBEAT_MS = 15_000;

/** Open event streams, so the control API can drop them (a network failure, on demand). */
export class OpenStreams {
  readonly #streams = new Set<{ orgId: string; close: () => void }>();

  add(entry: { orgId: string; close: () => void }): () => void {
    this.#streams.add(entry);
    return () => this.#streams.delete(entry);
  }

  get count(): number {
    return this.#streams.size;
  }

  /** Closes every open stream (of one organization, or all); returns how many. */
  drop(orgId?: string): number {
    let n = 0;
    for (const s of [...this.#streams]) {
      if (orgId && s.orgId !== orgId) continue;
      s.close();
      this.#streams.delete(s);
      n++;
    }
    return n;
  }
}

/** One Server-Sent Event as text (the data is JSON on one line; `id` and `event` never hold a line break). */
const sseText = (e: { id: number; type: string }) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\nid: ${e.id}\n\n`;

export type StreamDropRule = (method: string, path: string) => { afterEvents: number } | undefined;

function startCursor(
  c: { req: { header(n: string): string | undefined } },
  after: number | undefined,
  log: EventLog,
  orgId: string,
) {
  const header = c.req.header('last-event-id');
  if (header !== undefined && header !== '') {
    // Digits only: Number() would read '0x10' as 16 and ' 7' as 7, resuming from an event the client never named.
    if (!/^\d{1,15}$/.test(header))
      throw new AppError(
        'LAST_EVENT_ID_INVALID',
        422,
        `Last-Event-ID must be an event id (digits only, as the stream sent it), got '${header}'`,
      );
    return Number(header);
  }
  return after ?? (c.req.header('x-from') === 'latest' ? log.lastId(orgId) : 0);
}

/**
 * The event log over HTTP: pages (`GET /events`) and a Server-Sent Events stream (`GET /events/stream`) that replays
 * from the consumer's cursor and then follows live. Each SSE `id` is the event id: reconnecting with Last-Event-ID
 * resumes right after it, with nothing missed and nothing twice, also across a restart (the log is in SQLite).
 */
export function eventRoutes(log: EventLog, open: OpenStreams, dropRule: StreamDropRule = () => undefined) {
  const app = dialerRouter();

  app.openapi(routes['events.list'], (c) => {
    const { after, limit } = c.req.valid('query');
    const events = log.after(c.var.orgId, after ?? 0, limit);
    return c.json({ events, lastId: events.at(-1)?.id ?? after ?? 0 }, 200);
  });

  app.openapi(routes['events.stream'], (c) => {
    const { orgId } = c.var;
    let cursor = startCursor(c, c.req.valid('query').after, log, orgId);
    const drop = dropRule('GET', c.req.path);
    return streamSSE(c, async (stream) => {
      const waker = new Waker();
      let closed = false;
      const close = () => {
        closed = true;
        waker.wake();
        void stream.close();
      };
      const unsubscribe = log.subscribe(orgId, () => waker.wake());
      const unregister = open.add({ orgId, close });
      stream.onAbort(close);
      let sent = 0;
      try {
        if (drop && drop.afterEvents === 0) return close();
        while (!closed) {
          const batch = log.after(orgId, cursor, PAGE);
          // What is there goes in one write (one TLS record and syscall, one read for the consumer), not one per
          // event; a drop rule cuts the batch where the connection is to fail.
          const take = drop ? batch.slice(0, drop.afterEvents - sent) : batch;
          if (take.length > 0) {
            await stream.write(take.map(sseText).join(''));
            cursor = take.at(-1)!.id;
            sent += take.length;
          }
          if (drop && sent >= drop.afterEvents) return close();
          if (closed) return;
          if (batch.length === PAGE) continue;
          // Wait for new events, or send a heartbeat comment so proxies keep the connection.
          await waker.wait(HEARTBEAT_MS);
          if (!closed && log.after(orgId, cursor, 1).length === 0) await stream.write(': keep-alive\n\n');
        }
      } finally {
        unsubscribe();
        unregister();
      }
    });
  });

  return app;
}
