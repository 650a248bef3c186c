import { z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defineRoute, json } from '../core/http/openapi.ts';
import { serviceApp } from '../core/http/service-app.ts';
import { createLogger } from '../core/log.ts';
import { createFaultInjector } from '../simulator/faults/index.ts';
import { contractCheckMode, installContractCheck, type RecordedViolation } from './contract-check.ts';
import { startTestServer, type TestServer } from './test-server.ts';

const Thing = z.object({ id: z.string(), size: z.number().int() }).openapi('Thing');

/** What the route answers next (each test sets it). */
let answer: { status: number; body: unknown };
const seen: RecordedViolation[] = [];
const injector = createFaultInjector({ random: () => 0 });
let server: TestServer;

/** A service as both sides build theirs: serviceApp, a documented route, one route left out of the document. */
function thingService() {
  const app = serviceApp({
    log: createLogger('contract-check-test', 'silent'),
    name: 'things',
    title: 'Things',
    description: 'a service for the contract check’s own tests',
    security: { key: { type: 'apiKey', in: 'header', name: 'X-Key' } },
    defaultSecurity: ['key'],
  });
  app.use('/things/*', injector.middleware);
  app.openapi(
    defineRoute(
      {
        method: 'get',
        path: '/things/{id}',
        operationId: 'getThing',
        tags: ['Things'],
        summary: 'One thing',
        request: { params: z.object({ id: z.string() }) },
        responses: { 200: json(Thing, 'the thing') },
      },
      { auth: false, errors: [404] },
    ),
    (c) => c.json(answer.body as never, answer.status as 200),
  );
  app.get('/things-feed', (c) => streamSSE(c, (s) => s.writeSSE({ data: 'x' })));
  app.get('/undocumented', (c) => c.json({ hello: true }));
  installContractCheck(app, { service: 'things', onViolation: (v) => seen.push(v), mode: 'enforce' });
  return app;
}

beforeAll(async () => {
  server = await startTestServer(thingService().fetch);
});
afterAll(() => server.close());
beforeEach(() => {
  seen.length = 0;
  injector.clear();
});

const get = (path: string) => fetch(`${server.url}${path}`);

describe('the contract check', () => {
  it('lets a documented status with a matching body through, unchanged', async () => {
    answer = { status: 200, body: { id: 'a', size: 3 } };
    const res = await get('/things/a');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ id: 'a', size: 3 });
    expect(seen).toEqual([]);
  });

  it('catches a status the document does not list, naming the ones it does', async () => {
    answer = { status: 409, body: { error: { code: 'CONFLICT', message: 'no' } } };
    const res = await get('/things/a');
    expect(res.status).toBe(409);
    expect(seen).toEqual([
      expect.objectContaining({
        service: 'things',
        method: 'GET',
        path: '/things/a',
        route: '/things/{id}',
        status: 409,
        problem: 'status 409 is not documented for this operation (documented: 200, 404, 422)',
      }),
    ]);
  });

  it('catches a body that breaks the schema of its status, with the schema’s errors', async () => {
    answer = { status: 200, body: { id: 7, size: 1.5 } };
    await get('/things/a');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.problem).toBe('the body does not match the schema of status 200');
    expect(seen[0]?.errors).toEqual(['/id must be string', '/size must be integer']);
    expect(seen[0]?.body).toBe('{"id":7,"size":1.5}');
  });

  it('catches an error answered without the shared error body', async () => {
    answer = { status: 404, body: { message: 'not here' } };
    await get('/things/a');
    expect(seen[0]?.problem).toBe('the body does not match the schema of status 404');
    expect(seen[0]?.errors).toContain("(root) must have required property 'error'");
  });

  it('accepts 404 ROUTE_NOT_FOUND for a route outside the document, and nothing else there', async () => {
    expect((await get('/nowhere')).status).toBe(404);
    expect(seen).toEqual([]);
    expect((await get('/undocumented')).status).toBe(200);
    expect(seen.map((v) => v.problem)).toEqual([
      'no documented operation matches GET /undocumented, yet it answered 200 (a route outside the document must answer 404 ROUTE_NOT_FOUND)',
    ]);
  });

  it('exempts the answer of an injected fault from the status check (it is the test’s doing)', async () => {
    answer = { status: 418, body: { error: { code: 'TEAPOT', message: 'the service’s own 418' } } };
    await get('/things/a');
    expect(seen.map((v) => v.status)).toEqual([418]);
    injector.add({ match: { path: '/things/*' }, fault: { kind: 'error', status: 418 } });
    const res = await get('/things/a');
    expect(res.status).toBe(418);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('INJECTED_FAULT');
    expect(seen).toHaveLength(1);
  });

  it('does not read an event stream, and still checks its route', async () => {
    const res = await get('/things-feed');
    expect(await res.text()).toContain('data: x');
    expect(seen.map((v) => v.problem)).toEqual([
      'no documented operation matches GET /things-feed, yet it answered 200 (a route outside the document must answer 404 ROUTE_NOT_FOUND)',
    ]);
    expect(seen[0]?.body).toBeUndefined();
  });

  it('leaves the document and its docs page out of the check', async () => {
    expect((await get('/openapi.json')).status).toBe(200);
    expect((await get('/docs')).status).toBe(200);
    expect(seen).toEqual([]);
  });
});

describe('DS_HARNESS_CONTRACT_CHECK', () => {
  it('enforces under vitest and is off elsewhere by default', () => {
    expect(contractCheckMode({ VITEST: 'true' })).toBe('enforce');
    expect(contractCheckMode({})).toBe('off');
    expect(contractCheckMode({ DS_HARNESS_CONTRACT_CHECK: 'report' })).toBe('report');
  });

  it('refuses an unknown mode, naming the valid ones', () => {
    expect(() => contractCheckMode({ DS_HARNESS_CONTRACT_CHECK: 'strict' })).toThrow(
      'DS_HARNESS_CONTRACT_CHECK=strict is not a mode; use one of enforce, report, off',
    );
  });
});
