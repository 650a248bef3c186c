import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { type Listening, serveHttps } from '../serve.ts';
import { DOCS_CSP } from './docs.ts';
import { HSTS } from './security-headers.ts';
import { serviceApp } from './service-app.ts';

/** A service root as both services build theirs, with a data route, a login route and one that fails. */
function service() {
  const app = serviceApp({
    log: createLogger('headers-test', 'silent'),
    name: 'test',
    title: 'Test',
    description: 'test',
    security: { key: { type: 'apiKey', in: 'header', name: 'X-Key' } },
    defaultSecurity: ['key'],
  });
  app.get('/api/v1/leads', (c) => c.json([{ cpf: '52998224725' }]));
  app.post('/api/v1/sessions', (c) => c.json({ token: 'omni_x' }, 201));
  app.get('/api/v1/boom', () => {
    throw new AppError('LEAD_NOT_FOUND', 404, 'no such lead');
  });
  app.get('/__admin/clock', (c) => c.json({ now: 0 }));
  return app;
}

const app = service();
let server: Listening;
beforeAll(async () => {
  const cert = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'rsa', keySize: 2048 });
  server = await serveHttps(app.fetch, { port: 0, host: '127.0.0.1', tls: { key: cert.private, cert: cert.cert } });
});
afterAll(() => server.close());

type Answer = { status: number; headers: IncomingMessage['headers']; text: string };

/**
 * A request over real HTTPS (the headers are the transport's), as a browser would send it to `host` (HSTS is not
 * sent to loopback names).
 */
function get(path: string, init: { method?: string; host?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) =>
    httpsRequest(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method: init.method ?? 'GET',
        headers: { host: init.host ?? 'dialer.example.com' },
        rejectUnauthorized: false, // the point here is the headers, not the certificate
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    )
      .once('error', reject)
      .end(),
  );
}

const expectBaseline = (res: Answer) => {
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['strict-transport-security']).toBe(HSTS);
};

describe('security headers', () => {
  it('an API answer: nosniff, HSTS and no-store (a page’s headers only on pages)', async () => {
    const res = await get('/api/v1/leads');
    expect(res.status).toBe(200);
    expectBaseline(res);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toBeUndefined();
  });

  it('a login answer, an error, an unknown route and the control API are not cached either', async () => {
    for (const res of [
      await get('/api/v1/sessions', { method: 'POST' }),
      await get('/api/v1/boom'),
      await get('/api/v1/nothing-here'),
      await get('/__admin/clock'),
    ]) {
      expectBaseline(res);
      expect(res.headers['cache-control'], String(res.status)).toBe('no-store');
    }
    expect((await get('/api/v1/boom')).status).toBe(404);
  });

  it('the docs page has a CSP Swagger UI works under: no inline script, its files from this server', async () => {
    const res = await get('/docs');
    expectBaseline(res);
    expect(res.headers['content-security-policy']).toBe(DOCS_CSP);
    // A rendered page gets the page headers too; API answers do not need them (and each header costs every answer).
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect((await get('/api/v1/leads')).headers['x-frame-options']).toBeUndefined();
    expect(DOCS_CSP).toContain("script-src 'self'");
    expect(DOCS_CSP).not.toMatch(/script-src[^;]*(unsafe-inline|unsafe-eval)/);
    const page = res.text;
    // every <script> loads a file (no inline code the policy would block)
    const scripts = [...page.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => m[1]?.match(/src="([^"]+)"/)?.[1])).toEqual([
      '/docs/assets/swagger-ui-bundle.js',
      '/docs/assets/init.js',
    ]);
    expect(scripts.every((m) => m[2] === '')).toBe(true);
    expect(page).toContain('data-spec="/openapi.json"');
    const init = await get('/docs/assets/init.js');
    expect(init.text).toContain("SwaggerUIBundle({ url: document.getElementById('ui').dataset.spec");
  });

  it('the docs assets may be cached', async () => {
    for (const name of ['swagger-ui.css', 'swagger-ui-bundle.js', 'init.js']) {
      const res = await get(`/docs/assets/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers['cache-control'], name).toBe('public, max-age=86400');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    expect((await get('/docs/assets/constructor')).status).toBe(404);
  });

  it('sends no HSTS to a loopback name, which would force every local dev server onto HTTPS', async () => {
    for (const host of ['localhost:8443', '127.0.0.1:8443', '[::1]:8443', 'localhost']) {
      const res = await get('/api/v1/leads', { host });
      expect(res.headers['strict-transport-security'], host).toBeUndefined();
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });
});
