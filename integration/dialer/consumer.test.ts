import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Call } from '../../contract/calls.ts';
import type { DialerEvent } from '../../contract/events.ts';
import type { Db } from '../../core/db.ts';
import { testDatabase, testDialerClients, waitUntil } from '../../harness/dialer-client.ts';
import { availableAgent, eventsOf, startTestSimulator, type TestSimulator } from '../../harness/simulator.ts';
import type { DialerClient } from './client.ts';
import type { DialerClients } from './clients.ts';
import { EventConsumer, type InvalidDialerEvent } from './consumer.ts';

let t: TestSimulator;
beforeAll(async () => {
  t = await startTestSimulator();
});
afterAll(() => t.close());

const ORG = 'omni-acme';
let store: ReturnType<typeof testDatabase>;
let clients: DialerClients;
let consumers: EventConsumer[];

beforeEach(async () => {
  await t.admin.request('POST', '/__admin/reset', { json: {} });
  store = testDatabase();
  ({ clients } = testDialerClients(t, ORG));
  consumers = [];
});
afterEach(async () => {
  for (const c of consumers) await c.stopAll();
  await clients.closeAll();
});

/** A consumer whose handler records each event id, and writes a row in the handler's transaction. */
function recordingConsumer(db: Db = store.db) {
  const ids: number[] = [];
  const consumer = new EventConsumer(
    db,
    clients,
    (orgId, e: DialerEvent) => {
      ids.push(e.id);
      db.prepare('INSERT INTO alerts (org_id, code, message, details, at) VALUES (?, ?, ?, ?, ?)').run(
        orgId,
        'EVENT',
        e.type,
        JSON.stringify({ id: e.id }),
        0,
      );
    },
    { reconnectBaseMs: 10, reconnectMaxMs: 50 },
  );
  consumers.push(consumer);
  return { ids, consumer };
}

const allIds = () => eventsOf(t).map((e) => e.id);
const rows = (db: Db = store.db) => (db.prepare('SELECT COUNT(*) AS n FROM alerts').get() as { n: number }).n;

async function someCalls(users: string[]) {
  for (const u of users) {
    await availableAgent(t, u);
    const call = await t.admin.request<Call>('POST', `/__admin/organizations/${t.orgId}/calls`, {
      json: { dialerUser: u },
    });
    await t.api.request('POST', `/api/v1/calls/${call.body.id}/hangup`);
  }
}

describe('EventConsumer against the simulator', () => {
  it('handles every event once, in order, and follows live events', async () => {
    await availableAgent(t, 'ana');
    const { ids, consumer } = recordingConsumer();
    consumer.start(ORG);
    await consumer.drain(ORG);
    expect(ids).toEqual(allIds());
    expect(consumer.status(ORG)).toMatchObject({ running: true, connected: true, lastEventId: ids.at(-1) });
    await someCalls(['bia']);
    await consumer.drain(ORG);
    expect(ids).toEqual(allIds());
    expect(rows()).toBe(ids.length);
  });

  it('misses nothing and repeats nothing across forced drops', async () => {
    await someCalls(['ana']);
    const { ids, consumer } = recordingConsumer();
    consumer.start(ORG);
    await consumer.drain(ORG);
    const dropped = await t.admin.request<{ dropped: number }>('POST', '/__admin/streams/drop', { json: {} });
    expect(dropped.status).toBe(200);
    await someCalls(['bia']);
    // The next two connections close after two events each.
    await t.admin.request('POST', '/__admin/faults', {
      json: { match: { path: '/api/v1/events/stream' }, fault: { kind: 'drop_stream', afterEvents: 2 }, times: 2 },
    });
    await t.admin.request('POST', '/__admin/streams/drop', { json: {} });
    await someCalls(['caio']);
    await consumer.drain(ORG);
    expect(ids).toEqual(allIds());
    expect(new Set(ids).size).toBe(ids.length);
    expect(rows()).toBe(ids.length);
    expect(consumer.status(ORG).reconnects).toBeGreaterThanOrEqual(3);
  });

  it('a new consumer over the same file resumes after the cursor', async () => {
    await someCalls(['ana']);
    const first = recordingConsumer();
    first.consumer.start(ORG);
    await first.consumer.drain(ORG);
    await first.consumer.stopAll();
    expect(first.consumer.status(ORG).running).toBe(false);
    await someCalls(['bia']);
    store.db.close();

    const db = store.reopen();
    const second = recordingConsumer(db);
    expect(second.consumer.cursor(ORG)).toBe(first.ids.at(-1));
    second.consumer.start(ORG);
    await second.consumer.drain(ORG);
    expect(second.ids.length).toBeGreaterThan(0);
    expect([...first.ids, ...second.ids]).toEqual(allIds());
    expect(rows(db)).toBe(allIds().length);
    await second.consumer.stopAll();
    db.close();
  });

  it('survives a settings change: invalidate, then stop and start without waiting', async () => {
    await someCalls(['ana']);
    const { ids, consumer } = recordingConsumer();
    consumer.start(ORG);
    await consumer.drain(ORG);
    void clients.invalidate(ORG);
    const stopped = consumer.stop(ORG);
    consumer.start(ORG);
    await stopped;
    expect(consumer.status(ORG).running).toBe(true);
    await someCalls(['bia']);
    await consumer.drain(ORG);
    expect(ids).toEqual(allIds());
  });

  it('a handler that throws rolls back and gets the event again', async () => {
    await someCalls(['ana']);
    const target = allIds()[2]!;
    const ids: number[] = [];
    let failOnce = true;
    const consumer = new EventConsumer(
      store.db,
      clients,
      (_orgId, e) => {
        store.db
          .prepare("INSERT INTO alerts (org_id, code, message, details, at) VALUES ('o', 'E', '', '{}', 0)")
          .run();
        if (e.id === target && failOnce) {
          failOnce = false;
          throw new Error('boom');
        }
        ids.push(e.id);
      },
      { reconnectBaseMs: 10 },
    );
    consumers.push(consumer);
    consumer.start(ORG);
    await consumer.drain(ORG);
    expect(ids).toEqual(allIds());
    expect(rows()).toBe(ids.length);
    expect(consumer.status(ORG).reconnects).toBeGreaterThanOrEqual(1);
  });

  it('keeps retrying an unconfigured organization and reports why', async () => {
    const consumer = new EventConsumer(store.db, clients, () => {}, { reconnectBaseMs: 10, reconnectMaxMs: 20 });
    consumers.push(consumer);
    consumer.start('not-configured');
    await waitUntil(() => consumer.status('not-configured').reconnects >= 2, 2_000, 'reconnects');
    expect(consumer.status('not-configured')).toMatchObject({ running: true, connected: false });
    expect(consumer.status('not-configured').lastError).toMatch(/not configured/);
  });
});

describe('EventConsumer with an unreadable event', () => {
  it('skips it through onInvalid, advances the cursor, and goes on', async () => {
    const events = [
      {
        id: 1,
        orgId: 'x',
        type: 'call.connected',
        at: '2026-01-05T12:00:00.000Z',
        data: { callId: 'c1', dialerUser: 'ana' },
      },
      { id: 2, orgId: 'x', type: 'call.teleported', at: '2026-01-05T12:00:01.000Z', data: {} },
      {
        id: 3,
        orgId: 'x',
        type: 'call.connected',
        at: '2026-01-05T12:00:02.000Z',
        data: { callId: 'c2', dialerUser: 'bia' },
      },
    ];
    const fake = {
      async openEventStream(afterId: number) {
        const body = events
          .filter((e) => e.id > afterId)
          .map((e) => `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`)
          .join('');
        return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
      },
      async request(_route: string, input: { query: { after: number } }) {
        return { status: 200, headers: {}, body: { events: events.filter((e) => e.id > input.query.after) } };
      },
    } as unknown as DialerClient;
    const handled: number[] = [];
    const invalid: InvalidDialerEvent[] = [];
    const consumer = new EventConsumer(store.db, { get: () => fake }, (_o, e) => handled.push(e.id), {
      reconnectBaseMs: 10,
      onInvalid: (_o, e) => {
        invalid.push(e);
        store.db
          .prepare("INSERT INTO alerts (org_id, code, message, details, at) VALUES ('x', 'BAD', '', '{}', 0)")
          .run();
      },
    });
    consumers.push(consumer);
    consumer.start('x');
    await consumer.drain('x');
    expect(handled).toEqual([1, 3]);
    expect(invalid).toEqual([expect.objectContaining({ id: 2, type: 'call.teleported' })]);
    expect(consumer.status('x')).toMatchObject({ lastEventId: 3, handled: 2, invalid: 1 });
    expect(rows()).toBe(1);
  });
});
