import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { onlyForKnownRoutes } from './known-routes.ts';

/** A service like ours: an API router behind a token check, mounted under /api/v1. */
function service() {
  const api = new Hono();
  api.use(
    '*',
    onlyForKnownRoutes(api, '/api/v1', async (c, next) => {
      if (c.req.header('x-token') !== 'ok') throw new AppError('TOKEN_MISSING', 401, 'send the token');
      await next();
    }),
  );
  api.get('/calls', (c) => c.json([]));
  api.get('/calls/:id', (c) => c.json({ id: c.req.param('id') }));
  api.post('/calls/:id/hangup', (c) => c.json({ ok: true }));
  const app = new Hono();
  app.onError(errorHandler(createLogger('test', 'silent')));
  app.notFound(notFoundHandler);
  app.route('/api/v1', api);
  return app;
}

const call = async (method: string, path: string, token?: string) => {
  const res = await service().request(path, { method, headers: token ? { 'x-token': token } : {} });
  return { status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code };
};

describe('onlyForKnownRoutes', () => {
  it('an unknown path is 404 ROUTE_NOT_FOUND without a credential, not a 401 that suggests it exists', async () => {
    expect(await call('GET', '/api/v1/nothing')).toEqual({ status: 404, code: 'ROUTE_NOT_FOUND' });
    expect(await call('GET', '/api/v1/calls/1/nothing')).toEqual({ status: 404, code: 'ROUTE_NOT_FOUND' });
    expect(await call('DELETE', '/api/v1/calls')).toEqual({ status: 404, code: 'ROUTE_NOT_FOUND' });
  });

  it('a known route still needs the credential, with path parameters and HEAD too', async () => {
    expect(await call('GET', '/api/v1/calls')).toEqual({ status: 401, code: 'TOKEN_MISSING' });
    expect(await call('GET', '/api/v1/calls/c-1')).toEqual({ status: 401, code: 'TOKEN_MISSING' });
    expect(await call('POST', '/api/v1/calls/c-1/hangup')).toEqual({ status: 401, code: 'TOKEN_MISSING' });
    expect((await service().request('/api/v1/calls', { method: 'HEAD' })).status).toBe(401);
    expect(await call('GET', '/api/v1/calls/c-1', 'ok')).toEqual({ status: 200, code: undefined });
  });
});
