import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { pageSecurityHeaders } from './security-headers.ts';

const require = createRequire(import.meta.url);
const uiDir = dirname(require.resolve('swagger-ui-dist/package.json'));

/** Starts Swagger UI on the document the page names (a served file, so the page needs no inline script). */
const INIT_SCRIPT =
  "window.ui = SwaggerUIBundle({ url: document.getElementById('ui').dataset.spec, dom_id: '#ui' });\n";

const assets: Record<string, { type: string; body: () => string }> = {
  'swagger-ui.css': {
    type: 'text/css; charset=utf-8',
    body: () => readFileSync(join(uiDir, 'swagger-ui.css'), 'utf8'),
  },
  'swagger-ui-bundle.js': {
    type: 'text/javascript; charset=utf-8',
    body: () => readFileSync(join(uiDir, 'swagger-ui-bundle.js'), 'utf8'),
  },
  'init.js': { type: 'text/javascript; charset=utf-8', body: () => INIT_SCRIPT },
};

/**
 * The docs page's policy: scripts only from this server (no inline script, no eval), the document and "Try it out"
 * calls to this server only, never framed. Styles allow 'unsafe-inline' because Swagger UI sets style attributes in
 * the markup it renders; a style cannot run code.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** An API docs page for an OpenAPI document, with Swagger UI served from the package (works offline). */
export function docsPage(title: string, specUrl: string) {
  const app = new Hono();
  const cache = new Map<string, string>();
  app.get('/docs', (c) => {
    pageSecurityHeaders(c, DOCS_CSP);
    return c.html(html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui" data-spec="${specUrl}"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script></body></html>`);
  });
  app.get('/docs/assets/:name', (c) => {
    const name = c.req.param('name');
    const asset = Object.hasOwn(assets, name) ? assets[name] : undefined;
    if (!asset) return c.notFound();
    let body = cache.get(name);
    if (body === undefined) {
      body = asset.body();
      cache.set(name, body);
    }
    return c.body(body, 200, { 'content-type': asset.type, 'cache-control': 'public, max-age=86400' });
  });
  return app;
}
