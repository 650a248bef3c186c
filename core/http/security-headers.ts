import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/** 180 days: what Hono and most guides use; long enough to matter, short enough to undo a mistake. */
export const HSTS = 'max-age=15552000; includeSubDomains';

/**
 * The policy of every answer that is not a page: JSON, CSV and event streams load nothing and are never framed. A
 * page (the docs) sets its own policy, which this one does not overwrite.
 */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Paths whose answers a browser may keep (the docs page's scripts and styles); everything else is `no-store`. */
const CACHEABLE = /^\/docs\/assets\//;

/**
 * Loopback names: a browser keeps HSTS per host name, for every port, so HSTS from https://localhost:8443 would force
 * every other local dev server (http://localhost:3000) onto HTTPS in browsers that honour it there (Safari). Traffic to
 * loopback never crosses a network, so HSTS protects nothing there; IP literals are ignored by browsers anyway.
 */
const isLoopbackHost = (host: string) =>
  host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]';

/**
 * The security headers of both services, on every answer (errors and 404s included): `X-Content-Type-Options:
 * nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`, a strict CSP unless a page sets its own, HSTS
 * (not on loopback host names), and `Cache-Control: no-store` on everything but the docs assets, so no browser or
 * proxy keeps a session token, a lead's CPF or a report.
 */
export function securityHeaders(): MiddlewareHandler {
  const common = secureHeaders({
    strictTransportSecurity: false, // set below, by host
    xFrameOptions: 'DENY',
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
    },
    // A handler that sets one of these (the docs page its CSP) knows better.
    overwrite: false,
  });
  return async (c, next) => {
    await common(c, next);
    const url = new URL(c.req.url);
    if (!isLoopbackHost(url.hostname)) c.res.headers.set('Strict-Transport-Security', HSTS);
    if (!CACHEABLE.test(url.pathname)) c.res.headers.set('Cache-Control', 'no-store');
  };
}
