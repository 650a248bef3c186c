import { afterEach, describe, expect, it } from 'vitest';
import type { Call } from '../../contract/calls.ts';
import { readSse } from '../../core/sse-reader.ts';
import { PASSWORDS, startTestPair, type TestPair } from '../../harness/pair.ts';
import { provisionOrganization } from '../provision.ts';

let p: TestPair;
afterEach(async () => {
  await p?.close();
});

describe('Monitoração', () => {
  it('shows agents with state and slots, and attendances in wrap-up with the time left', async () => {
    p = await startTestPair();
    const { token } = await p.login('ana');
    await p.client(token).request('POST', '/api/v1/me/available');
    await p.settle();
    const campaign = await p.dialer.api.request<{ id: string }>('POST', '/api/v1/campaigns', {
      json: { name: 'Cobrança', service: 'COBRANCA', pacing: { mode: 'scripted' } },
    });
    await p.dialer.api.request('POST', `/api/v1/campaigns/${campaign.body.id}/mailing/generate`, {
      json: { size: 3, seed: 's' },
    });
    const call = await p.dialer.admin.request<Call>('POST', '/__admin/organizations/acme/calls', {
      json: { dialerUser: 'ana', campaignId: campaign.body.id },
    });
    await p.settle();
    expect(p.omni.attendances.byCall(call.body.id)?.serviceId).toBe(p.ids.services.campaign.id);
    const sup = p.client((await p.login('supervisor')).token);
    const agents = await sup.request<Array<{ username: string; state: string; slots: object; loggedIn: boolean }>>(
      'GET',
      '/api/v1/monitoring/agents',
    );
    expect(agents.body.find((a) => a.username === 'ana')).toMatchObject({
      loggedIn: true,
      state: 'in_call',
      slots: { total: 1, used: 1, free: 0 },
    });
    expect(agents.body.find((a) => a.username === 'bia')).toMatchObject({ loggedIn: false, state: 'logged_out' });
    await p.dialer.admin.request('POST', `/__admin/organizations/acme/calls/${call.body.id}/hangup`);
    await p.settle();
    p.clock.advance(12_000);
    const board = await sup.request<{
      wrapUp: Array<{ callId: string; wrapUpLeftMs: number }>;
      perService: Array<{ name: string; wrapUp: number }>;
    }>('GET', '/api/v1/monitoring/attendances');
    expect(board.body.wrapUp).toEqual([expect.objectContaining({ callId: call.body.id, wrapUpLeftMs: 18_000 })]);
    expect(board.body.perService).toContainEqual(expect.objectContaining({ name: 'Cobrança', wrapUp: 1 }));
  });

  it('streams every change live (SSE), so a freed slot shows at once', async () => {
    p = await startTestPair();
    const supToken = (await p.login('supervisor')).token;
    const ac = new AbortController();
    const res = await p.client(supToken).stream('/api/v1/monitoring/stream', {}, ac.signal);
    expect(res.status).toBe(200);
    const seen: Array<{ event: string; data: { state?: string; slots?: { used: number } } }> = [];
    const reading = readSse(res.body as ReadableStream<Uint8Array>, (m) =>
      seen.push({ event: m.event ?? '', data: JSON.parse(m.data) }),
    );
    const { token } = await p.login('ana');
    await p.client(token).request('POST', '/api/v1/me/available');
    await p.settle();
    const call = await p.dialer.admin.request<Call>('POST', '/__admin/organizations/acme/calls', {
      json: { dialerUser: 'ana' },
    });
    await p.settle();
    const att = p.omni.attendances.byCall(call.body.id)!;
    await p
      .client(supToken)
      .request('POST', `/api/v1/monitoring/attendances/${att.id}/finalize`, { json: { tagCode: 'RECUSA' } });
    await p.settle();
    await new Promise((r) => setTimeout(r, 50));
    ac.abort();
    await reading;
    const attendanceStates = seen.filter((s) => s.event === 'attendance').map((s) => s.data.state);
    expect(attendanceStates).toContain('in_progress');
    expect(attendanceStates.at(-1)).toBe('finalized');
    expect(seen.some((s) => s.event === 'agent')).toBe(true);
  });

  it('is for supervisors: an agent gets 403', async () => {
    p = await startTestPair();
    const agent = p.client((await p.login('ana')).token);
    const res = await agent.request('GET', '/api/v1/monitoring/agents');
    expect(res.status).toBe(403);
  });
});

type Command = { id: number; kind: string; status: string; payload: unknown; lastError: string | null };
type ErrorJson = { error: { code: string; details: Record<string, unknown> } };

/** Ana asks for a pause whose ID Status the dialer does not know: the dialer refuses the command for good. */
async function failedPauseCommand(p: TestPair) {
  const admin = p.client((await p.login('admin')).token);
  const pause = await admin.request<{ id: string }>('POST', '/api/v1/organizations/acme/pauses', {
    json: { name: 'Reunião de equipe', idStatus: 77 },
  });
  expect(pause.status).toBe(201);
  const ana = p.client((await p.login('ana')).token);
  await ana.request('POST', '/api/v1/me/available');
  await p.settle();
  expect((await ana.request('POST', '/api/v1/me/pause', { json: { pauseId: pause.body.id } })).status).toBe(202);
  await p.settle();
  const sup = p.client((await p.login('supervisor')).token);
  const failed = await sup.request<Command[]>('GET', '/api/v1/monitoring/dialer/commands?status=failed');
  expect(failed.status).toBe(200);
  expect(failed.body).toHaveLength(1);
  return { sup, command: failed.body[0]! };
}

describe('Monitoração › dialer commands', () => {
  it('lists a command the dialer refused for good, with why', async () => {
    p = await startTestPair();
    const { command } = await failedPauseCommand(p);
    expect(command).toMatchObject({ status: 'failed', attempts: 1, nextAttemptAt: null });
    expect(JSON.stringify(command.payload)).toContain('77');
    expect(command.lastError).toMatch(/PAUSE_UNKNOWN/);
  });

  it('requeues a failed command once its cause is fixed: it reaches the dialer and its alert is resolved', async () => {
    p = await startTestPair();
    const { sup, command } = await failedPauseCommand(p);
    const alertOf = async () =>
      (await sup.request<Array<{ code: string; details: { outboxId?: number } }>>('GET', '/api/v1/alerts')).body.filter(
        (a) => a.code === 'DIALER_COMMAND_FAILED' && a.details.outboxId === command.id,
      );
    expect(await alertOf()).toHaveLength(1);
    // The cause: the dialer's catalogue lacks ID Status 77. Fixed at the dialer:
    const added = await p.dialer.api.request('POST', '/api/v1/pauses', {
      json: { idStatus: 77, name: 'Reunião de equipe' },
    });
    expect(added.status).toBe(201);

    const requeued = await sup.request<Command>('POST', `/api/v1/monitoring/dialer/commands/${command.id}/requeue`);
    expect(requeued.status).toBe(200);
    expect(requeued.body).toMatchObject({ id: command.id, status: 'pending' });
    await p.settle();

    const sent = await sup.request<Command[]>('GET', '/api/v1/monitoring/dialer/commands?status=sent');
    expect(sent.body.map((c) => c.id)).toContain(command.id);
    const ana = await p.dialer.api.request<{ status: { state: string; idStatus: number | null } }>(
      'GET',
      '/api/v1/agents/ana',
    );
    expect(ana.body.status).toMatchObject({ state: 'paused', idStatus: 77 });
    expect(await alertOf()).toEqual([]);
  });

  it('refuses to requeue a command that did not fail (409) or does not exist (404)', async () => {
    p = await startTestPair();
    const { sup } = await failedPauseCommand(p);
    const sent = await sup.request<Command[]>('GET', '/api/v1/monitoring/dialer/commands?status=sent');
    const available = sent.body.find((c) => c.kind.includes('available'))!;
    const again = await sup.request<ErrorJson>('POST', `/api/v1/monitoring/dialer/commands/${available.id}/requeue`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'DIALER_COMMAND_NOT_FAILED', details: { status: 'sent' } });
    const unknown = await sup.request<ErrorJson>('POST', '/api/v1/monitoring/dialer/commands/999999/requeue');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'DIALER_COMMAND_NOT_FOUND']);
  });

  it('shows and requeues only the supervisor’s own organization’s commands', async () => {
    p = await startTestPair();
    const { command } = await failedPauseCommand(p);
    await provisionOrganization(p.omni, {
      orgId: 'beta',
      name: 'Beta Cobranças',
      // Never reached in this test: beta's dialer is not the one running.
      dialer: {
        key: 'dsk_beta_not_used_0001',
        url: 'https://127.0.0.1:9',
        webrtcUrl: 'wss://127.0.0.1:9/sip',
        certificatePem: p.dialer.certs.server.certPem,
        pauses: [],
      },
      serviceIdentifier: 'BETA',
      agvExtension: '7101',
      agents: [],
      passwords: PASSWORDS,
    });
    const login = await p.client().request<{ token: string }>('POST', '/api/v1/sessions', {
      json: { organization: 'beta', username: 'supervisor', password: PASSWORDS.supervisor },
    });
    expect(login.status, login.text).toBe(201);
    const betaSup = p.client(login.body.token);
    expect((await betaSup.request<Command[]>('GET', '/api/v1/monitoring/dialer/commands?status=failed')).body).toEqual(
      [],
    );
    const requeue = await betaSup.request<ErrorJson>(
      'POST',
      `/api/v1/monitoring/dialer/commands/${command.id}/requeue`,
    );
    expect([requeue.status, requeue.body.error.code]).toEqual([404, 'DIALER_COMMAND_NOT_FOUND']);
    expect(p.omni.outbox.get(command.id)?.status).toBe('failed');
  });

  it('is for supervisors: an agent gets 403 FORBIDDEN_ROLE', async () => {
    p = await startTestPair();
    const agent = p.client((await p.login('ana')).token);
    const res = await agent.request<ErrorJson>('GET', '/api/v1/monitoring/dialer/commands');
    expect([res.status, res.body.error.code]).toEqual([403, 'FORBIDDEN_ROLE']);
  });
});

describe('Monitoração › alerts', () => {
  it('resolves an open alert once; its id is digits only', async () => {
    p = await startTestPair();
    const { sup, command } = await failedPauseCommand(p);
    const open = await sup.request<Array<{ id: number; details: { outboxId?: number } }>>('GET', '/api/v1/alerts');
    const alert = open.body.find((a) => a.details.outboxId === command.id)!;
    expect((await sup.request('POST', `/api/v1/alerts/${alert.id}/resolve`)).status).toBe(200);
    const again = await sup.request<ErrorJson>('POST', `/api/v1/alerts/${alert.id}/resolve`);
    expect([again.status, again.body.error.code]).toEqual([404, 'ALERT_NOT_FOUND']);
    const hex = await sup.request<ErrorJson>('POST', `/api/v1/alerts/0x${alert.id.toString(16)}/resolve`);
    expect([hex.status, hex.body.error.code]).toEqual([422, 'VALIDATION_FAILED']);
  });
});

describe('Monitoração › dialer link', () => {
  it('shows the event stream’s status and the commands waiting and failed', async () => {
    p = await startTestPair();
    await failedPauseCommand(p);
    const sup = p.client((await p.login('supervisor')).token);
    const link = await sup.request<{
      events: { running: boolean; connected: boolean };
      outbox: { pending: number; failed: Command[] };
    }>('GET', '/api/v1/monitoring/dialer');
    expect(link.status).toBe(200);
    expect(link.body.events).toMatchObject({ running: true, connected: true });
    expect(link.body.outbox.pending).toBe(0);
    expect(link.body.outbox.failed.map((c) => c.status)).toEqual(['failed']);
  });
});
