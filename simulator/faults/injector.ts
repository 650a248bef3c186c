import { constants as http2 } from 'node:http2';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  type FaultRule,
  FaultRuleInput,
  type LatencyDistribution,
  MAX_LATENCY_MS,
} from '../../contract/dialer/control/faults.ts';
import { compilePathPattern } from '../../contract/dialer/path-pattern.ts';
import { RealClock } from '../../core/clock.ts';
import { validationError } from '../../core/http/validation.ts';
import { normal, type Random } from '../../core/random.ts';

export type StreamDrop = { afterEvents: number; ruleId: string };

export interface FaultInjector {
  /** Validates and stores a rule (throws AppError VALIDATION_FAILED, 422, when invalid). */
  add(input: FaultRuleInput): FaultRule;
  /** The rules, oldest first (copies). */
  list(): FaultRule[];
  /** False when no rule has this id. */
  remove(id: string): boolean;
  /** Removes every rule; returns how many there were. */
  clear(): number;
  /** Applies latency, error and reset rules to matching requests. */
  readonly middleware: MiddlewareHandler;
  /** For the event stream route, when a stream opens: whether (and after how many events) to drop it. */
  takeStreamDrop(method: string, path: string): StreamDrop | undefined;
}

export type FaultInjectorOptions = {
  /** Decides `probability` and samples latency; a seeded one makes a run repeatable. */
  random: Random;
  /** For `createdAt` only; the simulator passes its clock's now. */
  now?: () => number;
  /** The route id of a request (method + path), for rules that match a route by id. */
  routeOf?: (method: string, path: string) => string | undefined;
};

/**
 * The status of the Response a `reset` fault returns: the connection is already destroyed, so it is never sent,
 * but a journal recording around this middleware sees it (nginx uses 499 for "client closed request").
 */
export const RESET_STATUS = 499;

type Entry = { rule: FaultRule; method: string; matches: (method: string, path: string) => boolean };

/** One delay from a distribution, in ms, never above MAX_LATENCY_MS. */
export function sampleLatencyMs(d: LatencyDistribution, random: Random): number {
  let ms: number;
  switch (d.type) {
    case 'fixed':
      ms = d.ms;
      break;
    case 'uniform':
      ms = d.minMs + random() * (d.maxMs - d.minMs);
      break;
    case 'lognormal':
      ms = d.medianMs * Math.exp(d.sigma * normal(random));
      break;
  }
  return Math.min(Math.max(0, ms), MAX_LATENCY_MS);
}

export function createFaultInjector({ random, now, routeOf }: FaultInjectorOptions): FaultInjector {
  const realClock = new RealClock();
  const clockNow = now ?? (() => realClock.now());
  let entries: Entry[] = [];
  let nextId = 1;

  const snapshot = (rule: FaultRule): FaultRule => structuredClone(rule);

  /**
   * The first rule (in the order added) of the wanted kind matching the request decides alone: when its probability
   * roll fails the request gets no fault, even if a later rule matches too. Applying counts towards `times`; a rule
   * used up is removed. Everything here is synchronous, so concurrent requests count exactly.
   */
  function decide(stream: boolean, method: string, path: string): FaultRule | undefined {
    const m = method.toUpperCase();
    const entry = entries.find(
      (e) =>
        (e.rule.fault.kind === 'drop_stream') === stream && (e.method === '*' || e.method === m) && e.matches(m, path),
    );
    if (!entry) return undefined;
    const p = entry.rule.probability;
    // random() is consulted only for 0 < p < 1, so rules that always or never apply leave the sequence alone.
    if (!(p >= 1 || (p > 0 && random() < p))) return undefined;
    entry.rule.applied++;
    if (entry.rule.times !== undefined && entry.rule.applied >= entry.rule.times) {
      entries = entries.filter((e) => e !== entry);
    }
    return snapshot(entry.rule);
  }

  const middleware: MiddlewareHandler = async (c, next) => {
    const rule = decide(false, c.req.method, c.req.path);
    if (!rule) return next();
    const { fault } = rule;
    switch (fault.kind) {
      case 'latency':
        // A REAL wall-clock delay, not the simulator's (possibly virtual) clock: this simulates the network between
        // the two sides, so client timeouts, which run on real time, must see it. A virtual clock would either not
        // delay at all or only move when a scenario advances it, stalling the request. If the client gives up
        // meanwhile the handler still runs afterwards, like a slow server that did the work nobody waited for.
        await sleep(sampleLatencyMs(fault.distribution, random));
        return next();
      case 'error':
        // Marked, so a client (or the test suite's contract check) can tell an injected answer from the dialer's own.
        c.header('X-Injected-Fault', rule.id);
        return c.json(
          {
            error: {
              code: fault.code ?? 'INJECTED_FAULT',
              message: fault.message ?? `injected fault: HTTP ${fault.status}`,
              details: { ruleId: rule.id },
            },
          },
          fault.status as ContentfulStatusCode,
        );
      case 'reset':
        return reset(c, rule.id);
      default:
        return next();
    }
  };

  return {
    add(input) {
      const parsed = FaultRuleInput.safeParse(input);
      if (!parsed.success) throw validationError(parsed.error.issues);
      const data = parsed.data;
      const rule: FaultRule = {
        id: `fault-${nextId++}`,
        ...data,
        match: { ...data.match, method: data.match.method.toUpperCase() },
        applied: 0,
        createdAt: new Date(clockNow()).toISOString(),
      };
      const { path, route } = rule.match;
      const matches: Entry['matches'] = path
        ? (
            (matchPath) => (_m: string, p: string) =>
              matchPath(p)
          )(compilePathPattern(path))
        : (m, p) => routeOf?.(m, p) === route;
      entries.push({ rule, method: rule.match.method, matches });
      return snapshot(rule);
    },
    list: () => entries.map((e) => snapshot(e.rule)),
    remove(id) {
      const before = entries.length;
      entries = entries.filter((e) => e.rule.id !== id);
      return entries.length < before;
    },
    clear() {
      const n = entries.length;
      entries = [];
      return n;
    },
    middleware,
    takeStreamDrop(method, path) {
      const rule = decide(true, method, path);
      return rule?.fault.kind === 'drop_stream' ? { afterEvents: rule.fault.afterEvents, ruleId: rule.id } : undefined;
    },
  };
}

type Incoming = {
  socket?: { destroy(): void } | null;
  stream?: { close(code?: number): void };
};

/**
 * Kills the connection with no answer. HTTP/1.1 (@hono/node-server's `c.env.incoming`): destroys the socket, which the
 * client sees as "socket hang up" / ECONNRESET. HTTP/2: resets just this stream (RST_STREAM), as the socket carries
 * other requests. The Response returned is never written. Without node bindings (`app.request()` in process) there is
 * no connection to kill, so it answers 502 coded INJECTED_RESET instead.
 */
function reset(c: Context, ruleId: string): Response {
  const incoming = (c.env as { incoming?: Incoming } | undefined)?.incoming;
  if (incoming?.stream) {
    incoming.stream.close(http2.NGHTTP2_CANCEL);
    return new Response(null, { status: RESET_STATUS });
  }
  if (incoming?.socket) {
    incoming.socket.destroy();
    return new Response(null, { status: RESET_STATUS });
  }
  return c.json(
    {
      error: {
        code: 'INJECTED_RESET',
        message: 'injected connection reset, answered as 502: no socket to destroy outside @hono/node-server',
        details: { ruleId },
      },
    },
    502,
  );
}
