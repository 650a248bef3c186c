import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Omni login passwords: scrypt with a random 16-byte salt, stored as `scrypt$N$r$p$salt$hash` (Base64), so the cost
 * can change later without breaking stored hashes. Hashing and verifying run on libuv's thread pool (`crypto.scrypt`),
 * never on the event loop: a burst of logins must not stall every other request. Dialer passwords are different: Omni
 * must send them to the dialer, so they are sealed (core/secrets.ts), not hashed.
 */
export const DEFAULT_SCRYPT_COST = 16_384;
const KEY_LENGTH = 32;
const R = 8;
const P = 1;

/** Stored for a user without a password (imported without one): no password ever matches it. */
export const NO_PASSWORD = '!';

const derive = (password: string, salt: Buffer, length: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, length, options, (err, key) => (err ? reject(err) : resolve(key))),
  );

export async function hashPassword(password: string, cost = DEFAULT_SCRYPT_COST): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, KEY_LENGTH, { N: cost, r: R, p: P });
  return `scrypt$${cost}$${R}$${P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** True when `password` is the one `stored` was made from; false for NO_PASSWORD and anything unreadable. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (!Number.isInteger(N) || !Number.isInteger(r) || !Number.isInteger(p) || expected.length === 0) return false;
  const actual = await derive(password, salt, expected.length, { N, r, p, maxmem: 256 * N * r + 1024 });
  return timingSafeEqual(actual, expected);
}

/** A hash to verify against when the user does not exist, so that timing does not tell which usernames exist. */
export function dummyHash(cost = DEFAULT_SCRYPT_COST): Promise<string> {
  return hashPassword(randomBytes(12).toString('base64'), cost);
}
