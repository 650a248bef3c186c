import type { Context, MiddlewareHandler } from 'hono';

/** 180 days: what Hono and most guides use; long enough to matter, short enough to undo a mistake. */
export const HSTS = 'max-age=15552000; includeSubDomains';

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
 * Every answer's own header: a JSON, CSV or event-stream answer is never sniffed into something a browser runs (with
 * `Cache-Control` and HSTS below). Set as the request comes in, so every answer built with the context (errors and
 * 404s included) carries it. Kept short on purpose: each header costs every answer (about 1–2 % of a cheap read's
 * throughput here), and what protects a rendered page (its CSP, framing) goes on pages only.
 */
const EVERY_ANSWER: ReadonlyArray<readonly [string, string]> = [['X-Content-Type-Options', 'nosniff']];

/**
 * What a page adds to its own CSP (what Hono's `secureHeaders` sets by default, frames denied): it matters where a
 * browser renders.
 */
const PAGE: ReadonlyArray<readonly [string, string]> = [
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'DENY'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
];

/** For a handler that answers an HTML page: the page's own CSP and the headers a rendered page needs. */
export function pageSecurityHeaders(c: Context, csp: string): void {
  c.header('Content-Security-Policy', csp);
  for (const [name, value] of PAGE) c.header(name, value);
}

/** The request's host name, without its port (from Host, or the URL for an in-process request). */
function hostName(c: Context): string {
  const host = c.req.header('host') ?? new URL(c.req.url).host;
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? '');
}

/**
 * The security headers of both services, on every answer (errors and 404s included): `X-Content-Type-Options:
 * nosniff`, HSTS (not on loopback host names), and `Cache-Control: no-store` on everything but the docs assets, so no
 * browser or proxy keeps a session token, a lead's CPF or a report. Pages add theirs (`pageSecurityHeaders`: a CSP,
 * `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`…).
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    for (const [name, value] of EVERY_ANSWER) c.header(name, value);
    if (!isLoopbackHost(hostName(c))) c.header('Strict-Transport-Security', HSTS);
    if (!CACHEABLE.test(c.req.path)) c.header('Cache-Control', 'no-store');
    await next();
  };
}
