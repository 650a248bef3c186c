import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'hono';

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

/** The host name of a Host header, without its port. */
function hostName(host: string): string {
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? '');
}

/**
 * The security headers of every answer of both services (errors and 404s included): `X-Content-Type-Options:
 * nosniff` (a JSON, CSV or event-stream answer is never sniffed into something a browser runs), HSTS (not on loopback
 * host names), and `Cache-Control: no-store` on everything but the docs assets, so no browser or proxy keeps a session
 * token, a lead's CPF or a report. Pages add theirs (`pageSecurityHeaders`: a CSP, `X-Frame-Options: DENY`,
 * `Referrer-Policy: no-referrer`…).
 *
 * Set on Node's response before the app answers (`serveHttps` does it), not through Hono: a header set through the
 * context turns every answer's plain header object into a `Headers` instance, which cost 5–15 % of a cheap request's
 * throughput here. What the app sets itself wins (the docs assets' own Cache-Control).
 */
export function setTransportSecurityHeaders(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (!isLoopbackHost(hostName(req.headers.host ?? ''))) res.setHeader('Strict-Transport-Security', HSTS);
  const path = req.url?.split('?', 1)[0] ?? '/';
  if (!CACHEABLE.test(path)) res.setHeader('Cache-Control', 'no-store');
}
