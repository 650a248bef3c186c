import { afterEach, describe, expect, it } from 'vitest';
import type { Call } from '../../contract/calls.ts';
import { readSse } from '../../core/sse-reader.ts';
import { startTestPair, type TestPair } from '../../harness/pair.ts';

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
