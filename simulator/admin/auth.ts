import { createHash, timingSafeEqual } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../core/errors.ts';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * The control API answers only on loopback (unless `allowRemote`) and only with the admin token
 * (`Authorization: Bearer …` or `X-Admin-Token`).
 */
export function adminAuth(token: string, opts: { allowRemote?: boolean } = {}): MiddlewareHandler {
  const expected = digest(token);
  return async (c, next) => {
    if (!opts.allowRemote) {
      let address: string | undefined;
      try {
        address = getConnInfo(c).remote.address;
      } catch {
        address = undefined; // not served by node (in-process app.request): no remote peer
      }
      if (address !== undefined && !LOOPBACK.test(address))
        throw new AppError(
          'ADMIN_LOOPBACK_ONLY',
          403,
          'the control API answers only on loopback (start with --admin-remote to allow others)',
        );
    }
    const given = c.req.header('x-admin-token') ?? c.req.header('authorization')?.match(/^Bearer\s+(.+)$/i)?.[1];
    if (!given)
      throw new AppError(
        'ADMIN_TOKEN_MISSING',
        401,
        'send the admin token (printed at start) as Authorization: Bearer <token>',
      );
    if (!timingSafeEqual(digest(given.trim()), expected))
      throw new AppError(
        'ADMIN_TOKEN_INVALID',
        401,
        'wrong admin token; it is printed at start and kept in the data folder',
      );
    await next();
  };
}
