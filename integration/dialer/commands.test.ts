import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/clock.ts';
import { migrate, openDatabase } from '../../core/db.ts';
import { testDatabase, testDialerClients } from '../../harness/dialer-client.ts';
import { availableAgent, startTestSimulator, type TestSimulator } from '../../harness/simulator.ts';
import { integrationMigrations } from '../store/migrations.ts';
import { DialerCommandPort, dialerCommandSender, orderingKeyOf } from './commands.ts';
import { Outbox } from './outbox.ts';

let t: TestSimulator;
beforeAll(async () => {
  t = await startTestSimulator();
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.admin.request('POST', '/__admin/reset', { json: {} });
});

const outboxes: Outbox[] = [];
afterEach(async () => {
  for (const o of outboxes.splice(0)) await o.stop();
});

/** A port nothing listens on: a dialer that is down. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

describe('the command port', () => {
  it('keys every command with its organization, per call or per agent', () => {
    expect(orderingKeyOf('a', { route: 'agents.pause', params: { dialerUser: 'ana' }, body: { idStatus: 2 } })).toBe(
      'a:agent:ana',
    );
    expect(orderingKeyOf('b', { route: 'agents.logout', params: { dialerUser: 'ana' } })).toBe('b:agent:ana');
    expect(orderingKeyOf('a', { route: 'calls.hangup', params: { id: 'c-1' }, body: { by: 'agent' } })).toBe(
      'a:call:c-1',
    );
  });

  it('one organization’s unreachable dialer delays nothing of another’s, even for the same dialer user', async () => {
    const store = testDatabase(['org-a', 'org-b']);
    const { clients, settings } = testDialerClients(t, 'org-b', { attempts: 1 });
    settings.set('org-a', { ...settings.get('org-b')!, dialerUrl: `https://127.0.0.1:${await closedPort()}` });
    const clock = new VirtualClock();
    const outbox = new Outbox(store.db, clock, dialerCommandSender(clients));
    outboxes.push(outbox);
    const port = new DialerCommandPort(outbox);
    await availableAgent(t, 'ana');
    // org-a's pause for its 'ana' is queued first; org-b's 'ana' is another person at another dialer.
    const [a, b] = store.db.transaction(() => [
      port.send('org-a', { route: 'agents.pause', params: { dialerUser: 'ana' }, body: { idStatus: 2 } }, 'p1'),
      port.send('org-b', { route: 'agents.pause', params: { dialerUser: 'ana' }, body: { idStatus: 3 } }, 'p1'),
    ])();
    outbox.start();
    await outbox.idle();
    expect(outbox.get(a!)).toMatchObject({ status: 'pending', lastError: expect.stringMatching(/DIALER_UNREACHABLE/) });
    expect(outbox.get(b!)?.status).toBe('sent');
    expect((await t.api.request<{ idStatus: number }>('GET', '/api/v1/agents/ana/status')).body.idStatus).toBe(3);
    // The same dedupe key in two organizations is two commands.
    expect(outbox.get(a!)?.idempotencyKey).toBe('org-a:p1');
    expect(outbox.get(b!)?.idempotencyKey).toBe('org-b:p1');
    await clients.closeAll();
  });
});

describe('migration 2', () => {
  it('rewrites stored commands as routes with organization-scoped keys, and they are delivered', async () => {
    const store = testDatabase(['omni-acme']);
    const file = store.file;
    store.db.close();
    // A database as version 1 left it: commands by kind, ordering keys without the organization.
    const old = openDatabase(`${file}.v1`);
    migrate(old, integrationMigrations.slice(0, 1));
    old.prepare("INSERT INTO organizations (id, name, created_at, updated_at) VALUES ('omni-acme', 'x', 0, 0)").run();
    const insert = old.prepare(
      `INSERT INTO outbox (org_id, kind, ordering_key, payload, idempotency_key, status, attempts, next_attempt_at,
         created_at) VALUES ('omni-acme', ?, ?, ?, ?, ?, 0, 0, 0)`,
    );
    await availableAgent(t, 'ana');
    const call = await t.admin.request<{ id: string }>('POST', '/__admin/organizations/acme/calls', {
      json: { dialerUser: 'ana' },
    });
    insert.run('hangup', call.body.id, JSON.stringify({ callId: call.body.id, by: 'supervisor' }), 'h', 'pending');
    insert.run(
      'disposition',
      call.body.id,
      JSON.stringify({ callId: call.body.id, tagCode: 'VENDA', notes: 'ok' }),
      'd',
      'pending',
    );
    insert.run('pause', 'agent:ana', JSON.stringify({ dialerUser: 'ana', idStatus: 2 }), 'p', 'failed');
    insert.run('logout', 'agent:bia', JSON.stringify({ dialerUser: 'bia' }), 'l', 'sent');

    expect(migrate(old, integrationMigrations)).toContain(2);
    const rows = old.prepare('SELECT kind, ordering_key, payload FROM outbox ORDER BY id').all();
    expect(rows).toEqual([
      {
        kind: 'calls.hangup',
        ordering_key: `omni-acme:call:${call.body.id}`,
        payload: JSON.stringify({ params: { id: call.body.id }, body: { by: 'supervisor' } }),
      },
      {
        kind: 'calls.disposition',
        ordering_key: `omni-acme:call:${call.body.id}`,
        payload: JSON.stringify({ params: { id: call.body.id }, body: { tagCode: 'VENDA', notes: 'ok' } }),
      },
      {
        kind: 'agents.pause',
        ordering_key: 'omni-acme:agent:ana',
        payload: JSON.stringify({ params: { dialerUser: 'ana' }, body: { idStatus: 2 } }),
      },
      {
        kind: 'agents.logout',
        ordering_key: 'omni-acme:agent:bia',
        payload: JSON.stringify({ params: { dialerUser: 'bia' } }),
      },
    ]);

    const { clients } = testDialerClients(t, 'omni-acme');
    const outbox = new Outbox(old, new VirtualClock(), dialerCommandSender(clients));
    outboxes.push(outbox);
    outbox.start();
    await outbox.idle();
    expect(outbox.list().map((i) => i.status)).toEqual(['sent', 'sent', 'failed', 'sent']);
    const dialerCall = await t.api.request<{ state: string; disposition: { tagCode: string } }>(
      'GET',
      `/api/v1/calls/${call.body.id}`,
    );
    expect(dialerCall.body).toMatchObject({ state: 'ended', disposition: { tagCode: 'VENDA' } });
    expect(outbox.requeue(outbox.list({ status: 'failed' })[0]!.id)).toBe(true);
    await outbox.idle();
    expect(outbox.list().map((i) => i.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    await clients.closeAll();
    old.close();
  });
});
