import type { HttpBindings } from '@hono/node-server';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../core/errors.ts';
import { openApiApp } from '../../core/http/validation.ts';
import type { OrganizationRepository } from '../organizations/repository.ts';

/** What every dialer route sees: Node's request bindings and the organization the dialer key belongs to. */
export type DialerEnv = { Bindings: HttpBindings; Variables: { orgId: string } };

export const dialerRouter = () => openApiApp<DialerEnv>();

/** The dialer key, from `X-Dialer-Key` or `Authorization: Bearer`, names the organization of every request. */
export function dialerKeyAuth(orgs: OrganizationRepository): MiddlewareHandler<DialerEnv> {
  return async (c, next) => {
    const bearer = c.req.header('authorization')?.match(/^Bearer\s+(.+)$/i)?.[1];
    const key = c.req.header('x-dialer-key') ?? bearer;
    if (!key)
      throw new AppError('DIALER_KEY_MISSING', 401, 'send the organization’s dialer key in the X-Dialer-Key header');
    const orgId = orgs.authenticate(key.trim());
    if (!orgId) throw new AppError('DIALER_KEY_INVALID', 401, 'this dialer key belongs to no organization');
    c.set('orgId', orgId);
    await next();
  };
}
