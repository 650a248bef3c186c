import { afterEach, describe, expect, it } from 'vitest';
import { startTestPair, type TestPair } from '../../harness/pair.ts';

let p: TestPair;
afterEach(async () => {
  await p?.close();
});

type PausesReport = { pauses: Array<{ pauseId: string | null; pauseName: string; idStatus: number }> };

describe("the dialer's system pauses", () => {
  it('LOGIN shows by its name in the pauses report, learned from the dialer, and raises no unmapped-pause alert', async () => {
    p = await startTestPair();
    // Forget what provisioning learned from the catalogue: the dialer's own event must be enough.
    p.omni.db.prepare('DELETE FROM system_pauses').run();
    await p.login('ana'); // the dialer puts ana in its LOGIN system pause (ID Status 1)
    await p.settle();
    p.clock.advance(60_000);
    const supervisor = p.client((await p.login('supervisor')).token);
    const report = await supervisor.request<PausesReport>('GET', '/api/v1/reports/pauses');
    expect(report.status).toBe(200);
    expect(report.body.pauses).toContainEqual(
      expect.objectContaining({ pauseId: null, pauseName: 'LOGIN', idStatus: 1 }),
    );
    expect(JSON.stringify(report.body)).not.toContain('não mapeada');
    const alerts = await supervisor.request<Array<{ code: string }>>('GET', '/api/v1/alerts');
    expect(alerts.body.map((a) => a.code)).not.toContain('PAUSE_UNMAPPED');
  });

  it('the drift check says in sync and remembers the system pauses of the catalogue it read', async () => {
    p = await startTestPair();
    p.omni.db.prepare('DELETE FROM system_pauses').run();
    const supervisor = p.client((await p.login('supervisor')).token);
    const drift = await supervisor.request<{ inSync: boolean; systemPauses: unknown[] }>(
      'GET',
      '/api/v1/organizations/acme/pauses/drift',
    );
    expect(drift.body).toMatchObject({ inSync: true, systemPauses: [{ idStatus: 1, name: 'LOGIN' }] });
    expect(p.omni.config.systemPauses.list('acme')).toEqual([
      expect.objectContaining({ idStatus: 1, name: 'LOGIN', learnedFrom: 'catalogue' }),
    ]);
  });
});
