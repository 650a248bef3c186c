import { afterEach, describe, expect, it } from 'vitest';
import type { Call } from '../../contract/calls.ts';
import { startTestPair, type TestPair } from '../../harness/pair.ts';

let p: TestPair;
afterEach(async () => {
  await p?.close();
});

async function available(username: string) {
  const { token } = await p.login(username);
  await p.client(token).request('POST', '/api/v1/me/available');
  await p.settle();
  return token;
}

async function agvHandsBack(): Promise<string> {
  const call = await p.dialer.admin.request<Call>('POST', '/__admin/organizations/acme/calls', {
    json: { agvExtension: '7001' },
  });
  await p.dialer.admin.request('POST', `/__admin/organizations/acme/calls/${call.body.id}/agv-transfer`);
  await p.settle();
  return call.body.id;
}

describe('AGV transfers', () => {
  it('a call the AGV hands back lands in the service whose identifier is its ramal and goes to a free agent of it', async () => {
    p = await startTestPair();
    await available('ana');
    const callId = await agvHandsBack();
    await p.settle();
    const att = p.omni.attendances.byCall(callId)!;
    expect(att).toMatchObject({
      state: 'in_progress',
      originExtension: '7001',
      serviceId: p.ids.services.agv.id,
      userId: p.ids.agents[0]!.id,
    });
    expect(p.dialer.sim.flow.get('acme', callId)).toMatchObject({ state: 'connected', dialerUser: 'ana' });
  });

  it('waits in the queue until an agent of the service frees', async () => {
    p = await startTestPair();
    const callId = await agvHandsBack();
    expect(p.omni.attendances.byCall(callId)!.state).toBe('queued');
    const sup = p.client((await p.login('supervisor')).token);
    const board = await sup.request<{ queued: Array<{ callId: string }> }>('GET', '/api/v1/monitoring/attendances');
    expect(board.body.queued.map((a) => a.callId)).toEqual([callId]);
    await available('bia');
    await p.settle();
    expect(p.omni.attendances.byCall(callId)).toMatchObject({ state: 'in_progress', userId: p.ids.agents[1]!.id });
  });

  it('with no service for the ramal: a coded alert for supervisors, and the call is kept, recoverable by hand', async () => {
    p = await startTestPair();
    p.omni.config.services.delete('acme', p.ids.services.agv.id);
    await available('ana');
    const callId = await agvHandsBack();
    const att = p.omni.attendances.byCall(callId)!;
    expect(att.state).toBe('unrouted');
    const sup = p.client((await p.login('supervisor')).token);
    const alerts = await sup.request<Array<{ code: string; details: { extension: string } }>>('GET', '/api/v1/alerts');
    expect(alerts.body).toContainEqual(
      expect.objectContaining({
        code: 'AGV_SERVICE_NOT_FOUND',
        details: expect.objectContaining({ extension: '7001' }),
      }),
    );
    expect(p.dialer.sim.flow.get('acme', callId).state).toBe('queued');
    const routed = await sup.request('POST', `/api/v1/monitoring/attendances/${att.id}/route`, {
      json: { serviceId: p.ids.services.campaign.id },
    });
    expect(routed.status).toBe(200);
    await p.settle();
    expect(p.omni.attendances.byCall(callId)).toMatchObject({ state: 'in_progress', userId: p.ids.agents[0]!.id });
  });
});
