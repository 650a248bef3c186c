import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dialerRouteOf } from '../../contract/dialer/routes/index.ts';
import { AppError } from '../../core/errors.ts';
import { seededRandom } from '../../core/random.ts';
import { startTestServer, type TestServer } from '../../harness/test-server.ts';
import {
  createFaultInjector,
  type FaultInjector,
  type FaultRule,
  faultAdminRoutes,
  MAX_LATENCY_MS,
  sampleLatencyMs,
} from './index.ts';

type ErrorJson = { error: { code: string; message: string; details: { issues: Array<{ path: string }> } } };
const jsonOf = async <T>(res: Response) => (await res.json()) as T;

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

function buildApp(injector: FaultInjector) {
  const app = new Hono();
  app.use('/api/*', injector.middleware);
  // An event stream as the simulator's SSE route uses it: ask once when the stream opens.
  app.get('/api/v1/events', (c) => {
    const drop = injector.takeStreamDrop(c.req.method, c.req.path);
    return streamSSE(c, async (s) => {
      for (let i = 1; i <= 5; i++) {
        if (drop && i > drop.afterEvents) return;
        await s.writeSSE({ id: String(i), event: 'tick', data: `e${i}` });
      }
    });
  });
  app.all('/api/*', (c) => c.json({ ok: true, method: c.req.method, path: c.req.path }));
  app.route('/__admin', faultAdminRoutes(injector));
  return app;
}

let injector: FaultInjector;
let server: TestServer;
// The random the injector sees; tests swap the source behind it.
let source: () => number = Math.random;

beforeAll(async () => {
  injector = createFaultInjector({ random: () => source(), now: () => T0 });
  server = await startTestServer(buildApp(injector).fetch);
});
afterAll(() => server.close());
beforeEach(() => {
  injector.clear();
  source = seededRandom('faults-test');
});

const call = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);
const admin = (path: string, method = 'GET', body?: unknown) =>
  call(`/__admin${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });

describe('latency', () => {
  it('delays a matching request by at least the fixed ms, in real time', async () => {
    injector.add({
      match: { path: '/api/v1/calls' },
      fault: { kind: 'latency', distribution: { type: 'fixed', ms: 150 } },
    });
    const started = performance.now();
    const res = await call('/api/v1/calls');
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
    // Node's timers may fire up to ~1 ms early against performance.now().
    expect(elapsed).toBeGreaterThanOrEqual(148);
  });

  it('samples uniform and lognormal distributions, capped', () => {
    const r = seededRandom('latency');
    for (let i = 0; i < 200; i++) {
      const ms = sampleLatencyMs({ type: 'uniform', minMs: 10, maxMs: 20 }, r);
      expect(ms).toBeGreaterThanOrEqual(10);
      expect(ms).toBeLessThanOrEqual(20);
    }
    const samples = Array.from({ length: 2001 }, () =>
      sampleLatencyMs({ type: 'lognormal', medianMs: 100, sigma: 0.5 }, r),
    );
    samples.sort((a, b) => a - b);
    expect(samples[1000]).toBeGreaterThan(90);
    expect(samples[1000]).toBeLessThan(110);
    expect(sampleLatencyMs({ type: 'lognormal', medianMs: MAX_LATENCY_MS, sigma: 5 }, () => 0.999)).toBe(
      MAX_LATENCY_MS,
    );
    expect(sampleLatencyMs({ type: 'fixed', ms: 0 }, r)).toBe(0);
  });
});

describe('error', () => {
  it('answers the status with the shared error body naming the rule', async () => {
    const rule = injector.add({ match: { path: '/api/v1/calls' }, fault: { kind: 'error', status: 503 } });
    const res = await call('/api/v1/calls');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({
      error: { code: 'INJECTED_FAULT', message: 'injected fault: HTTP 503', details: { ruleId: rule.id } },
    });
  });

  it('uses the given code and message', async () => {
    injector.add({
      match: { path: '/api/v1/agents/login' },
      fault: { kind: 'error', status: 429, code: 'RATE_LIMITED', message: 'slow down' },
    });
    const res = await call('/api/v1/agents/login', { method: 'POST' });
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ error: { code: 'RATE_LIMITED', message: 'slow down' } });
  });

  it('times: 2 applies to exactly the next two matching requests, then the rule is gone', async () => {
    injector.add({ match: { path: '/api/v1/calls' }, fault: { kind: 'error', status: 500 }, times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call('/api/v1/calls')).status);
    expect(statuses).toEqual([500, 500, 200, 200]);
    expect(injector.list()).toEqual([]);
  });

  it('times counts only requests the fault was applied to', async () => {
    const seq = [0.9, 0.1, 0.9, 0.1, 0.1];
    source = () => seq.shift() ?? 0;
    injector.add({
      match: { path: '/api/v1/calls' },
      fault: { kind: 'error', status: 500 },
      probability: 0.5,
      times: 2,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await call('/api/v1/calls')).status);
    expect(statuses).toEqual([200, 500, 200, 500, 200]);
  });
});

describe('probability', () => {
  it('0 never applies, 1 always does', async () => {
    const never = injector.add({ match: { path: '/api/v1/a' }, fault: { kind: 'error', status: 500 }, probability: 0 });
    injector.add({ match: { path: '/api/v1/b' }, fault: { kind: 'error', status: 502 }, probability: 1 });
    for (let i = 0; i < 20; i++) {
      expect((await call('/api/v1/a')).status).toBe(200);
      expect((await call('/api/v1/b')).status).toBe(502);
    }
    expect(injector.list().find((r) => r.id === never.id)?.applied).toBe(0);
  });

  it('0.3 applies to about 30% of 1000 requests with a seeded random', async () => {
    injector.add({ match: { path: '/api/v1/calls' }, fault: { kind: 'error', status: 503 }, probability: 0.3 });
    let hits = 0;
    for (let batch = 0; batch < 20; batch++) {
      const statuses = await Promise.all(
        Array.from({ length: 50 }, () =>
          call('/api/v1/calls').then(async (r) => {
            await r.arrayBuffer();
            return r.status;
          }),
        ),
      );
      hits += statuses.filter((s) => s === 503).length;
    }
    expect(hits).toBeGreaterThan(250);
    expect(hits).toBeLessThan(350);
    expect(injector.list()[0]?.applied).toBe(hits);
  });
});

describe('reset', () => {
  it('destroys the connection: fetch rejects, and the server keeps serving', async () => {
    injector.add({ match: { method: 'POST', path: '/api/v1/calls' }, fault: { kind: 'reset' }, times: 1 });
    const err = await call('/api/v1/calls', { method: 'POST' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TypeError);
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    expect(`${cause?.code} ${cause?.message}`).toMatch(/ECONNRESET|UND_ERR_SOCKET|other side closed|hang up/i);
    expect((await call('/api/v1/calls', { method: 'POST' })).status).toBe(200);
  });

  it('answers 502 INJECTED_RESET when there is no socket (in-process app.request)', async () => {
    const inj = createFaultInjector({ random: Math.random });
    const rule = inj.add({ match: { path: '/api/*' }, fault: { kind: 'reset' } });
    const res = await buildApp(inj).request('/api/v1/calls');
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: { code: 'INJECTED_RESET', details: { ruleId: rule.id } } });
  });
});

describe('matching', () => {
  it('matches method and path patterns', async () => {
    injector.add({
      match: { method: 'post', path: '/api/v1/calls/*/disposition' },
      fault: { kind: 'error', status: 409, code: 'DISPOSITION_FAULT' },
    });
    injector.add({ match: { path: '/api/v2/*' }, fault: { kind: 'error', status: 503 } });
    expect((await call('/api/v1/calls/c-1/disposition', { method: 'POST' })).status).toBe(409);
    expect((await call('/api/v1/calls/c-2/disposition', { method: 'POST' })).status).toBe(409);
    expect((await call('/api/v1/calls/c-1/disposition', { method: 'GET' })).status).toBe(200);
    expect((await call('/api/v1/calls/c-1/hangup', { method: 'POST' })).status).toBe(200);
    expect((await call('/api/v1/calls/c-1/disposition?x=1', { method: 'POST' })).status).toBe(409);
    expect((await call('/api/v2/anything/below', { method: 'DELETE' })).status).toBe(503);
    expect((await call('/api/v2')).status).toBe(503);
    expect((await call('/api/v20')).status).toBe(200);
    expect(injector.list()[0]?.match.method).toBe('POST');
  });

  it('the first rule added wins when several match', async () => {
    const first = injector.add({ match: { path: '/api/v1/*' }, fault: { kind: 'error', status: 503 } });
    injector.add({ match: { path: '/api/v1/calls' }, fault: { kind: 'error', status: 500 } });
    expect((await call('/api/v1/calls')).status).toBe(503);
    injector.remove(first.id);
    expect((await call('/api/v1/calls')).status).toBe(500);
  });
});

describe('drop_stream', () => {
  const events = async () => (await (await call('/api/v1/events')).text()).match(/^event: tick$/gm)?.length ?? 0;

  it('is handed to the stream route, which closes after N events; the middleware ignores it', async () => {
    const rule = injector.add({
      match: { method: 'GET', path: '/api/v1/events' },
      fault: { kind: 'drop_stream', afterEvents: 2 },
      times: 1,
    });
    injector.add({ match: { path: '/api/v1/other' }, fault: { kind: 'drop_stream', afterEvents: 0 } });
    expect((await call('/api/v1/other')).status).toBe(200);
    expect(await events()).toBe(2);
    expect(await events()).toBe(5);
    expect(injector.list().map((r) => r.id)).not.toContain(rule.id);
  });

  it('takeStreamDrop answers the rule id and afterEvents, only for matching streams', () => {
    const rule = injector.add({ match: { path: '/api/v1/events' }, fault: { kind: 'drop_stream', afterEvents: 0 } });
    expect(injector.takeStreamDrop('GET', '/api/v1/calls')).toBeUndefined();
    expect(injector.takeStreamDrop('get', '/api/v1/events')).toEqual({ afterEvents: 0, ruleId: rule.id });
  });
});

describe('injector API', () => {
  it('add() validates and fills defaults; remove() and clear() report what they did', () => {
    const rule = injector.add({ match: { path: '/x' }, fault: { kind: 'reset' } });
    expect(rule).toMatchObject({
      match: { method: '*', path: '/x' },
      probability: 1,
      applied: 0,
      createdAt: '2026-01-05T12:00:00.000Z',
    });
    expect(rule.times).toBeUndefined();
    expect(() => injector.add({ match: { path: 'x*' }, fault: { kind: 'reset' } })).toThrow(AppError);
    try {
      injector.add({ match: { path: '/x' }, fault: { kind: 'error', status: 302 } });
    } catch (e) {
      expect((e as AppError).toBody().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{}] } });
    }
    expect(injector.remove('nope')).toBe(false);
    expect(injector.remove(rule.id)).toBe(true);
    injector.add({ match: { path: '/x' }, fault: { kind: 'reset' } });
    injector.add({ match: { path: '/y' }, fault: { kind: 'reset' } });
    expect(injector.clear()).toBe(2);
    expect(injector.list()).toEqual([]);
  });

  it('list() returns copies', () => {
    injector.add({ match: { path: '/x' }, fault: { kind: 'error', status: 500 } });
    const [copy] = injector.list();
    copy!.match.path = '/changed';
    expect(injector.list()[0]?.match.path).toBe('/x');
  });
});

describe('admin routes', () => {
  it('adds, lists, removes and clears rules', async () => {
    expect(await (await admin('/faults')).json()).toEqual({ faults: [] });

    const created = await admin('/faults', 'POST', {
      match: { method: 'GET', path: '/api/v1/calls' },
      fault: { kind: 'latency', distribution: { type: 'uniform', minMs: 1, maxMs: 2 } },
      probability: 0.5,
      times: 3,
    });
    expect(created.status).toBe(201);
    const rule = await jsonOf<FaultRule>(created);
    expect(rule).toEqual({
      id: expect.any(String),
      match: { method: 'GET', path: '/api/v1/calls' },
      fault: { kind: 'latency', distribution: { type: 'uniform', minMs: 1, maxMs: 2 } },
      probability: 0.5,
      times: 3,
      applied: 0,
      createdAt: '2026-01-05T12:00:00.000Z',
    });
    const second = await jsonOf<FaultRule>(
      await admin('/faults', 'POST', { match: { path: '/a/*' }, fault: { kind: 'reset' } }),
    );
    expect(second.match.method).toBe('*');

    const listed = await jsonOf<{ faults: FaultRule[] }>(await admin('/faults'));
    expect(listed.faults.map((r) => r.id)).toEqual([rule.id, second.id]);

    const removed = await admin(`/faults/${rule.id}`, 'DELETE');
    expect(removed.status).toBe(204);
    const again = await admin(`/faults/${rule.id}`, 'DELETE');
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual({
      error: { code: 'FAULT_NOT_FOUND', message: `fault '${rule.id}' does not exist`, details: { fault: rule.id } },
    });

    const cleared = await admin('/faults', 'DELETE');
    expect(cleared.status).toBe(200);
    expect(await cleared.json()).toEqual({ removed: 1 });
    expect(injector.list()).toEqual([]);
  });

  it.each([
    ['a status outside 400-599', { match: { path: '/x' }, fault: { kind: 'error', status: 200 } }, 'body.fault.status'],
    ['a partial-segment wildcard', { match: { path: '/x*' }, fault: { kind: 'reset' } }, 'body.match.path'],
    ['an unknown kind', { match: { path: '/x' }, fault: { kind: 'explode' } }, 'body.fault.kind'],
    ['probability above 1', { match: { path: '/x' }, fault: { kind: 'reset' }, probability: 1.5 }, 'body.probability'],
    ['times 0', { match: { path: '/x' }, fault: { kind: 'reset' }, times: 0 }, 'body.times'],
    [
      'negative afterEvents',
      { match: { path: '/x' }, fault: { kind: 'drop_stream', afterEvents: -1 } },
      'body.fault.afterEvents',
    ],
    [
      'uniform min above max',
      { match: { path: '/x' }, fault: { kind: 'latency', distribution: { type: 'uniform', minMs: 5, maxMs: 1 } } },
      'body.fault.distribution.maxMs',
    ],
    ['an unknown field', { match: { path: '/x' }, fault: { kind: 'reset' }, probabilty: 0.5 }, 'body'],
    ['a missing match', { fault: { kind: 'reset' } }, 'body.match'],
  ])('rejects %s with 422 VALIDATION_FAILED', async (_, body, issuePath) => {
    const res = await admin('/faults', 'POST', body);
    expect(res.status).toBe(422);
    const json = await jsonOf<ErrorJson>(res);
    expect(json.error.code).toBe('VALIDATION_FAILED');
    expect(json.error.message).toEqual(expect.any(String));
    expect(json.error.details.issues.map((i) => i.path)).toContain(issuePath);
    expect(injector.list()).toEqual([]);
  });

  it('leaves a non-JSON body to the app: 415 / 400 HTTPExceptions from the validator, no rule added', async () => {
    const wrongType = await call('/__admin/faults', {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'text/plain' },
    });
    expect(wrongType.status).toBe(415);
    const malformed = await call('/__admin/faults', {
      method: 'POST',
      body: '{',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(injector.list()).toEqual([]);
  });
});

describe('rules by route id', () => {
  it('a rule can name a dialer route instead of a path: it applies whatever the path parameters', async () => {
    const byRoute = createFaultInjector({ random: () => 0.5, now: () => T0, routeOf: dialerRouteOf });
    const s = await startTestServer(buildApp(byRoute).fetch);
    try {
      const rule = byRoute.add({ match: { route: 'calls.disposition' }, fault: { kind: 'error', status: 503 } });
      expect(rule.match).toEqual({ method: '*', route: 'calls.disposition' });
      const status = async (method: string, path: string) => (await fetch(`${s.url}${path}`, { method })).status;
      expect(await status('POST', '/api/v1/calls/c-1/disposition')).toBe(503);
      expect(await status('POST', '/api/v1/calls/c-2/disposition')).toBe(503);
      expect(await status('POST', '/api/v1/calls/c-1/hangup')).toBe(200);
      expect(await status('GET', '/api/v1/calls/c-1/disposition')).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('refuses a rule naming both or neither, and an unknown route id, with 422', async () => {
    for (const match of [{ path: '/a', route: 'calls.get' }, {}, { route: 'calls.nope' }]) {
      const res = await admin('/faults', 'POST', { match, fault: { kind: 'reset' } });
      expect(res.status, JSON.stringify(match)).toBe(422);
      expect((await jsonOf<ErrorJson>(res)).error.code).toBe('VALIDATION_FAILED');
    }
  });
});
