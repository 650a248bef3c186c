import type Database from 'better-sqlite3';
import { createLogger, type Logger } from './log.ts';

type Db = Database.Database;
type Effect = () => void;

/** What is known of one database's transactions (only those opened with `db.transaction`). */
type Tracker = {
  /** One set per open transaction level, outermost first (nested ones are savepoints); made on first use. */
  frames: Array<Set<Effect> | undefined>;
  /** Effects whose transaction committed, not yet run. */
  ready: Set<Effect>;
  draining: boolean;
  onError: (err: unknown) => void;
};

const trackers = new WeakMap<Db, Tracker>();
let defaultLog: Logger | undefined;

const logError = (err: unknown) => {
  defaultLog ??= createLogger('after-commit');
  defaultLog.error({ err }, 'an after-commit effect threw; the others still ran');
};

/**
 * Makes `db.transaction(...)` record commits and rollbacks, so `afterCommit` can hold effects until the outermost
 * transaction commits. `openDatabase` calls it; `onError` receives what an effect throws (by default: logged).
 */
export function trackCommits(db: Db, onError: (err: unknown) => void = logError): void {
  if (trackers.has(db)) return;
  const tracker: Tracker = { frames: [], ready: new Set(), draining: false, onError };
  trackers.set(db, tracker);
  const transaction = db.transaction.bind(db);
  // Called for every transaction (nested ones too), so it allocates as little as it can: one function per variant,
  // no rest arguments, the effects' set made only when an effect is registered.
  const tracked = (variant: (...args: unknown[]) => unknown) =>
    function (this: unknown) {
      // biome-ignore lint/complexity/noArguments: forwarding the caller's arguments without a rest array
      return runTracked(tracker, variant, this, arguments);
    };
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const txn = transaction(fn);
    const run = tracked(txn) as ReturnType<typeof transaction>;
    run.default = tracked(txn.default) as typeof run.default;
    run.deferred = tracked(txn.deferred) as typeof run.deferred;
    run.immediate = tracked(txn.immediate) as typeof run.immediate;
    run.exclusive = tracked(txn.exclusive) as typeof run.exclusive;
    return run;
  }) as typeof db.transaction;
}

function runTracked<T>(tracker: Tracker, body: (...args: unknown[]) => T, self: unknown, args: ArrayLike<unknown>): T {
  tracker.frames.push(undefined);
  let committed = false;
  let result: T;
  try {
    result = Reflect.apply(body, self, args) as T;
    committed = true;
  } finally {
    const frame = tracker.frames.pop();
    // A savepoint that was released hands its effects to the transaction around it; a rolled-back one drops them.
    if (committed && frame) {
      const depth = tracker.frames.length;
      if (depth === 0) for (const fn of frame) tracker.ready.add(fn);
      else for (const fn of frame) frameAt(tracker, depth - 1).add(fn);
    }
  }
  if (tracker.frames.length === 0 && tracker.ready.size > 0) drain(tracker);
  return result;
}

/** The effects of an open transaction level, made on first use. */
function frameAt(tracker: Tracker, level: number): Set<Effect> {
  let frame = tracker.frames[level];
  if (!frame) {
    frame = new Set();
    tracker.frames[level] = frame;
  }
  return frame;
}

function drain(tracker: Tracker): void {
  if (tracker.draining) return;
  tracker.draining = true;
  try {
    // A Set visits what is added while iterating: effects registered by effects run in this same pass, in order.
    for (const fn of tracker.ready) {
      tracker.ready.delete(fn);
      try {
        fn();
      } catch (err) {
        try {
          tracker.onError(err);
        } catch {
          // reporting must never stop the remaining effects
        }
      }
    }
  } finally {
    tracker.draining = false;
  }
}

/**
 * Runs `fn` once the current transaction commits: an event stream wake-up, an outbox kick, a call offer's INVITE —
 * anything that must not happen for a change that is rolled back.
 *
 * - Inside `db.transaction(...)`: when the outermost transaction commits, right before it returns, in registration
 *   order; never if it rolls back. A nested transaction is a savepoint: if it rolls back and the outer one goes on,
 *   only the effects registered inside it are dropped.
 * - Outside any transaction the write before it has already committed (autocommit), so `fn` runs at once — unless
 *   another effect is running: then right after it (effects never nest, and keep their order).
 * - The same function registered again before it ran runs once (register a stable function to coalesce a wake-up).
 * - An effect that throws is reported (logged) and the others still run; it never undoes the commit.
 */
export function afterCommit(db: Db, fn: Effect): void {
  const tracker = trackers.get(db);
  if (!tracker)
    throw new Error('afterCommit needs a database opened with openDatabase (or passed to trackCommits) to see commits');
  const depth = tracker.frames.length;
  if (depth > 0) {
    frameAt(tracker, depth - 1).add(fn);
    return;
  }
  tracker.ready.add(fn);
  drain(tracker);
}
