import type Database from 'better-sqlite3';
import { createLogger, type Logger } from './log.ts';

type Db = Database.Database;
type Effect = () => void;

/** What is known of one database's transactions (only those opened with `db.transaction`). */
type Tracker = {
  /** One set per open transaction level, outermost first (nested ones are savepoints). */
  frames: Set<Effect>[];
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
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const txn = transaction(fn);
    const tracked = (variant: (...args: unknown[]) => unknown) =>
      function (this: unknown, ...args: unknown[]) {
        return runTracked(tracker, () => variant.apply(this, args));
      };
    return Object.assign(tracked(txn), {
      default: tracked(txn.default),
      deferred: tracked(txn.deferred),
      immediate: tracked(txn.immediate),
      exclusive: tracked(txn.exclusive),
      database: db,
    });
  }) as typeof db.transaction;
}

function runTracked<T>(tracker: Tracker, body: () => T): T {
  tracker.frames.push(new Set());
  let committed = false;
  let result: T;
  try {
    result = body();
    committed = true;
  } finally {
    const frame = tracker.frames.pop()!;
    // A savepoint that was released hands its effects to the transaction around it; a rolled-back one drops them.
    if (committed) for (const fn of frame) (tracker.frames.at(-1) ?? tracker.ready).add(fn);
  }
  if (tracker.frames.length === 0) drain(tracker);
  return result;
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
  const frame = tracker.frames.at(-1);
  if (frame) {
    frame.add(fn);
    return;
  }
  tracker.ready.add(fn);
  drain(tracker);
}
