import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Call } from '../../contract/calls.ts';
import { ensureCertificates } from '../../harness/certs.ts';
import { startTestPair, type TestPair } from '../../harness/pair.ts';
import { eventsOf } from '../../harness/simulator.ts';

let p: TestPair;
afterEach(async () => {
  await p?.close();
});

async function callInWrapUp() {
  const on = await p.agentOnCall('ana');
  await p.customerHangsUp(on.callId);
  return on;
}

describe('the link to the dialer under failure', () => {
  it('dialer down during a disposition: the outbox delivers it later, once', async () => {
    p = await startTestPair();
    const { agent, callId, attendanceId } = await callInWrapUp();
    await p.dialer.admin.request('POST', '/__admin/faults', {
      json: { match: { path: '/api/v1/calls/*/disposition' }, fault: { kind: 'error', status: 503 }, times: 3 },
    });
    const fin = await agent.request('POST', `/api/v1/attendances/${attendanceId}/finalize`, {
      json: { tagCode: 'VENDA' },
    });
    expect(fin.status).toBe(200);
    await p.settle();
    expect(eventsOf(p.dialer, 'call.disposed')).toHaveLength(0);
    for (let i = 0; i < 6 && eventsOf(p.dialer, 'call.disposed').length === 0; i++) {
      p.clock.advance(1_000);
      await p.settle();
    }
    expect(eventsOf(p.dialer, 'call.disposed').map((e) => e.data.callId)).toEqual([callId]);
    expect(eventsOf(p.dialer, 'violation')).toEqual([]);
  });

  it('a dropped event stream resumes where it stopped: later calls still become attendances', async () => {
    p = await startTestPair();
    const { token } = await p.login('ana');
    await p.client(token).request('POST', '/api/v1/me/available');
    await p.settle();
    const dropped = await p.dialer.admin.request<{ dropped: number }>('POST', '/__admin/streams/drop', { json: {} });
    expect(dropped.body.dropped).toBeGreaterThanOrEqual(1);
    const call = await p.dialer.admin.request<Call>('POST', '/__admin/organizations/acme/calls', {
      json: { dialerUser: 'ana' },
    });
    await p.settle();
    expect(p.omni.attendances.byCall(call.body.id)?.state).toBe('in_progress');
    expect(p.omni.consumer.status('acme').reconnects).toBeGreaterThanOrEqual(1);
  });

  it('a dialer presenting another certificate than the uploaded one is refused, with the reason at login', async () => {
    p = await startTestPair();
    const other = await ensureCertificates(mkdtempSync(join(tmpdir(), 'dsh-other-')));
    p.omni.config.organizations.uploadCertificate('acme', other.server.certPem);
    const { body } = await p.login('ana');
    expect(body).toMatchObject({
      dialer: { status: 'failed', reason: expect.stringContaining('DIALER_CERTIFICATE_MISMATCH') },
    });
  });
});
