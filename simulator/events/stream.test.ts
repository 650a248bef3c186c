import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/clock.ts';
import { SecretBox } from '../../core/secrets.ts';
import { readSse } from '../../core/sse-reader.ts';
import { availableAgent, startTestSimulator, type TestSimulator } from '../../harness/simulator.ts';

let t: TestSimulator | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Opens the stream and collects event ids until `until` says stop (or the stream ends). */
async function collect(sim: TestSimulator, headers: Record<string, string>, until: (ids: number[]) => boolean) {
  const ac = new AbortController();
  const res = await sim.api.stream('/api/v1/events/stream', headers, ac.signal);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const ids: number[] = [];
  const types: string[] = [];
  const ended = readSse(res.body as ReadableStream<Uint8Array>, (m) => {
    if (ac.signal.aborted) return; // one chunk may carry more events than we asked for
    ids.push(Number(m.id));
    types.push(m.event ?? '');
    expect(JSON.parse(m.data)).toMatchObject({ id: Number(m.id), type: m.event });
    if (until(ids)) ac.abort();
  });
  return { ids, types, ended, abort: () => ac.abort() };
}

const waitFor = async (cond: () => boolean, ms = 5_000) => {
  const start = performance.now();
  while (!cond()) {
    if (performance.now() - start > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('event stream (SSE)', () => {
  it('replays from the start, then follows live events', async () => {
    t = await startTestSimulator();
    await availableAgent(t, 'ana'); // 2 events
    const s = await collect(t, {}, (ids) => ids.length >= 4);
    await waitFor(() => s.ids.length >= 2);
    await availableAgent(t, 'bia'); // 2 more, live
    await s.ended;
    expect(s.ids).toEqual([1, 2, 3, 4]);
    expect(s.types).toEqual([
      'agent.state_changed',
      'agent.state_changed',
      'agent.state_changed',
      'agent.state_changed',
    ]);
  });

  it('resumes after Last-Event-ID: nothing missed, nothing twice', async () => {
    t = await startTestSimulator();
    for (const u of ['ana', 'bia', 'caio']) await availableAgent(t, u); // 6 events
    const first = await collect(t, {}, (ids) => ids.length >= 3);
    await first.ended;
    const last = first.ids.at(-1)!;
    const second = await collect(t, { 'last-event-id': String(last) }, (ids) => ids.at(-1) === 6);
    await second.ended;
    expect([...first.ids, ...second.ids]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('refuses a malformed Last-Event-ID with 422', async () => {
    t = await startTestSimulator();
    const res = await t.api.request('GET', '/api/v1/events/stream', { headers: { 'last-event-id': 'abc' } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: { code: 'LAST_EVENT_ID_INVALID' } });
  });

  it('reads a cursor as digits only: Last-Event-ID 0x10, 1e1 or -1 and ?after=0x10 are refused, not read as numbers', async () => {
    t = await startTestSimulator();
    for (const id of ['0x10', '1e1', '-1', '+7', '7.0'])
      expect(
        (await t.api.request('GET', '/api/v1/events/stream', { headers: { 'last-event-id': id } })).body,
        id,
      ).toMatchObject({ error: { code: 'LAST_EVENT_ID_INVALID' } });
    for (const path of ['/api/v1/events?after=0x10', '/api/v1/events/stream?after=0x10', '/api/v1/events?limit=1e2']) {
      const res = await t.api.request('GET', path);
      expect(res.status, path).toBe(422);
      expect(res.body, path).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    }
  });

  it('a consumer that reconnects after a dropped stream misses nothing (drop_stream fault)', async () => {
    t = await startTestSimulator();
    for (const u of ['ana', 'bia', 'caio']) await availableAgent(t, u);
    const rule = await t.admin.request('POST', '/__admin/faults', {
      json: {
        match: { method: 'GET', path: '/api/v1/events/stream' },
        fault: { kind: 'drop_stream', afterEvents: 2 },
        times: 2,
      },
    });
    expect(rule.status).toBe(201);
    const connections: number[][] = [];
    let cursor = 0;
    for (let attempt = 0; attempt < 5 && cursor !== 6; attempt++) {
      const s = await collect(t, cursor ? { 'last-event-id': String(cursor) } : {}, (ids) => ids.at(-1) === 6);
      await s.ended;
      connections.push(s.ids);
      cursor = s.ids.at(-1) ?? cursor;
    }
    // Each dropped connection delivered exactly its 2 events (events waiting together are written together).
    expect(connections).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
  });

  it('the control API drops open streams on demand', async () => {
    t = await startTestSimulator();
    await availableAgent(t, 'ana');
    const s = await collect(t, {}, () => false);
    await waitFor(() => s.ids.length === 2);
    const dropped = await t.admin.request('POST', '/__admin/streams/drop', { json: {} });
    expect(dropped.body).toEqual({ dropped: 1 });
    expect(await s.ended).toBe('ended');
  });

  it('resumes across a simulator restart from the same database file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dsh-restart-'));
    const database = join(dir, 'sim.sqlite');
    const secrets = SecretBox.fromKeyFile(join(dir, 'secret.key'));
    t = await startTestSimulator({ database, secrets });
    await availableAgent(t, 'ana');
    const before = await collect(t, {}, (ids) => ids.length === 2);
    await before.ended;
    await t.close();

    t = await startTestSimulator({ database, secrets, clock: new VirtualClock() });
    await availableAgent(t, 'bia');
    const after = await collect(t, { 'last-event-id': String(before.ids.at(-1)) }, (ids) => ids.length === 2);
    await after.ended;
    expect([...before.ids, ...after.ids]).toEqual([1, 2, 3, 4]);
  });

  it('pages events after a cursor', async () => {
    t = await startTestSimulator();
    for (const u of ['ana', 'bia']) await availableAgent(t, u);
    const page = await t.api.request<{ events: { id: number }[]; lastId: number }>(
      'GET',
      '/api/v1/events?after=1&limit=2',
    );
    expect(page.body.events.map((e) => e.id)).toEqual([2, 3]);
    expect(page.body.lastId).toBe(3);
  });
});
