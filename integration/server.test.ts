import { afterEach, describe, expect, it } from 'vitest';
import { startTestPair, type TestPair } from '../harness/pair.ts';

let p: TestPair;
afterEach(async () => {
  await p?.close();
});

describe('the Omni service', () => {
  it('follows the events of an organization as soon as its dialer is configured, also after start', async () => {
    p = await startTestPair();
    const created = await p.dialer.admin.request<{ key: string }>('POST', '/__admin/organizations', {
      json: { id: 'beta', name: 'Beta', agents: [{ dialerUser: 'zeca', name: 'Zeca', password: 'senha-zeca' }] },
    });
    await p.omni.config.organizations.create({ id: 'beta', name: 'Beta' });
    expect(p.omni.consumer.status('beta').running).toBe(false);
    p.omni.config.organizations.update('beta', {
      dialerKey: created.body.key,
      dialerUrl: p.dialer.listening.url,
      webrtcUrl: `${p.dialer.listening.url.replace('https:', 'wss:')}/sip`,
    });
    p.omni.config.organizations.uploadCertificate('beta', p.dialer.certs.server.certPem);
    await new Promise((r) => setTimeout(r, 50));
    expect(p.omni.consumer.status('beta').running).toBe(true);
  });

  it('raises an alert when the dialer refuses a command for good', async () => {
    p = await startTestPair();
    const { agent, callId, attendanceId } = await p.agentOnCall('ana');
    await p.customerHangsUp(callId);
    // Someone disposes the call at the dialer behind Omni's back, with another tag: Omni's disposition is refused.
    await p.dialer.api.request('POST', `/api/v1/calls/${callId}/disposition`, { json: { tagCode: 'OUTRA' } });
    await agent.request('POST', `/api/v1/attendances/${attendanceId}/finalize`, { json: { tagCode: 'VENDA' } });
    await p.settle();
    const sup = p.client((await p.login('supervisor')).token);
    const alerts = await sup.request<Array<{ code: string; details: { kind: string } }>>('GET', '/api/v1/alerts');
    expect(alerts.body).toContainEqual(
      expect.objectContaining({
        code: 'DIALER_COMMAND_FAILED',
        details: expect.objectContaining({ kind: 'calls.disposition' }),
      }),
    );
  });

  it('answers a path no route answers with 404 ROUTE_NOT_FOUND, not a 401 that suggests it exists', async () => {
    p = await startTestPair();
    const anonymous = await p.client().request('GET', '/api/v1/nothing/here');
    expect(anonymous.status).toBe(404);
    expect(anonymous.body).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
    // A route that exists still wants the session.
    expect((await p.client().request('GET', '/api/v1/attendances')).status).toBe(401);
  });

  it('publishes its OpenAPI document with the Omni routes', async () => {
    p = await startTestPair();
    const doc = await p.client().request<{ paths: Record<string, unknown> }>('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/sessions',
        '/api/v1/monitoring/attendances/{id}/finalize',
        '/api/v1/reports/slot-release',
      ]),
    );
  });
});
