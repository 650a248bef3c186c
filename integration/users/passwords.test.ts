import { describe, expect, it } from 'vitest';
import { TEST_SCRYPT_COST } from '../../harness/config-testbed.ts';
import { DEFAULT_SCRYPT_COST, hashPassword, NO_PASSWORD, verifyPassword } from './passwords.ts';

describe('passwords', () => {
  it('hashes with a random salt and verifies only the right password', async () => {
    const a = await hashPassword('correct horse', TEST_SCRYPT_COST);
    const b = await hashPassword('correct horse', TEST_SCRYPT_COST);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horsE', a)).toBe(false);
    expect(await verifyPassword('anything', NO_PASSWORD)).toBe(false);
    expect(await verifyPassword('anything', 'scrypt$garbage')).toBe(false);
  });

  it('verifies off the event loop: other work runs while a password is checked', async () => {
    const stored = await hashPassword('correct horse', DEFAULT_SCRYPT_COST);
    // With a synchronous scrypt the check would be over (and the promise settled) before the event loop turns.
    const first = await Promise.race([
      verifyPassword('wrong horse', stored).then(() => 'verify'),
      new Promise<string>((resolve) => setImmediate(() => resolve('event loop'))),
    ]);
    expect(first).toBe('event loop');
  });

  it('hashes off the event loop too', async () => {
    const first = await Promise.race([
      hashPassword('correct horse', DEFAULT_SCRYPT_COST).then(() => 'hash'),
      new Promise<string>((resolve) => setImmediate(() => resolve('event loop'))),
    ]);
    expect(first).toBe('event loop');
  });
});
