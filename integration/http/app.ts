import type { HttpBindings } from '@hono/node-server';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../core/errors.ts';
import { openApiApp } from '../../core/http/validation.ts';

export type Role = 'agent' | 'supervisor' | 'admin';

/** Who is calling: set by the session middleware from the bearer token. */
export type SessionInfo = { userId: string; orgId: string; role: Role; token: string };

export type IntegrationEnv = { Bindings: HttpBindings; Variables: { session: SessionInfo } };

export const integrationRouter = () => openApiApp<IntegrationEnv>();

/** Refuses with 403 FORBIDDEN_ROLE unless the session has one of the roles. */
export function requireRole(...roles: Role[]): MiddlewareHandler<IntegrationEnv> {
  return async (c, next) => {
    const s = c.var.session;
    if (!s)
      throw new AppError(
        'UNAUTHENTICATED',
        401,
        'log in first: POST /api/v1/sessions, then send Authorization: Bearer <token>',
      );
    if (!roles.includes(s.role))
      throw new AppError('FORBIDDEN_ROLE', 403, `this action needs the role ${roles.join(' or ')}; you are ${s.role}`, {
        required: roles,
        role: s.role,
      });
    await next();
  };
}

/** Refuses with 403 FORBIDDEN_ORGANIZATION when the session belongs to another organization. */
export function assertOwnOrganization(session: SessionInfo, orgId: string): void {
  if (session.orgId !== orgId)
    throw new AppError('FORBIDDEN_ORGANIZATION', 403, 'you can act only within your own organization', { orgId });
}
