import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORDS, startTestPair, type TestPair } from '../../harness/pair.ts';

let p: TestPair;
afterEach(async () => {
  await p?.close();
});

const MIN = 60_000;
type ErrorAnswer = { error: { code: string; message: string; details?: { retryAfterSeconds?: number } } };

describe('login throttling over HTTP', () => {
  it('answers 429 LOGIN_THROTTLED with Retry-After after 5 failed logins of a user, even for the right password', async () => {
    p = await startTestPair();
    const anon = p.client();
    const login = (username: string, password: string) =>
      anon.request<ErrorAnswer>('POST', '/api/v1/sessions', { json: { organization: 'acme', username, password } });
    for (let i = 0; i < 5; i++) expect((await login('ana', `wrong-password-${i}`)).status).toBe(401);
    const throttled = await login('ana', PASSWORDS.agents);
    expect([throttled.status, throttled.body.error.code]).toEqual([429, 'LOGIN_THROTTLED']);
    expect(throttled.headers.get('retry-after')).toBe('900');
    expect(throttled.body.error.details?.retryAfterSeconds).toBe(900);
    // Another user of the organization is not affected.
    expect((await login('bia', PASSWORDS.agents)).status).toBe(201);
    // Once the window has passed (on the injected clock), the right password works and clears the count.
    p.clock.advance(15 * MIN);
    expect((await login('ana', PASSWORDS.agents)).status).toBe(201);
    expect((await login('ana', 'wrong-again-1')).status).toBe(401);
  });

  it('refuses a parallel burst of guesses for one user after the limit, without checking the rest', async () => {
    p = await startTestPair();
    const anon = p.client();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        anon.request('POST', '/api/v1/sessions', {
          json: { organization: 'acme', username: 'caio', password: `guess-${i}` },
        }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
  });
});
