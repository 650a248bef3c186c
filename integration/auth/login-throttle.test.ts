import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import { type LoginKey, LoginThrottle } from './login-throttle.ts';

const MIN = 60_000;
const ana: LoginKey = { organization: 'acme', username: 'ana', address: '10.0.0.1' };

function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected LOGIN_THROTTLED');
}

const fail = (t: LoginThrottle, key: LoginKey, n: number) => {
  for (let i = 0; i < n; i++) t.begin(key).end('failed');
};

describe('LoginThrottle', () => {
  it("refuses a user's login after N failures in the window, saying when to try again, until the oldest leaves it", () => {
    const clock = new VirtualClock(0);
    const t = new LoginThrottle(clock, { perUser: { maxFailures: 3, windowMs: 10 * MIN } });
    fail(t, ana, 2);
    clock.advance(MIN);
    fail(t, ana, 1);
    const e = refusal(() => t.begin(ana));
    expect([e.code, e.status]).toEqual(['LOGIN_THROTTLED', 429]);
    expect(e.details).toEqual({ scope: 'user', retryAfterSeconds: 540 });
    expect(e.message).toContain("too many failed logins for 'ana' in 'acme'; try again in 540 s");
    clock.advance(9 * MIN - 1);
    expect(refusal(() => t.begin(ana)).details).toMatchObject({ retryAfterSeconds: 1 });
    clock.advance(1);
    expect(() => t.begin(ana).end('failed')).not.toThrow();
  });

  it("clears the user's failures on a successful login", () => {
    const t = new LoginThrottle(new VirtualClock(0), { perUser: { maxFailures: 3, windowMs: 10 * MIN } });
    fail(t, ana, 2);
    t.begin(ana).end('succeeded');
    fail(t, ana, 2);
    expect(() => t.begin(ana)).not.toThrow();
  });

  it('counts users by organization and username: another user or organization is not throttled', () => {
    const t = new LoginThrottle(new VirtualClock(0), { perUser: { maxFailures: 2, windowMs: MIN } });
    fail(t, ana, 2);
    expect(() => t.begin({ ...ana, username: 'bia' })).not.toThrow();
    expect(() => t.begin({ ...ana, organization: 'beta' })).not.toThrow();
  });

  it('refuses an address after its failures, whatever the username, and a success there does not reopen it', () => {
    const t = new LoginThrottle(new VirtualClock(0), {
      perUser: { maxFailures: 100, windowMs: MIN },
      perAddress: { maxFailures: 4, windowMs: MIN },
    });
    for (const username of ['a', 'b', 'c']) t.begin({ ...ana, username }).end('failed');
    t.begin({ ...ana, username: 'd' }).end('succeeded');
    t.begin({ ...ana, username: 'e' }).end('failed');
    const e = refusal(() => t.begin({ ...ana, username: 'f' }));
    expect(e.details).toMatchObject({ scope: 'address' });
    expect(() => t.begin({ ...ana, username: 'f', address: '10.0.0.2' })).not.toThrow();
  });

  it('lets at most N checks of one user run at once, so a parallel burst cannot outrun the count', () => {
    const t = new LoginThrottle(new VirtualClock(0), { perUser: { maxFailures: 3, windowMs: MIN } });
    const running = [t.begin(ana), t.begin(ana), t.begin(ana)];
    expect(refusal(() => t.begin(ana)).details).toMatchObject({ scope: 'user' });
    for (const a of running) a.end('neither');
    expect(() => t.begin(ana)).not.toThrow();
  });

  it('does not throttle many successful logins from one address (a team behind one NAT)', () => {
    const t = new LoginThrottle(new VirtualClock(0), { perAddress: { maxFailures: 2, windowMs: MIN } });
    const attempts = Array.from({ length: 50 }, (_, i) => t.begin({ ...ana, username: `agent${i}` }));
    for (const a of attempts) a.end('succeeded');
    expect(() => t.begin(ana)).not.toThrow();
  });

  it('forgets the oldest keys past its bound', () => {
    const t = new LoginThrottle(new VirtualClock(0), { perUser: { maxFailures: 1, windowMs: MIN }, maxTracked: 2 });
    fail(t, ana, 1);
    fail(t, { ...ana, username: 'b' }, 1);
    fail(t, { ...ana, username: 'c' }, 1);
    expect(() => t.begin(ana)).not.toThrow();
  });
});
