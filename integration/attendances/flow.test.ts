import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/clock.ts';
import { SecretBox } from '../../core/secrets.ts';
import { startTestPair, type TestPair } from '../../harness/pair.ts';
import { eventsOf } from '../../harness/simulator.ts';
import type { Attendance } from './schemas.ts';

let p: TestPair;
afterEach(async () => {
  await p?.close();
});

const disposed = (callId: string) => eventsOf(p.dialer, 'call.disposed').filter((e) => e.data.callId === callId);

describe('attendances of media Discador', () => {
  it('a delivered call becomes an attendance in the campaign’s service with the lead’s data, taking a slot', async () => {
    p = await startTestPair();
    const { agent, attendanceId, callId } = await p.agentOnCall();
    const att = (await agent.request<Attendance>('GET', `/api/v1/attendances/${attendanceId}`)).body;
    expect(att).toMatchObject({ media: 'dialer', state: 'in_progress', callId, userId: p.ids.agents[0]!.id });
    expect(att.lead.cpf).toMatch(/^\d{11}$/);
    const me = await agent.request<{ slots: { used: number; free: number } }>('GET', '/api/v1/me');
    expect(me.body.slots).toEqual({ total: 1, used: 1, free: 0 });
  });

  it('the call’s end opens a 30 s wrap-up; the agent sets tag and notes and finalizes; the dialer gets one disposition', async () => {
    p = await startTestPair();
    const { agent, attendanceId, callId } = await p.agentOnCall();
    await p.customerHangsUp(callId);
    let att = (await agent.request<Attendance>('GET', `/api/v1/attendances/${attendanceId}`)).body;
    expect(att).toMatchObject({ state: 'wrap_up', wrapUpLeftMs: 30_000 });
    await agent.request('PATCH', `/api/v1/attendances/${attendanceId}/tabulation`, { json: { tagCode: 'RECUSA' } });
    await agent.request('PATCH', `/api/v1/attendances/${attendanceId}/tabulation`, {
      json: { tagCode: 'VENDA', notes: 'fechou' },
    });
    const fin = await agent.request<Attendance>('POST', `/api/v1/attendances/${attendanceId}/finalize`, { json: {} });
    expect(fin.status).toBe(200);
    expect(fin.body).toMatchObject({ state: 'finalized', finalizedBy: 'agent', tagCode: 'VENDA', notes: 'fechou' });
    await p.settle();
    expect(disposed(callId).map((e) => [e.data.tagCode, e.data.notes])).toEqual([['VENDA', 'fechou']]);
    expect(p.dialer.sim.sessions.status('acme', 'ana').state).toBe('available');
    att = (await agent.request<Attendance>('GET', `/api/v1/attendances/${attendanceId}`)).body;
    expect(att.slotFreedAt).toBe(att.finalizedAt);
    expect(att.dialerFreedAt).not.toBeNull();
  });

  it('auto-tabulation keeps the agent’s tag and notes when the window runs out', async () => {
    p = await startTestPair();
    const { agent, attendanceId, callId } = await p.agentOnCall();
    await p.customerHangsUp(callId);
    await agent.request('PATCH', `/api/v1/attendances/${attendanceId}/tabulation`, {
      json: { tagCode: 'PROMESSA', notes: 'paga dia 10' },
    });
    p.clock.advance(29_999);
    expect(p.omni.attendances.get('acme', attendanceId).state).toBe('wrap_up');
    p.clock.advance(1);
    expect(p.omni.attendances.get('acme', attendanceId)).toMatchObject({
      state: 'finalized',
      finalizedBy: 'auto',
      tagCode: 'PROMESSA',
      notes: 'paga dia 10',
    });
    await p.settle();
    expect(disposed(callId).map((e) => e.data.tagCode)).toEqual(['PROMESSA']);
  });

  it('auto-tabulation uses the organization’s tag when the agent set none', async () => {
    p = await startTestPair();
    const { attendanceId, callId } = await p.agentOnCall();
    await p.customerHangsUp(callId);
    p.clock.advance(30_000);
    expect(p.omni.attendances.get('acme', attendanceId)).toMatchObject({
      finalizedBy: 'auto',
      tagCode: 'SEM_TABULACAO',
    });
    await p.settle();
    expect(disposed(callId)).toHaveLength(1);
  });

  it('the window follows the organization’s setting', async () => {
    p = await startTestPair({ windowSeconds: 5 });
    const { attendanceId, callId } = await p.agentOnCall();
    await p.customerHangsUp(callId);
    p.clock.advance(5_000);
    expect(p.omni.attendances.get('acme', attendanceId).finalizedBy).toBe('auto');
  });

  it('a supervisor finalizes a call still up: the dialer hangs it up first, then gets the disposition; the slot frees at once', async () => {
    p = await startTestPair();
    const { attendanceId, callId, agent } = await p.agentOnCall();
    const sup = p.client((await p.login('supervisor')).token);
    const res = await sup.request<Attendance>('POST', `/api/v1/monitoring/attendances/${attendanceId}/finalize`, {
      json: { tagCode: 'RECUSA', notes: 'encerrado pelo gestor' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'finalized', finalizedBy: 'supervisor', tagCode: 'RECUSA' });
    // The answer says the slot is free now (not null until the dialer's confirmation arrives).
    expect(res.body.slotFreedAt).toBe(res.body.finalizedAt);
    expect(res.body.dialerFreedAt).toBeNull();
    const me = await agent.request<{ slots: { used: number } }>('GET', '/api/v1/me');
    expect(me.body.slots.used).toBe(0);
    await p.settle();
    const call = p.dialer.sim.flow.get('acme', callId);
    expect(call).toMatchObject({ state: 'ended', endedBy: 'supervisor', disposition: { tagCode: 'RECUSA' } });
    expect(eventsOf(p.dialer, 'violation')).toEqual([]);
    expect(p.dialer.sim.sessions.status('acme', 'ana').state).toBe('available');
  });

  it('only supervisors use Finalizar Atendimento; an agent acts only on their own attendances', async () => {
    p = await startTestPair();
    const { attendanceId } = await p.agentOnCall('ana');
    const bia = p.client((await p.login('bia')).token);
    const asAgent = await bia.request('POST', `/api/v1/monitoring/attendances/${attendanceId}/finalize`, {
      json: { tagCode: 'VENDA' },
    });
    expect(asAgent.status).toBe(403);
    expect(asAgent.body).toMatchObject({ error: { code: 'FORBIDDEN_ROLE' } });
    const notHers = await bia.request('PATCH', `/api/v1/attendances/${attendanceId}/tabulation`, {
      json: { notes: 'x' },
    });
    expect(notHers.status).toBe(403);
    expect(notHers.body).toMatchObject({ error: { code: 'ATTENDANCE_NOT_YOURS' } });
  });

  it('refuses an unknown tag with 422 TAG_UNKNOWN and an agent finalization during the call with 409', async () => {
    p = await startTestPair();
    const { agent, attendanceId } = await p.agentOnCall();
    const bad = await agent.request('PATCH', `/api/v1/attendances/${attendanceId}/tabulation`, {
      json: { tagCode: 'NOPE' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ error: { code: 'TAG_UNKNOWN' } });
    const early = await agent.request('POST', `/api/v1/attendances/${attendanceId}/finalize`, {
      json: { tagCode: 'VENDA' },
    });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ error: { code: 'ATTENDANCE_CALL_IN_PROGRESS' } });
  });

  it('the three-way race (agent at 29.999 s, the timer at 30 s, a supervisor at once): one wins, the dialer gets one disposition', async () => {
    p = await startTestPair();
    const sup = p.client((await p.login('supervisor')).token);
    const winners: Record<string, number> = {};
    for (let round = 0; round < 30; round++) {
      const { agent, attendanceId, callId } = await p.agentOnCall();
      await p.customerHangsUp(callId);
      p.clock.advance(29_999);
      const agentTry = agent.request('POST', `/api/v1/attendances/${attendanceId}/finalize`, {
        json: { tagCode: 'VENDA' },
      });
      const supTry = sup.request('POST', `/api/v1/monitoring/attendances/${attendanceId}/finalize`, {
        json: { tagCode: 'RECUSA' },
      });
      // The timer fires between, before or after the two requests depending on the round.
      if (round % 3 === 0) p.clock.advance(1);
      const [a, s] = await Promise.all([agentTry, supTry]);
      if (round % 3 !== 0) p.clock.advance(1);
      const att = p.omni.attendances.get('acme', attendanceId);
      winners[att.finalizedBy!] = (winners[att.finalizedBy!] ?? 0) + 1;
      const statuses = [a.status, s.status];
      expect(statuses.filter((x) => x === 200).length).toBeLessThanOrEqual(1);
      for (const r of [a, s])
        if (r.status !== 200)
          expect(r.body).toMatchObject({
            error: { code: 'ATTENDANCE_ALREADY_FINALIZED', details: { finalizedBy: att.finalizedBy } },
          });
      await p.settle();
      expect(disposed(callId)).toHaveLength(1);
      expect(disposed(callId)[0]!.data.tagCode).toBe(att.tagCode);
      await p.login('ana'); // a fresh session for the next round
    }
    expect(eventsOf(p.dialer, 'violation')).toEqual([]);
    expect(Object.keys(winners).length).toBeGreaterThanOrEqual(2);
  });

  it('a restart during wrap-up fires the deadline at its original time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dsh-omni-'));
    const clock = new VirtualClock();
    const secrets = SecretBox.ephemeral();
    p = await startTestPair({ omniDatabase: join(dir, 'omni.sqlite'), clock, secrets });
    const { attendanceId, callId } = await p.agentOnCall();
    await p.customerHangsUp(callId);
    p.clock.advance(10_000);
    // Restart only the Omni side, keeping its database.
    await p.omniListening.close();
    await p.omni.close();
    const { createIntegration } = await import('../server.ts');
    const omni = createIntegration({ clock, secrets, database: join(dir, 'omni.sqlite'), scryptCost: 1024 });
    omni.start();
    try {
      clock.advance(19_999);
      expect(omni.attendances.get('acme', attendanceId).state).toBe('wrap_up');
      clock.advance(1);
      expect(omni.attendances.get('acme', attendanceId)).toMatchObject({ state: 'finalized', finalizedBy: 'auto' });
    } finally {
      await omni.close();
      await p.dialer.close();
      p = undefined as unknown as TestPair;
    }
  });

  it('a call that ends while Omni is down keeps the dialer’s times, and its window runs from the real end', async () => {
    p = await startTestPair();
    const { attendanceId, callId } = await p.agentOnCall();
    await p.omni.consumer.stop('acme'); // Omni stops reading the dialer (down, or its link is)
    const ended = await p.dialer.admin.request<{ endedAt: string }>(
      'POST',
      `/__admin/organizations/acme/calls/${callId}/hangup`,
    );
    p.clock.advance(20_000);
    const late = p.omni.attendances.get('acme', attendanceId);
    expect(late.state).toBe('in_progress');
    p.omni.follow('acme');
    await p.settle();
    const att = p.omni.attendances.get('acme', attendanceId);
    expect(att).toMatchObject({ state: 'wrap_up', endedAt: ended.body.endedAt });
    expect(Date.parse(att.wrapUpDeadline!)).toBe(Date.parse(ended.body.endedAt) + 30_000);
    expect(att.wrapUpLeftMs).toBe(10_000);

    // Read after the whole window: the deadline has passed, so it fires at once.
    const second = await p.agentOnCall('bia');
    await p.omni.consumer.stop('acme');
    await p.dialer.admin.request('POST', `/__admin/organizations/acme/calls/${second.callId}/hangup`);
    p.clock.advance(45_000);
    p.omni.follow('acme');
    await p.settle();
    await p.clock.advanceAsync(0);
    await p.settle();
    expect(p.omni.attendances.get('acme', second.attendanceId)).toMatchObject({
      state: 'finalized',
      finalizedBy: 'auto',
      tagCode: 'SEM_TABULACAO',
    });
    expect(disposed(second.callId)).toHaveLength(1);
  });

  it('an agent hangs up their own call: the dialer ends it, the wrap-up opens, and only their own', async () => {
    p = await startTestPair();
    const { agent, attendanceId, callId } = await p.agentOnCall();
    const bia = await p.login('bia');
    const other = await p.client(bia.token).request('POST', `/api/v1/attendances/${attendanceId}/hangup`);
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ error: { code: 'ATTENDANCE_NOT_YOURS' } });
    const res = await agent.request<Attendance>('POST', `/api/v1/attendances/${attendanceId}/hangup`);
    expect(res.status).toBe(202);
    expect(res.body.state).toBe('in_progress');
    await p.settle();
    const call = p.dialer.sim.flow.get('acme', callId);
    expect(call).toMatchObject({ state: 'ended', endedBy: 'agent' });
    const att = (await agent.request<Attendance>('GET', `/api/v1/attendances/${attendanceId}`)).body;
    expect(att).toMatchObject({ state: 'wrap_up', endedAt: call.endedAt, wrapUpLeftMs: 30_000 });
    const again = await agent.request('POST', `/api/v1/attendances/${attendanceId}/hangup`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'ATTENDANCE_NOT_IN_CALL' } });
    const fin = await agent.request('POST', `/api/v1/attendances/${attendanceId}/finalize`, {
      json: { tagCode: 'VENDA' },
    });
    expect(fin.status).toBe(200);
    await p.settle();
    expect(disposed(callId)).toHaveLength(1);
  });
});
