import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dialerRouteOf } from '../../contract/dialer/routes/index.ts';
import { startTestServer, type TestServer } from '../../harness/test-server.ts';
import { createFaultInjector, RESET_STATUS } from '../faults/index.ts';
import {
  BODY_LIMIT_BYTES,
  createJournal,
  type Journal,
  type JournalEntry,
  type JournalEnv,
  journalAdminRoutes,
  redactJsonSecrets,
  type VerifyResult,
} from './index.ts';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
let t = T0;

type ErrorJson = { error: { code: string; message: string; details: { issues: Array<{ path: string }> } } };
type Page = { requests: JournalEntry[]; dropped: number; lastSeq: number };
const jsonOf = async <T>(res: Response) => (await res.json()) as T;

function buildApp(journal: Journal) {
  const app = new Hono<JournalEnv>();
  app.use('/api/*', journal.middleware);
  // Stands in for authentication, which runs inside the journal and names the organization.
  app.use('/api/*', async (c, next) => {
    const org = c.req.header('x-test-org');
    if (org) c.set('orgId', org);
    await next();
  });
  app.post('/api/v1/echo', async (c) => {
    const text = await c.req.text();
    return c.json({ bytes: Buffer.byteLength(text) }, 201);
  });
  app.get('/api/v1/boom', () => {
    throw new Error('boom');
  });
  app.all('/api/*', (c) => c.json({ ok: true }, (Number(c.req.query('status')) || 200) as 200));
  app.route('/__admin', journalAdminRoutes(journal));
  app.onError((err, c) => c.json({ error: { code: 'INTERNAL', message: err.message } }, 500));
  return app;
}

let journal: Journal;
let server: TestServer;

beforeAll(async () => {
  journal = createJournal({ now: () => t });
  server = await startTestServer(buildApp(journal).fetch);
});
afterAll(() => server.close());
beforeEach(() => {
  journal.clear();
  t = T0;
});

const call = async (path: string, init?: RequestInit) => {
  const res = await fetch(`${server.url}${path}`, init);
  await res.arrayBuffer();
  return res;
};
const post = (path: string, body: string, contentType: string, headers: Record<string, string> = {}) =>
  call(path, { method: 'POST', body, headers: { 'content-type': contentType, ...headers } });
const admin = (path: string, method = 'GET', body?: unknown) =>
  fetch(`${server.url}/__admin${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });

describe('recording', () => {
  it('records each request after it is answered', async () => {
    await call('/api/v1/calls?campaign=c1&tag=a&tag=b', { headers: { 'user-agent': 'omni-test/1.0' } });
    t += 1000;
    await call('/api/v1/calls/c-9?status=404', { method: 'DELETE', headers: { 'x-test-org': 'acme' } });

    const [first, second] = journal.list();
    expect(first).toEqual({
      seq: 1,
      at: '2026-01-05T12:00:00.000Z',
      method: 'GET',
      path: '/api/v1/calls',
      query: { campaign: 'c1', tag: ['a', 'b'] },
      status: 200,
      durationMs: expect.any(Number),
      requestHeaders: { 'user-agent': 'omni-test/1.0' },
    });
    expect(first!.durationMs).toBeGreaterThanOrEqual(0);
    expect(first).not.toHaveProperty('orgId');
    expect(second).toMatchObject({
      seq: 2,
      at: '2026-01-05T12:00:01.000Z',
      method: 'DELETE',
      path: '/api/v1/calls/c-9',
      status: 404,
      orgId: 'acme',
    });
    expect(journal.lastSeq).toBe(2);
  });

  it('records a handler that throws with the status answered', async () => {
    await call('/api/v1/boom');
    expect(journal.list()[0]).toMatchObject({ path: '/api/v1/boom', status: 500 });
  });

  it('records JSON and CSV bodies while the handler still reads the whole body', async () => {
    const res = await post(
      '/api/v1/echo',
      '{"campaignId":"c1","phone":"+5511999990000"}',
      'application/json; charset=utf-8',
      {
        'idempotency-key': 'idem-1',
      },
    );
    expect(res.status).toBe(201);
    await post('/api/v1/echo', 'phone,name\n+5511999990000,Ana\n', 'text/csv');
    await post('/api/v1/echo', 'hello', 'text/plain');
    const [json, csv, plain] = journal.list();
    expect(json).toMatchObject({
      requestBody: '{"campaignId":"c1","phone":"+5511999990000"}',
      requestHeaders: { 'content-type': 'application/json; charset=utf-8', 'idempotency-key': 'idem-1' },
    });
    expect(json).not.toHaveProperty('requestBodyTruncated');
    expect(csv?.requestBody).toBe('phone,name\n+5511999990000,Ana\n');
    expect(plain).not.toHaveProperty('requestBody');
  });

  // Small declared bodies are read through Hono's body cache; large or streamed ones (no Content-Length) from a clone.
  it.each([
    ['declared, small', 800, false],
    ['declared, over 64 KiB', 12_000, false],
    ['streamed without a length', 800, true],
  ])(
    'truncates bodies to 4 KB, never splitting a character, while the handler reads all (%s)',
    async (_, n, stream) => {
      const big = JSON.stringify({ leads: Array.from({ length: n }, (_, i) => `ação-${i}`) });
      expect(Buffer.byteLength(big)).toBeGreaterThan(2 * BODY_LIMIT_BYTES);
      const bytes = new TextEncoder().encode(big);
      const res = await fetch(`${server.url}/api/v1/echo`, {
        method: 'POST',
        body: stream
          ? new ReadableStream({
              start(c) {
                for (let i = 0; i < bytes.length; i += 1000) c.enqueue(bytes.subarray(i, i + 1000));
                c.close();
              },
            })
          : big,
        headers: { 'content-type': 'application/json' },
        ...(stream ? { duplex: 'half' } : {}),
      } as RequestInit);
      expect(await res.json()).toEqual({ bytes: Buffer.byteLength(big) });
      const entry = journal.list()[0]!;
      expect(entry.requestBodyTruncated).toBe(true);
      expect(Buffer.byteLength(entry.requestBody!)).toBeLessThanOrEqual(BODY_LIMIT_BYTES);
      expect(Buffer.byteLength(entry.requestBody!)).toBeGreaterThan(BODY_LIMIT_BYTES - 4);
      expect(big.startsWith(entry.requestBody!)).toBe(true);
      expect(entry.requestBody).not.toContain('\uFFFD');
    },
  );

  it('never stores credentials: secret headers are not kept, secret JSON fields are redacted', async () => {
    const secrets = [
      'Bearer tok-abc-123',
      'dk-super-secret-key-0001',
      'session=s3ss10n',
      'hunter2-pw',
      'dk-body-key-0002',
    ];
    await post(
      '/api/v1/echo',
      JSON.stringify({ dialerUser: 'ana', password: 'hunter2-pw', key: 'dk-body-key-0002', name: 'Ana' }),
      'application/json',
      { authorization: secrets[0]!, 'x-dialer-key': secrets[1]!, cookie: secrets[2]!, 'user-agent': 'omni' },
    );
    await call('/api/v1/events', { headers: { authorization: secrets[0]!, 'last-event-id': '42' } });
    const stored = JSON.stringify(journal.list());
    const served = await (await admin('/requests')).text();
    for (const s of secrets) {
      expect(stored).not.toContain(s);
      expect(served).not.toContain(s);
    }
    const [login, events] = journal.list();
    expect(Object.keys(login!.requestHeaders).sort()).toEqual(['content-type', 'user-agent']);
    expect(JSON.parse(login!.requestBody!)).toEqual({
      dialerUser: 'ana',
      password: '[REDACTED]',
      key: '[REDACTED]',
      name: 'Ana',
    });
    // fetch adds its own user-agent; nothing else but the allow-list is kept.
    expect(Object.keys(events!.requestHeaders).sort()).toEqual(['last-event-id', 'user-agent']);
    expect(events!.requestHeaders['last-event-id']).toBe('42');
  });

  it('redacts a secret value cut short by the limit', () => {
    expect(redactJsonSecrets('{"a":"x","password":"hunt')).toBe('{"a":"x","password":"[REDACTED]"');
    expect(redactJsonSecrets('{"apiKey" : "k\\"1", "idempotencyKey":"i-1","token":"t"}')).toBe(
      '{"apiKey" : "[REDACTED]", "idempotencyKey":"i-1","token":"[REDACTED]"}',
    );
  });

  it('drops the oldest entries past the capacity and counts them', async () => {
    const small = createJournal({ now: () => t, capacity: 3 });
    const other = await startTestServer(buildApp(small).fetch);
    try {
      for (let i = 1; i <= 5; i++) await (await fetch(`${other.url}/api/v1/n/${i}`)).arrayBuffer();
      expect(small.list().map((e) => e.path)).toEqual(['/api/v1/n/3', '/api/v1/n/4', '/api/v1/n/5']);
      expect(small.list().map((e) => e.seq)).toEqual([3, 4, 5]);
      expect(small.dropped).toBe(2);
      const page = await jsonOf<Page>(await fetch(`${other.url}/__admin/requests`));
      expect(page).toMatchObject({ dropped: 2, lastSeq: 5 });
      expect(small.clear()).toBe(3);
      expect(small.dropped).toBe(0);
      await (await fetch(`${other.url}/api/v1/after`)).arrayBuffer();
      expect(small.list()[0]?.seq).toBe(6);
    } finally {
      await other.close();
    }
    expect(() => createJournal({ now: () => t, capacity: 0 })).toThrow(RangeError);
  });
});

// seq keeps counting across clears: tests number requests from the last seq before they ran.
let base = 0;
const seqs = (entries: JournalEntry[]) => entries.map((e) => e.seq - base);

describe('filters', () => {
  beforeEach(async () => {
    base = journal.lastSeq;
    await call('/api/v1/agents/login', { method: 'POST', headers: { 'x-test-org': 'acme' } }); // 1
    await call('/api/v1/calls/c-1/disposition', { method: 'POST', headers: { 'x-test-org': 'acme' } }); // 2
    await call('/api/v1/calls/c-2/disposition?status=409', { method: 'POST', headers: { 'x-test-org': 'beta' } }); // 3
    await call('/api/v1/calls/c-2', { headers: { 'x-test-org': 'beta' } }); // 4
    await call('/api/v2/ping'); // 5
  });

  it('filters by method, path pattern, prefix, status, orgId, sinceSeq and limit', () => {
    expect(seqs(journal.list({ method: 'post' }))).toEqual([1, 2, 3]);
    expect(seqs(journal.list({ method: '*' }))).toEqual([1, 2, 3, 4, 5]);
    expect(seqs(journal.list({ path: '/api/v1/calls/*/disposition' }))).toEqual([2, 3]);
    expect(seqs(journal.list({ path: '/api/v1/calls/c-2' }))).toEqual([4]);
    expect(seqs(journal.list({ path: '/api/v1/*' }))).toEqual([1, 2, 3, 4]);
    expect(seqs(journal.list({ pathPrefix: '/api/v1/calls' }))).toEqual([2, 3, 4]);
    expect(seqs(journal.list({ status: 409 }))).toEqual([3]);
    expect(seqs(journal.list({ orgId: 'beta' }))).toEqual([3, 4]);
    expect(seqs(journal.list({ sinceSeq: base + 3 }))).toEqual([4, 5]);
    expect(seqs(journal.list({ limit: 2 }))).toEqual([1, 2]);
    expect(seqs(journal.list({ method: 'POST', orgId: 'acme', path: '/api/v1/calls/*/disposition' }))).toEqual([2]);
  });

  it('takes the filters as query parameters on GET /requests', async () => {
    const page = await jsonOf<Page>(await admin('/requests?method=POST&path=/api/v1/calls/*/disposition&status=409'));
    expect(seqs(page.requests)).toEqual([3]);
    expect(page).toMatchObject({ dropped: 0, lastSeq: base + 5 });
    expect(seqs((await jsonOf<Page>(await admin(`/requests?sinceSeq=${base + 1}&limit=2`))).requests)).toEqual([2, 3]);
    expect(seqs((await jsonOf<Page>(await admin('/requests?pathPrefix=/api/v2&orgId=x'))).requests)).toEqual([]);
    expect((await jsonOf<Page>(await admin('/requests'))).requests).toHaveLength(5);
  });

  it.each([
    ['/requests?status=abc', 'query.status'],
    ['/requests?limit=0', 'query.limit'],
    ['/requests?path=/api*', 'query.path'],
    ['/requests?stauts=500', 'query'],
  ])('rejects %s with 422 VALIDATION_FAILED', async (url, issuePath) => {
    const res = await admin(url);
    expect(res.status).toBe(422);
    const body = await jsonOf<ErrorJson>(res);
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.details.issues.map((i) => i.path)).toContain(issuePath);
  });

  it('DELETE /requests empties the journal', async () => {
    const res = await admin('/requests', 'DELETE');
    expect(await jsonOf<{ removed: number }>(res)).toEqual({ removed: 5 });
    expect(journal.list()).toEqual([]);
  });
});

describe('verify', () => {
  beforeEach(async () => {
    base = journal.lastSeq;
    await call('/api/v1/agents/login', { method: 'POST', headers: { 'x-test-org': 'acme' } }); // 1
    await call('/api/v1/campaigns/k1/start', { method: 'POST', headers: { 'x-test-org': 'acme' } }); // 2
    await call('/api/v1/calls/c-1/disposition', { method: 'POST', headers: { 'x-test-org': 'acme' } }); // 3
    await call('/api/v1/calls/c-2/disposition', { method: 'POST', headers: { 'x-test-org': 'acme' } }); // 4
    await call('/api/v1/agents/logout', { method: 'POST', headers: { 'x-test-org': 'acme' } }); // 5
  });
  const dispositions = { method: 'POST', path: '/api/v1/calls/*/disposition' };

  it('checks counts', () => {
    expect(journal.verify({ request: dispositions, count: { eq: 2 } })).toEqual({ ok: true, count: 2, failures: [] });
    expect(journal.verify({ request: dispositions, count: { gte: 1, lte: 2 } }).ok).toBe(true);
    expect(journal.verify({ request: dispositions })).toMatchObject({ ok: true, count: 2 });
    const wrong = journal.verify({ request: dispositions, count: { eq: 1, gte: 3 } });
    expect(wrong.ok).toBe(false);
    expect(wrong.count).toBe(2);
    expect(wrong.failures).toHaveLength(2);
    expect(wrong.failures[0]).toMatch(/expected exactly 1 requests matching .*disposition.*, found 2/);
    expect(wrong.failures[1]).toMatch(/expected at least 3/);
    const none = journal.verify({ request: { path: '/api/v1/calls/*/hangup' } });
    expect(none).toMatchObject({ ok: false, count: 0 });
    expect(none.failures[0]).toMatch(/at least 1/);
    expect(journal.verify({ request: { path: '/api/v1/calls/*/hangup' }, count: { eq: 0 } }).ok).toBe(true);
  });

  it('checks relative order, other requests in between allowed', () => {
    const ok = journal.verify({
      request: { orgId: 'acme' },
      order: [{ path: '/api/v1/agents/login' }, dispositions, dispositions, { path: '/api/v1/agents/logout' }],
    });
    expect(ok).toEqual({ ok: true, count: 5, failures: [] });

    const bad = journal.verify({
      request: { orgId: 'acme' },
      order: [dispositions, { path: '/api/v1/campaigns/*/start' }],
    });
    expect(bad.ok).toBe(false);
    expect(bad.failures).toHaveLength(1);
    expect(bad.failures[0]).toMatch(
      new RegExp(
        `^order\\[1\\] .*start.*no matching request after seq ${base + 3} \\(order\\[0\\]\\).*seqs .*: ${base + 2}$`,
      ),
    );

    const tooMany = journal.verify({ request: {}, order: [dispositions, dispositions, dispositions] });
    expect(tooMany.failures[0]).toMatch(
      new RegExp(`^order\\[2\\].*after seq ${base + 4}.*: ${base + 3}, ${base + 4}$`),
    );
  });

  it('POST /requests/verify answers 200 with the verdict, 422 for an invalid spec', async () => {
    const pass = await admin('/requests/verify', 'POST', { request: dispositions, count: { eq: 2 } });
    expect(pass.status).toBe(200);
    expect(await jsonOf<VerifyResult>(pass)).toEqual({ ok: true, count: 2, failures: [] });

    const fail = await admin('/requests/verify', 'POST', {
      request: {},
      order: [{ path: '/api/v1/agents/logout' }, { path: '/api/v1/agents/login' }],
    });
    expect(fail.status).toBe(200);
    const verdict = await jsonOf<VerifyResult>(fail);
    expect(verdict).toMatchObject({ ok: false, count: 5 });
    expect(verdict.failures[0]).toMatch(/^order\[1\]/);

    for (const [spec, path] of [
      [{ count: { eq: 1 } }, 'body.request'],
      [{ request: {}, count: {} }, 'body.count'],
      [{ request: { path: 'calls' } }, 'body.request.path'],
      [{ request: {}, order: [] }, 'body.order'],
      [{ request: { method: 'POST', sttus: 200 } }, 'body.request'],
    ] as const) {
      const res = await admin('/requests/verify', 'POST', spec);
      expect(res.status).toBe(422);
      const body = await jsonOf<ErrorJson>(res);
      expect(body.error.code).toBe('VALIDATION_FAILED');
      expect(body.error.details.issues.map((i) => i.path)).toContain(path);
    }
  });
});

describe('with the fault injector inside', () => {
  it('records injected errors and resets with the status the faults middleware returned', async () => {
    const j = createJournal({ now: () => t });
    const faults = createFaultInjector({ random: () => 0 });
    const app = new Hono();
    app.use(j.middleware);
    app.use(faults.middleware);
    app.all('*', (c) => c.json({ ok: true }));
    const s = await startTestServer(app.fetch);
    try {
      faults.add({ match: { path: '/a' }, fault: { kind: 'error', status: 503 } });
      faults.add({ match: { path: '/b' }, fault: { kind: 'reset' } });
      await (await fetch(`${s.url}/a`)).arrayBuffer();
      await expect(fetch(`${s.url}/b`)).rejects.toThrow();
      await (await fetch(`${s.url}/c`)).arrayBuffer();
      expect(j.list().map((e) => [e.path, e.status])).toEqual([
        ['/a', 503],
        ['/b', RESET_STATUS],
        ['/c', 200],
      ]);
    } finally {
      await s.close();
    }
  });
});

describe('routes by id', () => {
  it('records the dialer route a request matched, filters and verifies by route id, whatever the path parameters', async () => {
    const j = createJournal({ now: () => t, routeOf: dialerRouteOf });
    const app = new Hono();
    app.route('/__admin', journalAdminRoutes(j));
    app.use('/api/*', j.middleware);
    app.all('/api/*', (c) => c.json({ ok: true }));
    const s = await startTestServer(app.fetch);
    try {
      for (const path of [
        '/api/v1/agents/login',
        '/api/v1/agents/ana/pause',
        '/api/v1/calls/c-1/disposition',
        '/api/v1/calls/c-2/disposition',
        '/api/v1/nothing/here',
      ])
        await (await fetch(`${s.url}${path}`, { method: 'POST' })).arrayBuffer();
      expect(j.list().map((e) => e.route ?? null)).toEqual([
        'agents.login',
        'agents.pause',
        'calls.disposition',
        'calls.disposition',
        null,
      ]);
      expect(j.list({ route: 'calls.disposition' }).map((e) => e.path)).toEqual([
        '/api/v1/calls/c-1/disposition',
        '/api/v1/calls/c-2/disposition',
      ]);
      expect(j.verify({ request: { route: 'calls.disposition' }, count: { eq: 2 } }).ok).toBe(true);
      expect(
        j.verify({ request: { method: 'POST' }, order: [{ route: 'agents.pause' }, { route: 'agents.login' }] }).ok,
      ).toBe(false);
      const page = (await (await fetch(`${s.url}/__admin/requests?route=agents.login`)).json()) as Page;
      expect(page.requests.map((e) => e.path)).toEqual(['/api/v1/agents/login']);
      const bad = await fetch(`${s.url}/__admin/requests?route=calls.nope`);
      expect(bad.status).toBe(422);
      expect(JSON.stringify(await bad.json())).toContain("'calls.nope' is not a dialer route id");
    } finally {
      await s.close();
    }
  });
});

describe('query strings', () => {
  it('never keeps a key, token or password sent in the query string by mistake', async () => {
    const secret = 'dk-sent-in-the-url-0003';
    await call(`/api/v1/calls?key=${secret}&x-dialer-key=${secret}&apiKey=${secret}&token=${secret}&state=ended`);
    await call(`/api/v1/calls?password=${secret}&password=${secret}&monkey=banana`);
    const [first, second] = journal.list();
    expect(first!.query).toEqual({
      key: '[REDACTED]',
      'x-dialer-key': '[REDACTED]',
      apiKey: '[REDACTED]',
      token: '[REDACTED]',
      state: 'ended',
    });
    expect(second!.query).toEqual({ password: ['[REDACTED]', '[REDACTED]'], monkey: 'banana' });
    expect(await (await admin('/requests')).text()).not.toContain(secret);
  });
});
