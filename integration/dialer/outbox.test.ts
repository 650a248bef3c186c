import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Call } from '../../contract/calls.ts';
import { VirtualClock } from '../../core/clock.ts';
import type { Db } from '../../core/db.ts';
import { ensureCertificates } from '../../harness/certs.ts';
import { testDatabase, testDialerClients } from '../../harness/dialer-client.ts';
import { availableAgent, eventsOf, startTestSimulator, type TestSimulator } from '../../harness/simulator.ts';
import type { DialerClients, DialerSettings } from './clients.ts';
import { DialerCommandPort, dialerCommandSender } from './commands.ts';
import { Outbox, type OutboxItem, type OutboxOptions, type OutboxResult } from './outbox.ts';

let t: TestSimulator;
beforeAll(async () => {
  t = await startTestSimulator();
});
afterAll(() => t.close());

let store: ReturnType<typeof testDatabase>;
let clients: DialerClients;
let settings: Map<string, DialerSettings>;
let clock: VirtualClock;
let outboxes: Outbox[];
const ORG = 'omni-acme';

beforeEach(async () => {
  await t.admin.request('POST', '/__admin/reset', { json: {} });
  store = testDatabase();
  ({ clients, settings } = testDialerClients(t, ORG));
  clock = new VirtualClock();
  outboxes = [];
});
afterEach(async () => {
  for (const o of outboxes) await o.stop();
  await clients.closeAll();
});

function dialerOutbox(db: Db = store.db, c = clock, opts: OutboxOptions = {}): Outbox {
  const o = new Outbox(db, c, dialerCommandSender(clients), opts);
  outboxes.push(o);
  return o;
}

const fault = (method: string, path: string, spec: object, times?: number) =>
  t.admin.request('POST', '/__admin/faults', {
    json: { match: { method, path }, fault: spec, ...(times ? { times } : {}) },
  });

const journal = async (path: string) =>
  (
    await t.admin.request<{
      requests: Array<{ path: string; status: number; requestHeaders: Record<string, string> }>;
    }>('GET', `/__admin/requests?path=${encodeURIComponent(path)}`)
  ).body.requests;

async function connectedCall(user = 'ana'): Promise<string> {
  await availableAgent(t, user);
  const call = await t.admin.request<Call>('POST', `/__admin/organizations/${t.orgId}/calls`, {
    json: { dialerUser: user },
  });
  expect(call.status).toBe(201);
  return call.body.id;
}

async function callInWrapUp(user = 'ana'): Promise<string> {
  const id = await connectedCall(user);
  await t.admin.request('POST', `/__admin/organizations/${t.orgId}/calls/${id}/hangup`);
  return id;
}

const dispose = (outbox: Outbox, callId: string, tagCode = 'VENDA', notes = 'ok', key = `disposition:${callId}`) =>
  store.db.transaction(() =>
    new DialerCommandPort(outbox).send(
      ORG,
      { route: 'calls.disposition', params: { id: callId }, body: { tagCode, notes } },
      key,
    ),
  )();

describe('delivery to the dialer', () => {
  it('a disposition enqueued while the dialer fails is delivered later, exactly once, with one key', async () => {
    const callId = await callInWrapUp();
    await fault('POST', '/api/v1/calls/*/disposition', { kind: 'error', status: 503 }, 3);
    const outbox = dialerOutbox();
    outbox.start();
    const id = dispose(outbox, callId);
    await outbox.idle();
    expect(outbox.get(id)).toMatchObject({ status: 'pending', attempts: 1 });
    expect(outbox.get(id)?.lastError).toMatch(/INJECTED_FAULT/);
    expect(outbox.pending(ORG)).toBe(1);
    expect(eventsOf(t, 'call.disposed')).toHaveLength(0);

    clock.advance(499);
    await outbox.idle();
    expect(outbox.get(id)?.status).toBe('pending');
    clock.advance(1);
    await outbox.idle();
    expect(outbox.get(id)).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
    expect(outbox.get(id)?.response).toEqual({
      status: 200,
      answer: expect.objectContaining({ callId, tagCode: 'VENDA' }),
    });
    expect(eventsOf(t, 'call.disposed')).toHaveLength(1);
    expect(eventsOf(t, 'violation')).toHaveLength(0);
    const sent = await journal('/api/v1/calls/*/disposition');
    expect(sent.map((r) => r.status)).toEqual([503, 503, 503, 200]);
    expect(new Set(sent.map((r) => r.requestHeaders['idempotency-key']))).toEqual(
      new Set([`${ORG}:disposition:${callId}`]),
    );
    expect(outbox.pending()).toBe(0);
  });

  it('an answer lost to a timeout is retried with the same key and recorded once', async () => {
    const callId = await callInWrapUp();
    await clients.invalidate(ORG);
    const slow = testDialerClients(t, ORG, { timeoutMs: 150, attempts: 1 });
    const outbox = new Outbox(store.db, clock, dialerCommandSender(slow.clients));
    outboxes.push(outbox);
    await fault(
      'POST',
      '/api/v1/calls/*/disposition',
      { kind: 'latency', distribution: { type: 'fixed', ms: 300 } },
      1,
    );
    outbox.start();
    const id = dispose(outbox, callId);
    await outbox.idle();
    expect(outbox.get(id)?.lastError).toMatch(/DIALER_UNREACHABLE/);
    clock.advance(500);
    await outbox.idle();
    expect(outbox.get(id)?.status).toBe('sent');
    // Let the slow first request reach the handler too: it replays, it does not dispose twice.
    await new Promise((r) => setTimeout(r, 250));
    expect(eventsOf(t, 'call.disposed')).toHaveLength(1);
    expect(eventsOf(t, 'violation')).toHaveLength(0);
    await slow.clients.closeAll();
  });

  it('per call, the hang-up goes before the disposition; other keys are not held up', async () => {
    const callId = await connectedCall('ana');
    await availableAgent(t, 'bia');
    await fault('POST', '/api/v1/calls/*/hangup', { kind: 'error', status: 503 }, 1);
    const outbox = dialerOutbox();
    const port = new DialerCommandPort(outbox);
    const [hangup, disposition, pause] = store.db.transaction(() => [
      port.send(ORG, { route: 'calls.hangup', params: { id: callId }, body: { by: 'agent' } }, `h:${callId}`),
      port.send(
        ORG,
        { route: 'calls.disposition', params: { id: callId }, body: { tagCode: 'VENDA', notes: '' } },
        `d:${callId}`,
      ),
      port.send(ORG, { route: 'agents.pause', params: { dialerUser: 'bia' }, body: { idStatus: 2 } }, 'p:bia:1'),
    ])();
    outbox.start();
    await outbox.idle();
    expect(outbox.get(hangup!)).toMatchObject({ status: 'pending', attempts: 1 });
    expect(outbox.get(disposition!)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(outbox.get(pause!)?.status).toBe('sent');
    expect(await journal('/api/v1/calls/*/disposition')).toHaveLength(0);

    clock.advance(500);
    await outbox.idle();
    expect(outbox.list({ orgId: ORG }).map((i) => i.status)).toEqual(['sent', 'sent', 'sent']);
    const types = eventsOf(t)
      .filter((e) => e.type === 'call.ended' || e.type === 'call.disposed')
      .map((e) => e.type);
    expect(types).toEqual(['call.ended', 'call.disposed']);
    expect(eventsOf(t, 'violation')).toHaveLength(0);
  });

  it('a new Outbox over the same file resends what was pending', async () => {
    const first = await callInWrapUp('ana');
    const second = await callInWrapUp('bia');
    const rule = await t.admin.request<{ id: string }>('POST', '/__admin/faults', {
      json: { match: { path: '/api/v1/calls/*/disposition' }, fault: { kind: 'error', status: 503 } },
    });
    const before = dialerOutbox();
    before.start();
    dispose(before, first);
    await before.idle();
    // Enqueued, but the process stops before sending it.
    await before.stop();
    dispose(before, second);
    expect(before.pending(ORG)).toBe(2);
    store.db.close();
    await t.admin.request('DELETE', `/__admin/faults/${rule.body.id}`);

    const db = store.reopen();
    const later = new VirtualClock(clock.now());
    const after = dialerOutbox(db, later);
    after.start();
    await after.idle();
    expect(after.list().map((i) => i.status)).toEqual(['pending', 'sent']);
    later.advance(500);
    await after.idle();
    expect(after.pending()).toBe(0);
    expect(eventsOf(t, 'call.disposed').map((e) => e.data.callId)).toEqual([second, first]);
    expect(eventsOf(t, 'violation')).toHaveLength(0);
    await after.stop();
    db.close();
  });

  it('a certificate mismatch is retried with the error kept, until the organization uploads the right one', async () => {
    const callId = await callInWrapUp();
    const other = await ensureCertificates(mkdtempSync(join(tmpdir(), 'dsh-other-certs-')));
    settings.set(ORG, { ...settings.get(ORG)!, certificatePem: other.server.certPem });
    await clients.invalidate(ORG);
    const outbox = dialerOutbox();
    outbox.start();
    const id = dispose(outbox, callId);
    await outbox.idle();
    expect(outbox.get(id)?.status).toBe('pending');
    expect(outbox.get(id)?.lastError).toMatch(/^DIALER_CERTIFICATE_MISMATCH: .*must upload the dialer’s current/);

    settings.set(ORG, { ...settings.get(ORG)!, certificatePem: t.certs.server.certPem });
    await clients.invalidate(ORG);
    clock.advance(500);
    await outbox.idle();
    expect(outbox.get(id)?.status).toBe('sent');
    expect(eventsOf(t, 'call.disposed')).toHaveLength(1);
  });
});

describe('classification of the dialer’s answers', () => {
  it('"already done" answers count as sent; other refusals fail for good and are reported', async () => {
    const ended = await callInWrapUp('ana');
    const disposedElsewhere = await callInWrapUp('bia');
    const c = clients.get(ORG);
    const disposeNow = (id: string, tagCode: string, notes: string, key: string) =>
      c.call('calls.disposition', { params: { id }, body: { tagCode, notes }, idempotencyKey: key });
    await disposeNow(disposedElsewhere, 'VENDA', 'ok', 'from-elsewhere');
    const conflicting = await callInWrapUp('caio');
    await disposeNow(conflicting, 'RECUSA', '', 'first-one');

    const failed: Array<[OutboxItem, string]> = [];
    const sent: number[] = [];
    const outbox = dialerOutbox(store.db, clock, {
      onFailed: (item, error) => failed.push([item, error]),
      onSent: (item) => sent.push(item.id),
    });
    const port = new DialerCommandPort(outbox);
    const ids = store.db.transaction(() => ({
      hangup: port.send(ORG, { route: 'calls.hangup', params: { id: ended }, body: { by: 'agent' } }, 'a'),
      logout: port.send(ORG, { route: 'agents.logout', params: { dialerUser: 'ana' } }, 'b'),
      sameDisposition: dispose(outbox, disposedElsewhere, 'VENDA', 'ok'),
      otherDisposition: dispose(outbox, conflicting, 'VENDA', 'ok'),
      unknownPause: port.send(
        ORG,
        { route: 'agents.pause', params: { dialerUser: 'bia' }, body: { idStatus: 999 } },
        'c',
      ),
    }))();
    // ana is logged in: log her out first so the outbox's logout meets AGENT_NOT_LOGGED_IN.
    await c.call('agents.logout', { params: { dialerUser: 'ana' } });
    outbox.start();
    await outbox.idle();
    const status = (id: number) => outbox.get(id)?.status;
    expect(status(ids.hangup)).toBe('sent');
    expect(outbox.get(ids.hangup)?.response).toMatchObject({ alreadyEnded: { dialerCode: 'CALL_ALREADY_ENDED' } });
    expect(outbox.get(ids.logout)?.lastError ?? null).toBe(null);
    expect(status(ids.logout)).toBe('sent');
    expect(status(ids.sameDisposition)).toBe('sent');
    expect(status(ids.otherDisposition)).toBe('failed');
    expect(outbox.get(ids.otherDisposition)?.lastError).toMatch(/^DIALER_CALL_ALREADY_DISPOSED/);
    expect(status(ids.unknownPause)).toBe('failed');
    expect(failed.map(([item]) => item.id).sort()).toEqual([ids.otherDisposition, ids.unknownPause].sort());
    expect(sent.sort()).toEqual([ids.hangup, ids.logout, ids.sameDisposition].sort());
    expect(outbox.list({ status: 'failed' })).toHaveLength(2);
  });

  it('refuses a command the contract refuses at enqueue, naming each problem', () => {
    const outbox = dialerOutbox();
    const port = new DialerCommandPort(outbox);
    expect(() =>
      port.send(ORG, { route: 'calls.disposition', params: { id: 'c1' }, body: { tagCode: '' } }, 'x'),
    ).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', message: expect.stringContaining('body.tagCode') }));
    expect(() =>
      port.send(ORG, { route: 'agents.pause', params: { dialerUser: 'not a user!' }, body: { idStatus: 2 } }, 'y'),
    ).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', message: expect.stringContaining('params.dialerUser') }),
    );
    expect(outbox.list()).toHaveLength(0);
  });
});

describe('Outbox mechanics (a scripted send)', () => {
  type Pending = { item: OutboxItem; resolve: (r: OutboxResult) => void; inTransaction: boolean };

  function scripted() {
    const calls: Pending[] = [];
    const send = (item: OutboxItem) =>
      new Promise<OutboxResult>((resolve) => calls.push({ item, resolve, inTransaction: store.db.inTransaction }));
    return { calls, send };
  }
  const flush = () => new Promise((r) => setImmediate(r));

  it('ignores a duplicate idempotency key and never sends inside the caller’s transaction', async () => {
    const { calls, send } = scripted();
    const outbox = new Outbox(store.db, clock, send);
    outboxes.push(outbox);
    outbox.start();
    const [a, b] = store.db.transaction((): [number, number] => {
      const x = outbox.enqueue({ orgId: 'o', kind: 'k', orderingKey: 'q', payload: { n: 1 }, idempotencyKey: 'same' });
      const y = outbox.enqueue({ orgId: 'o', kind: 'k', orderingKey: 'q', payload: { n: 1 }, idempotencyKey: 'same' });
      expect(calls).toHaveLength(0);
      return [x, y];
    })();
    expect(a).toBe(b);
    await flush();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.inTransaction).toBe(false);
    expect(calls[0]?.item).toMatchObject({ id: a, payload: { n: 1 }, idempotencyKey: 'same', attempts: 0 });
    calls[0]?.resolve('sent');
    await outbox.idle();
    expect(outbox.get(a)?.status).toBe('sent');
  });

  it('one item in flight per key, in order; keys in parallel up to the bound; backoff doubles up to the cap', async () => {
    const { calls, send } = scripted();
    const outbox = new Outbox(store.db, clock, send, { concurrency: 2, baseDelayMs: 100, maxDelayMs: 250 });
    outboxes.push(outbox);
    const enqueue = (key: string, n: number) =>
      outbox.enqueue({ orgId: 'o', kind: 'k', orderingKey: key, payload: n, idempotencyKey: `${key}-${n}` });
    enqueue('A', 1);
    enqueue('A', 2);
    enqueue('B', 1);
    enqueue('C', 1);
    outbox.start();
    await flush();
    expect(calls.map((c) => c.item.idempotencyKey)).toEqual(['A-1', 'B-1']);

    calls[0]?.resolve({ retry: 'down' }); // A-1 again after 100 ms; A-2 waits behind it
    await flush();
    await flush();
    expect(calls.map((c) => c.item.idempotencyKey)).toEqual(['A-1', 'B-1', 'C-1']);
    calls[1]?.resolve('sent');
    calls[2]?.resolve('sent');
    await outbox.idle();
    expect(calls).toHaveLength(3);

    const attemptsOfA1 = async (advance: number) => {
      clock.advance(advance);
      await flush();
      const last = calls.at(-1)!;
      expect(last.item.idempotencyKey).toBe('A-1');
      last.resolve({ retry: 'still down' });
      await outbox.idle();
    };
    await attemptsOfA1(100); // attempt 2, then 200 ms
    clock.advance(199);
    await outbox.idle();
    expect(calls).toHaveLength(4);
    await attemptsOfA1(1); // attempt 3, then capped at 250 ms
    expect(outbox.get(1)).toMatchObject({ attempts: 3, nextAttemptAt: clock.now() + 250, lastError: 'still down' });
    clock.advance(250);
    await flush();
    calls.at(-1)?.resolve('sent');
    await flush();
    await flush();
    expect(calls.at(-1)?.item.idempotencyKey).toBe('A-2');
    calls.at(-1)?.resolve({ failed: 'refused' });
    await outbox.idle();
    expect(outbox.list().map((i) => [i.idempotencyKey, i.status])).toEqual([
      ['A-1', 'sent'],
      ['A-2', 'failed'],
      ['B-1', 'sent'],
      ['C-1', 'sent'],
    ]);
    expect(outbox.requeue(2)).toBe(true);
    await flush();
    calls.at(-1)?.resolve('sent');
    await outbox.idle();
    expect(outbox.get(2)?.status).toBe('sent');
  });

  it('delivery starts as the enqueuing transaction commits; a requeue that rolls back sends nothing', async () => {
    const { calls, send } = scripted();
    const outbox = new Outbox(store.db, clock, send);
    outboxes.push(outbox);
    outbox.start();
    const id = store.db.transaction(() =>
      outbox.enqueue({ orgId: 'o', kind: 'k', orderingKey: 'q', payload: 1, idempotencyKey: 'q-1' }),
    )();
    expect(calls.map((c) => [c.item.id, c.inTransaction])).toEqual([[id, false]]); // no tick in between
    calls[0]?.resolve({ failed: 'refused' });
    await outbox.idle();
    expect(() =>
      store.db.transaction(() => {
        expect(outbox.requeue(id)).toBe(true);
        throw new Error('the fix was not saved');
      })(),
    ).toThrow('the fix was not saved');
    await outbox.idle();
    expect(calls).toHaveLength(1);
    expect(outbox.get(id)?.status).toBe('failed');
  });

  it('an item whose transaction rolled back is never sent, even when a later item reuses its id', async () => {
    const { calls, send } = scripted();
    const outbox = new Outbox(store.db, clock, send);
    outboxes.push(outbox);
    outbox.start();
    const enqueue = (key: string) =>
      outbox.enqueue({ orgId: 'o', kind: 'k', orderingKey: key, payload: key, idempotencyKey: key });
    let rolledBackId = 0;
    expect(() =>
      store.db.transaction(() => {
        rolledBackId = enqueue('rolled-back');
        throw new Error('the state change failed');
      })(),
    ).toThrow('the state change failed');
    const kept = enqueue('kept');
    expect(kept).toBe(rolledBackId); // AUTOINCREMENT hands the id out again after a rollback
    await flush();
    expect(calls.map((c) => c.item.idempotencyKey)).toEqual(['kept']);
    calls[0]?.resolve('sent');
    await outbox.idle();
    expect(calls).toHaveLength(1);
    expect(outbox.list().map((i) => [i.idempotencyKey, i.status])).toEqual([['kept', 'sent']]);
  });

  it('an item settled or deleted in the table before its turn is not sent', async () => {
    const { calls, send } = scripted();
    const outbox = new Outbox(store.db, clock, send, { concurrency: 1 });
    outboxes.push(outbox);
    const enqueue = (key: string) =>
      outbox.enqueue({ orgId: 'o', kind: 'k', orderingKey: key, payload: key, idempotencyKey: key });
    outbox.start();
    const [first, deleted, settled, last] = ['first', 'deleted', 'settled', 'last'].map(enqueue);
    await flush();
    expect(calls.map((c) => c.item.idempotencyKey)).toEqual(['first']);
    // While the first is in flight: one row goes (as when its organization is deleted), one is settled by hand.
    store.db.prepare('DELETE FROM outbox WHERE id = ?').run(deleted);
    store.db.prepare("UPDATE outbox SET status = 'failed', last_error = 'by hand' WHERE id = ?").run(settled);
    calls[0]?.resolve('sent');
    await flush();
    await flush();
    expect(calls.map((c) => c.item.idempotencyKey)).toEqual(['first', 'last']);
    calls[1]?.resolve('sent');
    await outbox.idle();
    expect([first, last].map((id) => outbox.get(id!)?.status)).toEqual(['sent', 'sent']);
    expect(outbox.get(settled!)).toMatchObject({ status: 'failed', lastError: 'by hand', attempts: 0 });
  });

  it('a requeued item goes before the later items of its key that are still pending', async () => {
    const { calls, send } = scripted();
    const outbox = new Outbox(store.db, clock, send);
    outboxes.push(outbox);
    const enqueue = (n: number) =>
      outbox.enqueue({ orgId: 'o', kind: 'k', orderingKey: 'q', payload: n, idempotencyKey: `q-${n}` });
    outbox.start();
    const one = enqueue(1);
    await flush();
    calls[0]?.resolve({ failed: 'refused' });
    await outbox.idle();
    enqueue(2);
    enqueue(3);
    await flush();
    expect(calls.map((c) => c.item.idempotencyKey)).toEqual(['q-1', 'q-2']);
    expect(outbox.requeue(one)).toBe(true); // while q-2 is in flight: q-1 is next, then q-3
    calls[1]?.resolve('sent');
    await flush();
    await flush();
    expect(calls.map((c) => c.item.idempotencyKey)).toEqual(['q-1', 'q-2', 'q-1']);
    calls[2]?.resolve('sent');
    await flush();
    await flush();
    expect(calls.map((c) => c.item.idempotencyKey)).toEqual(['q-1', 'q-2', 'q-1', 'q-3']);
    calls[3]?.resolve('sent');
    await outbox.idle();
    expect(outbox.pending()).toBe(0);
  });

  it('stop() waits for the send under way and records its result', async () => {
    const { calls, send } = scripted();
    const outbox = new Outbox(store.db, clock, send);
    outbox.start();
    const id = outbox.enqueue({ orgId: 'o', kind: 'k', orderingKey: 'q', payload: null, idempotencyKey: 'k1' });
    await flush();
    let stopped = false;
    const stopping = outbox.stop().then(() => {
      stopped = true;
    });
    await flush();
    expect(stopped).toBe(false);
    calls[0]?.resolve('sent');
    await stopping;
    expect(outbox.get(id)?.status).toBe('sent');
  });
});
