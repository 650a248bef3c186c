import type { Env, Hono, MiddlewareHandler } from 'hono';
import { compileRouteMatcher } from './route-match.ts';

/**
 * Runs `guard` (an authentication middleware) only for requests some route of `app` answers, so a path no route
 * answers gets the service's 404 ROUTE_NOT_FOUND instead of a 401 that suggests it exists. `app` is the router the
 * guard is mounted on (its routes are read on the first request, once all are registered), `base` where it is
 * mounted.
 */
export function onlyForKnownRoutes<E extends Env>(
  app: Hono<E>,
  base: string,
  guard: MiddlewareHandler<E>,
  /** The service's own route lookup, when it has one (the dialer's contract table): asked instead of app.routes. */
  known?: (method: string, path: string) => unknown,
): MiddlewareHandler<E> {
  let routeOf = known;
  return async (c, next) => {
    routeOf ??= compileRouteMatcher(
      app.routes.filter((r) => r.method !== 'ALL').map((r) => ({ id: true as const, method: r.method, path: r.path })),
      base,
    );
    if (!routeOf(c.req.method, c.req.path)) return next();
    return guard(c, next);
  };
}
