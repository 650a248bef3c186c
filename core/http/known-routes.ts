import type { Env, Hono, MiddlewareHandler } from 'hono';

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regular expression for a Hono route path (`/calls/:id`, `*` wildcards) under `base`. */
function honoPathRegex(base: string, path: string): RegExp {
  const full = `${base}${path === '/' ? '' : path}` || '/';
  const pattern = full
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : escapeRegex(seg)))
    .join('/');
  return new RegExp(`^${pattern}/?$`);
}

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
): MiddlewareHandler<E> {
  let known: Array<{ method: string; re: RegExp }> | undefined;
  return async (c, next) => {
    known ??= app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => ({ method: r.method.toUpperCase(), re: honoPathRegex(base, r.path) }));
    const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
    const path = c.req.path;
    if (!known.some((r) => r.method === method && r.re.test(path))) return next();
    return guard(c, next);
  };
}
