import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';

/**
 * Login throttling. Failed logins are counted per user (organization + username, whether or not the user exists) and
 * per client address, in a sliding window on the injected clock; at the limit the login answers 429 LOGIN_THROTTLED
 * with Retry-After (the seconds until the oldest counted failure leaves the window) without checking the password,
 * so a guessing attack costs neither CPU nor a chance. A successful login clears the user's failures (not the
 * address's: one right password among many guesses must not reopen the door for the rest).
 *
 * Attempts still being checked count against the user's limit too: a burst of parallel guesses for one user gets
 * at most `maxFailures` password checks. They do not count against the address, so a team behind one NAT logging in
 * at 8:00 is not throttled by its own logins.
 *
 * The counts live in memory (a restart forgets them) and are bounded (`maxTracked` keys, oldest dropped first).
 */

export type ThrottleRule = { maxFailures: number; windowMs: number };
export type LoginThrottleOptions = { perUser?: ThrottleRule; perAddress?: ThrottleRule; maxTracked?: number };

export const DEFAULT_LOGIN_THROTTLE = {
  perUser: { maxFailures: 5, windowMs: 15 * 60_000 },
  perAddress: { maxFailures: 50, windowMs: 15 * 60_000 },
  maxTracked: 100_000,
} as const satisfies Required<LoginThrottleOptions>;

type Entry = { failures: number[]; inFlight: number };

class Counter {
  readonly #entries = new Map<string, Entry>();

  constructor(
    readonly rule: ThrottleRule,
    private readonly maxTracked: number,
  ) {}

  #entry(key: string, now: number): Entry {
    let e = this.#entries.get(key);
    if (!e) {
      e = { failures: [], inFlight: 0 };
      if (this.#entries.size >= this.maxTracked) {
        const oldest = this.#entries.keys().next().value;
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
      this.#entries.set(key, e);
    }
    const from = now - this.rule.windowMs;
    while (e.failures.length > 0 && e.failures[0]! <= from) e.failures.shift();
    return e;
  }

  /** Ms until one more attempt is allowed (0: allowed now). */
  waitMs(key: string, now: number, countInFlight: boolean): number {
    const e = this.#entry(key, now);
    const used = e.failures.length + (countInFlight ? e.inFlight : 0);
    if (used < this.rule.maxFailures) return 0;
    // The failure whose leaving the window frees a place; attempts in flight end within a second or two.
    const freeing = e.failures[e.failures.length - this.rule.maxFailures + (countInFlight ? e.inFlight : 0)];
    return freeing === undefined ? 1000 : Math.max(1000, freeing + this.rule.windowMs - now);
  }

  start(key: string, now: number): void {
    this.#entry(key, now).inFlight++;
  }

  end(key: string, now: number, outcome: 'failed' | 'succeeded' | 'neither', clear: boolean): void {
    const e = this.#entry(key, now);
    e.inFlight = Math.max(0, e.inFlight - 1);
    if (outcome === 'failed') e.failures.push(now);
    if (clear) e.failures = [];
    if (e.failures.length === 0 && e.inFlight === 0) this.#entries.delete(key);
  }
}

export type LoginKey = { organization: string; username: string; address: string | undefined };

/** One login attempt under way: say how it ended. */
export type LoginAttempt = { end(outcome: 'failed' | 'succeeded' | 'neither'): void };

export class LoginThrottle {
  readonly #users: Counter;
  readonly #addresses: Counter;

  constructor(
    private readonly clock: Clock,
    options: LoginThrottleOptions = {},
  ) {
    const max = options.maxTracked ?? DEFAULT_LOGIN_THROTTLE.maxTracked;
    this.#users = new Counter(options.perUser ?? DEFAULT_LOGIN_THROTTLE.perUser, max);
    this.#addresses = new Counter(options.perAddress ?? DEFAULT_LOGIN_THROTTLE.perAddress, max);
  }

  /** 429 LOGIN_THROTTLED when the user or the address is at its limit; otherwise the attempt, counted as under way. */
  begin(key: LoginKey): LoginAttempt {
    const now = this.clock.now();
    const user = `${key.organization}\u0000${key.username}`;
    const userWait = this.#users.waitMs(user, now, true);
    const addressWait = key.address === undefined ? 0 : this.#addresses.waitMs(key.address, now, false);
    if (userWait > 0 || addressWait > 0) {
      const byAddress = addressWait >= userWait;
      const retryAfterSeconds = Math.ceil(Math.max(userWait, addressWait) / 1000);
      throw new AppError(
        'LOGIN_THROTTLED',
        429,
        byAddress
          ? `too many failed logins from this address; try again in ${retryAfterSeconds} s`
          : `too many failed logins for '${key.username}' in '${key.organization}'; try again in ` +
              `${retryAfterSeconds} s, or ask an administrator to set a new password`,
        { scope: byAddress ? 'address' : 'user', retryAfterSeconds },
      );
    }
    this.#users.start(user, now);
    if (key.address !== undefined) this.#addresses.start(key.address, now);
    let ended = false;
    return {
      end: (outcome) => {
        if (ended) return;
        ended = true;
        const at = this.clock.now();
        this.#users.end(user, at, outcome, outcome === 'succeeded');
        if (key.address !== undefined) this.#addresses.end(key.address, at, outcome, false);
      },
    };
  }

  /**
   * The middleware for `POST /sessions`: reads organization and username from the JSON body and the client address
   * from the socket (a proxy's X-Forwarded-For is not trusted), refuses at the limit with 429 and Retry-After, and
   * learns the outcome from the answer: 201 succeeded, 401 failed (wrong password or unknown user), anything else
   * (an invalid body, a deactivated user with the right password) neither.
   */
  middleware(): MiddlewareHandler {
    return async (c, next) => {
      if (c.req.method !== 'POST') return next();
      const body = await readLoginBody(c);
      if (!body) return next(); // the route's validation answers
      let attempt: LoginAttempt;
      try {
        attempt = this.begin({ ...body, address: clientAddress(c) });
      } catch (e) {
        if (e instanceof AppError && e.code === 'LOGIN_THROTTLED')
          return c.json(e.toBody(), 429, { 'Retry-After': String(e.details?.retryAfterSeconds ?? 1) });
        throw e;
      }
      try {
        await next();
      } finally {
        const status = c.res.status;
        attempt.end(status === 201 ? 'succeeded' : status === 401 ? 'failed' : 'neither');
      }
    };
  }
}

async function readLoginBody(c: Context): Promise<{ organization: string; username: string } | undefined> {
  try {
    const body = (await c.req.json()) as unknown;
    if (typeof body !== 'object' || body === null) return undefined;
    const { organization, username } = body as Record<string, unknown>;
    return typeof organization === 'string' && typeof username === 'string' ? { organization, username } : undefined;
  } catch {
    return undefined;
  }
}

function clientAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined; // not served by node (in-process app.request): no peer address
  }
}
