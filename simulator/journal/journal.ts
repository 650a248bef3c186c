import type { Context, MiddlewareHandler } from 'hono';
import {
  type JournalEntry,
  type JournalFilter,
  type VerifyResult,
  VerifySpec,
} from '../../contract/dialer/control/journal.ts';
import { compilePathPattern } from '../../contract/dialer/path-pattern.ts';
import { validationError } from '../../core/http/validation.ts';

/** Variables the journal reads: the authentication middleware sets `orgId` once it knows the organization. */
export type JournalVariables = { orgId?: string };
export type JournalEnv = { Variables: JournalVariables };

export interface Journal {
  /** Records each request once it has been answered. */
  readonly middleware: MiddlewareHandler<JournalEnv>;
  /** Entries matching every field of the filter, oldest first. */
  list(filter?: JournalFilter): JournalEntry[];
  /** Checks count and order; a failed check is a result (`ok: false`), not an exception. */
  verify(spec: VerifySpec): VerifyResult;
  /** Empties the journal and resets `dropped`; returns how many entries were removed. seq keeps counting. */
  clear(): number;
  /** Entries dropped past the capacity since the last clear. */
  readonly dropped: number;
  /** The seq of the latest entry recorded (0 before any). */
  readonly lastSeq: number;
}

export type JournalOptions = {
  /** The simulator's clock (for `at`). */
  now: () => number;
  /** The route id of a request (method + full path), so entries can be found by route as well as by path. */
  routeOf?: (method: string, path: string) => string | undefined;
  /** Entries kept; the oldest go first. */
  capacity?: number;
};

export const BODY_LIMIT_BYTES = 4096;

/** The only request headers stored: an allow-list, so credentials (authorization, x-dialer-key, cookies…) never are. */
export const RECORDED_HEADERS = ['content-type', 'idempotency-key', 'last-event-id', 'user-agent'] as const;

const RECORDED_BODY = /^(application\/([\w.-]+\+)?json|text\/csv|application\/csv)$/;
const JSON_BODY = /^application\/([\w.-]+\+)?json$/;

// JSON string fields whose value is replaced by "[REDACTED]" in stored bodies: dialer keys and agent passwords travel
// in request bodies (organization and agent set-up, login). The value may be cut short by the 4 KB limit.
const SECRET_KEY = /password|passwd|secret|token|^(key|pin|authorization|api_?key|dialer_?key)$/i;
const JSON_STRING_FIELD = /"((?:[^"\\]|\\.)*)"(\s*:\s*)"(?:[^"\\]|\\.)*(?:"|$)/g;

/** Query parameter names whose values are never kept (a dialer key sent in a URL by mistake, a token…). */
const SECRET_PARAM = /password|passwd|secret|token|authorization|(^|[^a-z])key$|^(api|dialer)_?key$|^pin$/i;

export function redactJsonSecrets(text: string): string {
  return text.replace(JSON_STRING_FIELD, (all, key: string, sep: string) =>
    SECRET_KEY.test(key) ? `"${key}"${sep}"[REDACTED]"` : all,
  );
}

const mediaType = (contentType: string | null) => (contentType ?? '').split(';')[0]!.trim().toLowerCase();

/**
 * Bodies that declare (Content-Length) at most this size are read whole through Hono's body cache, which the
 * handler's own read then reuses: no clone of the request stream (cloning makes @hono/node-server build a full
 * WHATWG Request and tee its body, the largest cost of a small request here).
 */
const CACHED_BODY_MAX_BYTES = 64 * 1024;

/** The first BODY_LIMIT_BYTES of `bytes` as text; stream: true keeps a multi-byte character cut by the limit out. */
function firstBytes(bytes: Uint8Array, truncated: boolean): string {
  return new TextDecoder().decode(bytes.subarray(0, BODY_LIMIT_BYTES), { stream: truncated });
}

/**
 * The first BODY_LIMIT_BYTES of a JSON or CSV body, without taking it from the handler: small declared bodies
 * through Hono's body cache, others from a clone of which only what is kept is read (the rest of our branch of the
 * stream is cancelled).
 */
async function readBody(c: Context): Promise<{ text: string; truncated: boolean } | undefined> {
  const req = c.req.raw;
  const type = mediaType(req.headers.get('content-type'));
  if (!RECORDED_BODY.test(type) || req.method === 'GET' || req.method === 'HEAD') return undefined;
  const redact = (text: string) => (JSON_BODY.test(type) ? redactJsonSecrets(text) : text);
  const declared = Number(req.headers.get('content-length') ?? Number.NaN);
  if (Number.isSafeInteger(declared) && declared <= CACHED_BODY_MAX_BYTES) {
    let whole: string;
    try {
      whole = await c.req.text();
    } catch {
      return undefined; // the client went away mid-body; the handler will find out on its own
    }
    if (whole.length * 3 <= BODY_LIMIT_BYTES || Buffer.byteLength(whole) <= BODY_LIMIT_BYTES)
      return { text: redact(whole), truncated: false };
    return { text: redact(firstBytes(Buffer.from(whole), true)), truncated: true };
  }
  const stream = req.clone().body;
  if (!stream) return undefined;
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (size > BODY_LIMIT_BYTES) {
        truncated = true;
        break;
      }
    }
  } catch {
    return undefined; // the client went away mid-body; the handler will find out on its own
  } finally {
    reader.cancel().catch(() => {});
  }
  return { text: redact(firstBytes(Buffer.concat(chunks), truncated)), truncated };
}

function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key).map((v) => (SECRET_PARAM.test(key) ? '[REDACTED]' : v));
    out[key] = values.length === 1 ? values[0]! : values;
  }
  return out;
}

type Predicate = (e: JournalEntry) => boolean;

function compileFilter(f: JournalFilter): Predicate {
  const method = f.method?.toUpperCase();
  const path = f.path === undefined ? undefined : compilePathPattern(f.path);
  return (e) =>
    (method === undefined || method === '*' || e.method === method) &&
    (f.route === undefined || e.route === f.route) &&
    (path === undefined || path(e.path)) &&
    (f.pathPrefix === undefined || e.path.startsWith(f.pathPrefix)) &&
    (f.status === undefined || e.status === f.status) &&
    (f.orgId === undefined || e.orgId === f.orgId) &&
    (f.sinceSeq === undefined || e.seq > f.sinceSeq);
}

const describeFilter = (f: JournalFilter) => JSON.stringify(f);
const seqList = (entries: JournalEntry[]) =>
  entries.length === 0
    ? 'none'
    : entries
        .slice(0, 10)
        .map((e) => e.seq)
        .join(', ') + (entries.length > 10 ? ', …' : '');

export function createJournal({ now, capacity = 5000, routeOf }: JournalOptions): Journal {
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new RangeError(`journal capacity must be >= 1, got ${capacity}`);
  let entries: JournalEntry[] = [];
  let seq = 0;
  let dropped = 0;

  function record(entry: Omit<JournalEntry, 'seq'>) {
    entries.push({ seq: ++seq, ...entry });
    if (entries.length > capacity) {
      const excess = entries.length - capacity;
      entries.splice(0, excess);
      dropped += excess;
    }
  }

  function select(filter: JournalFilter = {}): JournalEntry[] {
    const matches = compileFilter(filter);
    const out: JournalEntry[] = [];
    for (const e of entries) {
      if (!matches(e)) continue;
      out.push(e);
      if (filter.limit !== undefined && out.length >= filter.limit) break;
    }
    return out;
  }

  const middleware: MiddlewareHandler<JournalEnv> = async (c, next) => {
    const started = performance.now();
    const at = new Date(now()).toISOString();
    const body = await readBody(c);
    let failed = true;
    try {
      await next();
      failed = false;
    } finally {
      const requestHeaders: Record<string, string> = {};
      for (const name of RECORDED_HEADERS) {
        const value = c.req.header(name);
        if (value !== undefined) requestHeaders[name] = value;
      }
      const orgId = c.get('orgId');
      const route = routeOf?.(c.req.method, c.req.path);
      record({
        at,
        method: c.req.method,
        path: c.req.path,
        ...(route === undefined ? {} : { route }),
        query: queryObject(new URL(c.req.url)),
        status: failed ? 500 : c.res.status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        ...(orgId === undefined ? {} : { orgId }),
        requestHeaders,
        ...(body ? { requestBody: body.text, ...(body.truncated ? { requestBodyTruncated: true } : {}) } : {}),
      });
    }
  };

  return {
    middleware,
    list: (filter) => select(filter).map((e) => structuredClone(e)),
    verify(input) {
      const parsed = VerifySpec.safeParse(input);
      if (!parsed.success) throw validationError(parsed.error.issues);
      const spec = parsed.data;
      const scope = select(spec.request);
      const failures: string[] = [];
      const { eq, gte, lte } = spec.count ?? { gte: 1 };
      const where = `requests matching ${describeFilter(spec.request)}`;
      if (eq !== undefined && scope.length !== eq)
        failures.push(`expected exactly ${eq} ${where}, found ${scope.length}`);
      if (gte !== undefined && scope.length < gte)
        failures.push(`expected at least ${gte} ${where}, found ${scope.length}`);
      if (lte !== undefined && scope.length > lte)
        failures.push(`expected at most ${lte} ${where}, found ${scope.length}`);

      // Greedy: each step takes the earliest match after the previous one, which finds the order if any exists.
      let from = 0;
      let previous: JournalEntry | undefined;
      for (const [i, step] of (spec.order ?? []).entries()) {
        const matches = compileFilter(step);
        const at = scope.findIndex((e, idx) => idx >= from && matches(e));
        if (at < 0) {
          const anywhere = scope.filter(matches);
          failures.push(
            `order[${i}] ${describeFilter(step)}: no matching request` +
              (previous ? ` after seq ${previous.seq} (order[${i - 1}])` : '') +
              `; matching seqs among ${where}: ${seqList(anywhere)}`,
          );
          break;
        }
        previous = scope[at]!;
        from = at + 1;
      }
      return { ok: failures.length === 0, count: scope.length, failures };
    },
    clear() {
      const n = entries.length;
      entries = [];
      dropped = 0;
      return n;
    },
    get dropped() {
      return dropped;
    },
    get lastSeq() {
      return seq;
    },
  };
}
