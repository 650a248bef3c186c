import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Call } from '../../contract/calls.ts';
import { availableAgent, eventsOf, startTestSimulator, type TestSimulator } from '../../harness/simulator.ts';

let t: TestSimulator;
beforeEach(async () => {
  await t?.close();
  t = await startTestSimulator();
});
afterAll(() => t.close());

async function callInWrapUp(user = 'ana'): Promise<string> {
  await availableAgent(t, user);
  const call = await t.admin.request<Call>('POST', '/__admin/organizations/acme/calls', { json: { dialerUser: user } });
  expect(call.status).toBe(201);
  await t.admin.request('POST', `/__admin/organizations/acme/calls/${call.body.id}/hangup`);
  return call.body.id;
}

const agentState = async (user: string) =>
  (await t.api.request<{ state: string }>('GET', `/api/v1/agents/${user}/status`)).body.state;

describe('call delivery', () => {
  it('offers a call to an available agent, connects it, and the customer’s hang-up starts wrap-up', async () => {
    await availableAgent(t, 'ana');
    const call = await t.admin.request<Call>('POST', '/__admin/organizations/acme/calls', {
      json: { dialerUser: 'ana' },
    });
    expect(call.body).toMatchObject({ state: 'connected', dialerUser: 'ana', origin: 'scripted' });
    expect(call.body.lead.cpf).toMatch(/^\d{11}$/);
    expect(await agentState('ana')).toBe('in_call');
    const types = eventsOf(t).map((e) => e.type);
    expect(types.slice(-3)).toEqual(['call.offered', 'agent.state_changed', 'call.connected']);
    await t.admin.request('POST', `/__admin/organizations/acme/calls/${call.body.id}/hangup`);
    expect(await agentState('ana')).toBe('wrap_up');
    expect(eventsOf(t, 'call.ended').at(-1)?.data).toMatchObject({
      callId: call.body.id,
      endedBy: 'customer',
      outcome: 'answered',
    });
  });

  it('refuses to offer a call to an agent who is not available', async () => {
    const res = await t.admin.request('POST', '/__admin/organizations/acme/calls', { json: { dialerUser: 'ana' } });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: 'AGENT_NOT_AVAILABLE' } });
  });

  it('a call without a target waits for the next agent who becomes available', async () => {
    const call = await t.admin.request<Call>('POST', '/__admin/organizations/acme/calls', { json: {} });
    expect(call.body.state).toBe('waiting_agent');
    await availableAgent(t, 'bia');
    expect((await t.api.request<Call>('GET', `/api/v1/calls/${call.body.id}`)).body).toMatchObject({
      state: 'connected',
      dialerUser: 'bia',
    });
  });

  it('the agent hangs up: the call ends by agent and the agent goes to wrap-up', async () => {
    await availableAgent(t, 'ana');
    const call = await t.admin.request<Call>('POST', '/__admin/organizations/acme/calls', {
      json: { dialerUser: 'ana' },
    });
    const res = await t.api.request<Call>('POST', `/api/v1/calls/${call.body.id}/hangup`);
    expect(res.body).toMatchObject({ state: 'ended', endedBy: 'agent' });
    const again = await t.api.request('POST', `/api/v1/calls/${call.body.id}/hangup`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'CALL_ALREADY_ENDED' } });
  });

  it('answers 404 CALL_NOT_FOUND for another organization’s or an unknown call', async () => {
    const res = await t.api.request('GET', '/api/v1/calls/nope');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: 'CALL_NOT_FOUND' } });
  });
});

describe('disposition: exactly once per call', () => {
  it('records the disposition and returns the agent to available', async () => {
    const id = await callInWrapUp();
    const res = await t.api.request('POST', `/api/v1/calls/${id}/disposition`, {
      json: { tagCode: 'VENDA', notes: 'cliente aceitou' },
      headers: { 'idempotency-key': 'k1' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ callId: id, tagCode: 'VENDA', notes: 'cliente aceitou', dialerUser: 'ana' });
    expect(await agentState('ana')).toBe('available');
    expect((await t.api.request<Call>('GET', `/api/v1/calls/${id}`)).body.disposition).toMatchObject({
      tagCode: 'VENDA',
    });
  });

  it('replays the first answer for the same Idempotency-Key', async () => {
    const id = await callInWrapUp();
    const first = await t.api.request('POST', `/api/v1/calls/${id}/disposition`, {
      json: { tagCode: 'VENDA' },
      headers: { 'idempotency-key': 'same' },
    });
    const replay = await t.api.request('POST', `/api/v1/calls/${id}/disposition`, {
      json: { tagCode: 'VENDA' },
      headers: { 'idempotency-key': 'same' },
    });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(eventsOf(t, 'call.disposed')).toHaveLength(1);
    expect(eventsOf(t, 'violation')).toHaveLength(0);
  });

  it('refuses a second, different disposition with 409 and records a violation', async () => {
    const id = await callInWrapUp();
    await t.api.request('POST', `/api/v1/calls/${id}/disposition`, {
      json: { tagCode: 'VENDA' },
      headers: { 'idempotency-key': 'a' },
    });
    const second = await t.api.request('POST', `/api/v1/calls/${id}/disposition`, {
      json: { tagCode: 'RECUSA' },
      headers: { 'idempotency-key': 'b' },
    });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({
      error: { code: 'CALL_ALREADY_DISPOSED', details: { first: { tagCode: 'VENDA' } } },
    });
    const v = eventsOf(t, 'violation');
    expect(v).toHaveLength(1);
    expect(v[0]?.data).toMatchObject({ kind: 'disposition_twice', callId: id });
  });

  it('refuses the same key with a different body with 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const id = await callInWrapUp();
    await t.api.request('POST', `/api/v1/calls/${id}/disposition`, {
      json: { tagCode: 'VENDA' },
      headers: { 'idempotency-key': 'k' },
    });
    const res = await t.api.request('POST', `/api/v1/calls/${id}/disposition`, {
      json: { tagCode: 'OUTRA' },
      headers: { 'idempotency-key': 'k' },
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
  });

  it('refuses a disposition of a call still connected with 409 CALL_NOT_ENDED and records a violation', async () => {
    await availableAgent(t, 'ana');
    const call = await t.admin.request<Call>('POST', '/__admin/organizations/acme/calls', {
      json: { dialerUser: 'ana' },
    });
    const res = await t.api.request('POST', `/api/v1/calls/${call.body.id}/disposition`, {
      json: { tagCode: 'VENDA' },
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: 'CALL_NOT_ENDED' } });
    expect(eventsOf(t, 'violation')[0]?.data).toMatchObject({ kind: 'disposition_on_open_call' });
    expect(await agentState('ana')).toBe('in_call');
  });

  it('validates the disposition body with 422', async () => {
    const id = await callInWrapUp();
    const res = await t.api.request('POST', `/api/v1/calls/${id}/disposition`, { json: { tagCode: '' } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });

  it('under 20 concurrent dispositions with different keys, exactly one wins and the rest are 409', async () => {
    for (let round = 0; round < 5; round++) {
      const id = await callInWrapUp();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          t.api.request('POST', `/api/v1/calls/${id}/disposition`, {
            json: { tagCode: `TAG${i}` },
            headers: { 'idempotency-key': `r${round}-${i}` },
          }),
        ),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.filter((r) => r.status === 409)).toHaveLength(19);
      expect(eventsOf(t, 'call.disposed').filter((e) => e.data.callId === id)).toHaveLength(1);
      const row = t.sim.db.prepare('SELECT COUNT(*) AS n FROM dispositions WHERE call_id = ?').get(id) as { n: number };
      expect(row.n).toBe(1);
    }
  });
});

describe('transfers and the AGV', () => {
  it('transfers a connected call to an AGV: the agent wraps up, the AGV holds it, then hands it back to Omni', async () => {
    await availableAgent(t, 'ana');
    const call = await t.admin.request<Call>('POST', '/__admin/organizations/acme/calls', {
      json: { dialerUser: 'ana' },
    });
    const res = await t.api.request<{ call: Call; newCall: Call }>('POST', `/api/v1/calls/${call.body.id}/transfer`, {
      json: { extension: '7001' },
    });
    expect(res.status).toBe(200);
    expect(res.body.call).toMatchObject({ state: 'ended', endedBy: 'transfer', transferredTo: '7001' });
    expect(res.body.newCall).toMatchObject({ state: 'agv', agvExtension: '7001', parentCallId: call.body.id });
    expect(await agentState('ana')).toBe('wrap_up');
    t.clock.advance(9_999);
    expect((await t.api.request<Call>('GET', `/api/v1/calls/${res.body.newCall.id}`)).body.state).toBe('agv');
    t.clock.advance(1);
    const queued = (await t.api.request<Call>('GET', `/api/v1/calls/${res.body.newCall.id}`)).body;
    expect(queued).toMatchObject({ state: 'queued', originExtension: '7001' });
    expect(eventsOf(t, 'call.agv_transferred').at(-1)?.data).toMatchObject({ extension: '7001' });
  });

  it('Omni assigns the queued call to an agent of the AGV’s service', async () => {
    const call = await t.admin.request<Call>('POST', '/__admin/organizations/acme/calls', {
      json: { agvExtension: '7001' },
    });
    await t.admin.request('POST', `/__admin/organizations/acme/calls/${call.body.id}/agv-transfer`);
    const busy = await t.api.request('POST', `/api/v1/calls/${call.body.id}/assign`, { json: { dialerUser: 'bia' } });
    expect(busy.status).toBe(409);
    expect(busy.body).toMatchObject({ error: { code: 'AGENT_NOT_AVAILABLE' } });
    await availableAgent(t, 'bia');
    const res = await t.api.request<Call>('POST', `/api/v1/calls/${call.body.id}/assign`, {
      json: { dialerUser: 'bia' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'connected', dialerUser: 'bia', originExtension: '7001' });
  });

  it('an AGV with the hang-up behaviour ends the call after holding it', async () => {
    const call = await t.admin.request<Call>('POST', '/__admin/organizations/acme/calls', {
      json: { agvExtension: '7002' },
    });
    t.clock.advance(5_000);
    expect((await t.api.request<Call>('GET', `/api/v1/calls/${call.body.id}`)).body).toMatchObject({
      state: 'ended',
      endedBy: 'agv',
    });
  });

  it('transfers to another agent’s extension, and says why a transfer fails', async () => {
    await availableAgent(t, 'ana');
    const call = await t.admin.request<Call>('POST', '/__admin/organizations/acme/calls', {
      json: { dialerUser: 'ana' },
    });
    const offline = await t.api.request('POST', `/api/v1/calls/${call.body.id}/transfer`, {
      json: { extension: '2002' },
    });
    expect(offline.status).toBe(409);
    expect(offline.body).toMatchObject({ error: { code: 'TRANSFER_TARGET_OFFLINE' } });
    const unknown = await t.api.request('POST', `/api/v1/calls/${call.body.id}/transfer`, {
      json: { extension: '9999' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({
      error: { code: 'EXTENSION_NOT_FOUND', details: { known: expect.any(Array) } },
    });
    await availableAgent(t, 'bia');
    const ok = await t.api.request<{ newCall: Call }>('POST', `/api/v1/calls/${call.body.id}/transfer`, {
      json: { extension: '2002' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.newCall).toMatchObject({ state: 'connected', dialerUser: 'bia', origin: 'agent_transfer' });
  });
});
