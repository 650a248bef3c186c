import { OpenAPIHono } from '@hono/zod-openapi';
import { parse } from 'csv-parse/sync';
import { beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/clock.ts';
import { type Db, migrate, openDatabase } from '../../core/db.ts';
import { errorHandler } from '../../core/http/errors.ts';
import { createLogger } from '../../core/log.ts';
import { SecretBox } from '../../core/secrets.ts';
import { SystemPauses } from '../catalogue/system-pauses.ts';
import type { IntegrationEnv, Role } from '../http/app.ts';
import { integrationMigrations } from '../store/migrations.ts';
import { Users } from '../users/repository.ts';
import { toCsv } from './csv.ts';
import {
  attendancesByFinalizer,
  attendancesByTag,
  durationStats,
  pauseTime,
  percentile,
  slotRelease,
  wrapUpDurations,
} from './queries.ts';
import { reportRoutes } from './routes.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** "now" for the routes: the default period is [2024-05-01T00:00Z, 2024-05-02T00:00Z). */
const NOW = Date.UTC(2024, 4, 2, 0, 0, 0);
/** 2024-05-01T10:00Z: attendance n is finalized at B + n minutes. */
const B = Date.UTC(2024, 4, 1, 10, 0, 0);
const fin = (n: number) => B + n * MIN;

let db: Db;
let seq = 0;

function org(id: string) {
  db.prepare('INSERT INTO organizations (id, name, created_at, updated_at) VALUES (?, ?, 0, 0)').run(id, id);
}
function user(id: string, orgId: string, name: string, role: Role) {
  db.prepare(
    `INSERT INTO users (id, org_id, username, name, role, password_hash, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'x', 0, 0)`,
  ).run(id, orgId, id, name, role);
}
function tag(orgId: string, code: string, name: string) {
  db.prepare('INSERT INTO tags (id, org_id, code, name) VALUES (?, ?, ?, ?)').run(
    `${orgId}-${code}`,
    orgId,
    code,
    name,
  );
}
function pause(id: string, orgId: string, name: string, idStatus: number) {
  db.prepare('INSERT INTO pauses (id, org_id, name, id_status) VALUES (?, ?, ?, ?)').run(id, orgId, name, idStatus);
}
type Att = {
  org?: string;
  media?: string;
  state?: string;
  userId?: string;
  tag?: string | null;
  by?: 'agent' | 'auto' | 'supervisor' | null;
  finalizedAt?: number | null;
  endedAt?: number | null;
  slotFreedAt?: number | null;
  nextOfferAt?: number | null;
};
function attendance(a: Att) {
  const finalizedAt = a.finalizedAt ?? null;
  db.prepare(
    `INSERT INTO attendances (id, org_id, media, user_id, lead, state, created_at, ended_at, tag_code, finalized_at,
       finalized_by, slot_freed_at, next_offer_at) VALUES (?, ?, ?, ?, '{}', ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    `att-${++seq}`,
    a.org ?? 'acme',
    a.media ?? 'dialer',
    a.userId ?? 'ana',
    a.state ?? 'finalized',
    (finalizedAt ?? B) - 5 * MIN,
    a.endedAt ?? null,
    a.tag === undefined ? 'V' : a.tag,
    finalizedAt,
    a.by === undefined ? 'agent' : a.by,
    a.slotFreedAt ?? null,
    a.nextOfferAt ?? null,
  );
}
function period(p: {
  org?: string;
  userId: string;
  pauseId: string | null;
  idStatus: number;
  start: number;
  end: number | null;
}) {
  db.prepare(
    'INSERT INTO pause_periods (org_id, user_id, pause_id, id_status, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(p.org ?? 'acme', p.userId, p.pauseId, p.idStatus, p.start, p.end);
}

/**
 * ACME, finalized in [2024-05-01T00:00Z, 2024-05-02T00:00Z):
 *  n  tag  by          wrap-up     slot freed  next offer
 *  1  V    agent       10 s        +200 ms     +5 s
 *  2  V    agent       20 s        +400 ms     +7 s
 *  3  V    auto        30 s        +300 ms
 *  4  N    agent        5 s
 *  5  N    supervisor  (no end)    +100 ms
 *  6  X9   auto        30 s                    +9 s
 *  7  V    supervisor  (call ended after the finalization: no wrap-up)
 * and rows that must not count: another organization's, before the period, at its end (exclusive), not finalized,
 * another media.
 */
function seed() {
  org('acme');
  org('other');
  user('sup', 'acme', 'Sara', 'supervisor');
  user('adm', 'acme', 'Adão', 'admin');
  user('ana', 'acme', 'Ana', 'agent');
  user('bruno', 'acme', 'Bruno', 'agent');
  user('osup', 'other', 'Otto', 'supervisor');
  tag('acme', 'V', 'Venda');
  tag('acme', 'N', 'Não atende, caixa postal');
  tag('other', 'V', 'Venda (other)');

  attendance({
    tag: 'V',
    by: 'agent',
    finalizedAt: fin(1),
    endedAt: fin(1) - 10_000,
    slotFreedAt: fin(1) + 200,
    nextOfferAt: fin(1) + 5000,
  });
  attendance({
    tag: 'V',
    by: 'agent',
    finalizedAt: fin(2),
    endedAt: fin(2) - 20_000,
    slotFreedAt: fin(2) + 400,
    nextOfferAt: fin(2) + 7000,
  });
  attendance({ tag: 'V', by: 'auto', finalizedAt: fin(3), endedAt: fin(3) - 30_000, slotFreedAt: fin(3) + 300 });
  attendance({ tag: 'N', by: 'agent', finalizedAt: fin(4), endedAt: fin(4) - 5000, userId: 'bruno' });
  attendance({ tag: 'N', by: 'supervisor', finalizedAt: fin(5), slotFreedAt: fin(5) + 100 });
  attendance({ tag: 'X9', by: 'auto', finalizedAt: fin(6), endedAt: fin(6) - 30_000, nextOfferAt: fin(6) + 9000 });
  attendance({ tag: 'V', by: 'supervisor', finalizedAt: fin(7), endedAt: fin(7) + 1000 });

  attendance({
    org: 'other',
    tag: 'V',
    by: 'agent',
    finalizedAt: fin(1),
    endedAt: fin(1) - 1000,
    slotFreedAt: fin(1) + 1,
  });
  attendance({ tag: 'V', by: 'agent', finalizedAt: NOW - 25 * HOUR, endedAt: NOW - 25 * HOUR - 1000 });
  attendance({ tag: 'V', by: 'agent', finalizedAt: NOW, endedAt: NOW - 1000, slotFreedAt: NOW + 1 });
  attendance({ tag: 'V', by: null, state: 'in_progress', finalizedAt: null });
  attendance({ tag: 'V', by: 'agent', media: 'whatsapp', finalizedAt: fin(1), endedAt: fin(1) - 1000 });

  pause('p-almoco', 'acme', 'Almoço', 1);
  pause('p-banheiro', 'acme', 'Banheiro', 2);
  pause('p-other', 'other', 'Almoço', 1);
  period({ userId: 'ana', pauseId: 'p-almoco', idStatus: 1, start: B, end: B + 30 * MIN });
  period({ userId: 'bruno', pauseId: 'p-almoco', idStatus: 1, start: B + HOUR, end: B + HOUR + 20 * MIN });
  period({ userId: 'ana', pauseId: 'p-banheiro', idStatus: 2, start: B + 2 * HOUR, end: B + 2 * HOUR + 5 * MIN });
  period({ userId: 'bruno', pauseId: 'p-banheiro', idStatus: 2, start: NOW - 10 * MIN, end: null }); // still open
  period({ userId: 'ana', pauseId: null, idStatus: 7, start: B + 3 * HOUR, end: B + 3 * HOUR + MIN });
  period({ userId: 'bruno', pauseId: null, idStatus: 7, start: B + 4 * HOUR, end: B + 4 * HOUR + 2 * MIN });
  period({ userId: 'ana', pauseId: null, idStatus: 8, start: B + 5 * HOUR, end: B + 5 * HOUR + 1000 });
  period({ org: 'other', userId: 'osup', pauseId: 'p-other', idStatus: 1, start: B, end: B + 10 * HOUR });
  period({ userId: 'ana', pauseId: 'p-almoco', idStatus: 1, start: NOW - 25 * HOUR, end: NOW - 24 * HOUR - MIN });
}

const DAY = { orgId: 'acme', from: NOW - 24 * HOUR, to: NOW };

beforeEach(() => {
  db = openDatabase(':memory:');
  migrate(db, integrationMigrations);
  seq = 0;
  seed();
});

describe('percentiles (nearest rank)', () => {
  it('picks the value at rank ⌈p·n/100⌉', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 90)).toBe(90);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 7)).toBe(7); // 0.07 * 100 is 7.000000000000001 in floating point
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([1, 2, 3], 99)).toBe(3);
    expect(percentile([42], 0)).toBe(42);
    expect(percentile([], 50)).toBeNull();
  });

  it('durationStats sorts, rounds the mean and gives nulls for no values', () => {
    expect(durationStats([30, 10, 20, 11])).toEqual({
      count: 4,
      meanMs: 18,
      p50Ms: 11,
      p90Ms: 30,
      p99Ms: 30,
      maxMs: 30,
    });
    expect(durationStats([])).toEqual({ count: 0, meanMs: null, p50Ms: null, p90Ms: null, p99Ms: null, maxMs: null });
  });
});

describe('queries', () => {
  it('attendances by tag: counts, shares, tag names (an unknown code keeps the code)', () => {
    expect(attendancesByTag(db, DAY)).toEqual({
      total: 7,
      tags: [
        { tagCode: 'V', tagName: 'Venda', count: 4, share: 0.5714 },
        { tagCode: 'N', tagName: 'Não atende, caixa postal', count: 2, share: 0.2857 },
        { tagCode: 'X9', tagName: 'X9', count: 1, share: 0.1429 },
      ],
    });
  });

  it('attendances by finalizer: overall and per tag (share of the tag)', () => {
    expect(attendancesByFinalizer(db, DAY)).toEqual({
      total: 7,
      finalizers: [
        { finalizedBy: 'agent', count: 3, share: 0.4286 },
        { finalizedBy: 'auto', count: 2, share: 0.2857 },
        { finalizedBy: 'supervisor', count: 2, share: 0.2857 },
      ],
      byTag: [
        { tagCode: 'V', tagName: 'Venda', finalizedBy: 'agent', count: 2, share: 0.5 },
        { tagCode: 'V', tagName: 'Venda', finalizedBy: 'auto', count: 1, share: 0.25 },
        { tagCode: 'V', tagName: 'Venda', finalizedBy: 'supervisor', count: 1, share: 0.25 },
        { tagCode: 'N', tagName: 'Não atende, caixa postal', finalizedBy: 'agent', count: 1, share: 0.5 },
        { tagCode: 'N', tagName: 'Não atende, caixa postal', finalizedBy: 'supervisor', count: 1, share: 0.5 },
        { tagCode: 'X9', tagName: 'X9', finalizedBy: 'auto', count: 1, share: 1 },
      ],
    });
  });

  it('wrap-up: only attendances whose call ended before the finalization; overall and per finalizer', () => {
    expect(wrapUpDurations(db, DAY)).toEqual({
      // [5, 10, 20, 30, 30] s
      overall: { count: 5, meanMs: 19_000, p50Ms: 20_000, p90Ms: 30_000, p99Ms: 30_000, maxMs: 30_000 },
      byFinalizer: [
        { finalizedBy: 'agent', count: 3, meanMs: 11_667, p50Ms: 10_000, p90Ms: 20_000, p99Ms: 20_000, maxMs: 20_000 },
        { finalizedBy: 'auto', count: 2, meanMs: 30_000, p50Ms: 30_000, p90Ms: 30_000, p99Ms: 30_000, maxMs: 30_000 },
        { finalizedBy: 'supervisor', count: 0, meanMs: null, p50Ms: null, p90Ms: null, p99Ms: null, maxMs: null },
      ],
    });
  });

  it('slot release: finalization → slot free and → next offer, over the attendances that have each', () => {
    const r = slotRelease(db, DAY);
    expect(r.slotFreed.overall).toEqual({ count: 4, meanMs: 250, p50Ms: 200, p90Ms: 400, p99Ms: 400, maxMs: 400 });
    expect(r.slotFreed.byFinalizer.map((f) => [f.finalizedBy, f.count, f.p50Ms, f.p99Ms, f.maxMs])).toEqual([
      ['agent', 2, 200, 400, 400],
      ['auto', 1, 300, 300, 300],
      ['supervisor', 1, 100, 100, 100],
    ]);
    expect(r.nextOffer.overall).toEqual({ count: 3, meanMs: 7000, p50Ms: 7000, p90Ms: 9000, p99Ms: 9000, maxMs: 9000 });
    expect(r.nextOffer.byFinalizer.map((f) => [f.finalizedBy, f.count, f.p50Ms, f.maxMs])).toEqual([
      ['agent', 2, 5000, 7000],
      ['auto', 1, 9000, 9000],
      ['supervisor', 0, null, null],
    ]);
  });

  it('pauses: per pause, open periods up to now, unmapped ID Statuses named, most time first', () => {
    expect(pauseTime(db, DAY, { now: NOW })).toEqual({
      periods: 7,
      totalMs: 30 * MIN + 20 * MIN + 5 * MIN + 10 * MIN + 3 * MIN + 1000,
      pauses: [
        {
          pauseId: 'p-almoco',
          pauseName: 'Almoço',
          idStatus: 1,
          periods: 2,
          openPeriods: 0,
          totalMs: 50 * MIN,
          meanMs: 25 * MIN,
        },
        {
          pauseId: 'p-banheiro',
          pauseName: 'Banheiro',
          idStatus: 2,
          periods: 2,
          openPeriods: 1,
          totalMs: 15 * MIN,
          meanMs: 7.5 * MIN,
        },
        {
          pauseId: null,
          pauseName: 'não mapeada (ID Status 7)',
          idStatus: 7,
          periods: 2,
          openPeriods: 0,
          totalMs: 3 * MIN,
          meanMs: 1.5 * MIN,
        },
        {
          pauseId: null,
          pauseName: 'não mapeada (ID Status 8)',
          idStatus: 8,
          periods: 1,
          openPeriods: 0,
          totalMs: 1000,
          meanMs: 1000,
        },
      ],
    });
  });

  it("pauses: names the dialer's system pause (LOGIN) once Omni knows it, never guessing the others", () => {
    const system = new SystemPauses(db, new VirtualClock(NOW));
    expect(system.learnFromEvent('acme', 7, 'LOGIN')).toBe(true);
    const names = pauseTime(db, DAY, { now: NOW }).pauses.map((p) => [p.pauseId, p.pauseName, p.idStatus]);
    expect(names).toContainEqual([null, 'LOGIN', 7]);
    expect(names).toContainEqual([null, 'não mapeada (ID Status 8)', 8]);
    // The catalogue read at a drift check is the truth: there LOGIN is ID Status 8, and 7 is no system pause.
    system.learnFromCatalogue('acme', [
      { idStatus: 8, name: 'LOGIN', system: true },
      { idStatus: 7, name: 'Reunião', system: false },
    ]);
    const after = pauseTime(db, DAY, { now: NOW }).pauses.map((p) => [p.pauseName, p.idStatus]);
    expect(after).toContainEqual(['LOGIN', 8]);
    expect(after).toContainEqual(['não mapeada (ID Status 7)', 7]);
  });

  it('pauses: an open period counts up to `to` when `to` is before now, and up to now when after', () => {
    const banheiro = (to: number, now: number) =>
      pauseTime(db, { orgId: 'acme', from: B, to }, { now }).pauses.find((p) => p.pauseId === 'p-banheiro')?.totalMs;
    expect(banheiro(NOW - 4 * MIN, NOW)).toBe(5 * MIN + 6 * MIN);
    expect(banheiro(NOW + HOUR, NOW - 2 * MIN)).toBe(5 * MIN + 8 * MIN);
  });

  it('pauses: per user, and for one user', () => {
    const byUser = pauseTime(db, DAY, { now: NOW, byUser: true }).pauses;
    expect(byUser.map((p) => [p.pauseName, p.userName, p.periods, p.totalMs])).toEqual([
      ['Almoço', 'Ana', 1, 30 * MIN],
      ['Almoço', 'Bruno', 1, 20 * MIN],
      ['Banheiro', 'Bruno', 1, 10 * MIN],
      ['Banheiro', 'Ana', 1, 5 * MIN],
      ['não mapeada (ID Status 7)', 'Bruno', 1, 2 * MIN],
      ['não mapeada (ID Status 7)', 'Ana', 1, MIN],
      ['não mapeada (ID Status 8)', 'Ana', 1, 1000],
    ]);
    expect(byUser[0]).toMatchObject({ userId: 'ana' });
    const ana = pauseTime(db, DAY, { now: NOW, userId: 'ana' });
    expect(ana.pauses.map((p) => [p.pauseName, p.totalMs])).toEqual([
      ['Almoço', 30 * MIN],
      ['Banheiro', 5 * MIN],
      ['não mapeada (ID Status 7)', MIN],
      ['não mapeada (ID Status 8)', 1000],
    ]);
    expect(ana.pauses[0]).not.toHaveProperty('userId');
  });

  it('a pause removed from Omni keeps its periods under its ID Status', () => {
    db.prepare('DELETE FROM pauses WHERE id = ?').run('p-banheiro');
    const p = pauseTime(db, DAY, { now: NOW }).pauses.find((x) => x.pauseId === 'p-banheiro');
    expect(p).toMatchObject({ pauseName: 'pausa removida (ID Status 2)', idStatus: 2, periods: 2 });
  });

  it('the period filters: from inclusive, to exclusive', () => {
    const r = attendancesByTag(db, { orgId: 'acme', from: fin(3), to: fin(6) });
    expect(r).toEqual({
      total: 3,
      tags: [
        { tagCode: 'N', tagName: 'Não atende, caixa postal', count: 2, share: 0.6667 },
        { tagCode: 'V', tagName: 'Venda', count: 1, share: 0.3333 },
      ],
    });
    expect(pauseTime(db, { orgId: 'acme', from: B + HOUR, to: B + 3 * HOUR }, { now: NOW }).pauses).toHaveLength(2);
  });

  it('another organization sees only its own rows, with its own tag names', () => {
    const scope = { ...DAY, orgId: 'other' };
    expect(attendancesByTag(db, scope)).toEqual({
      total: 1,
      tags: [{ tagCode: 'V', tagName: 'Venda (other)', count: 1, share: 1 }],
    });
    expect(wrapUpDurations(db, scope).overall.count).toBe(1);
    expect(slotRelease(db, scope).slotFreed.overall.maxMs).toBe(1);
    expect(pauseTime(db, scope, { now: NOW }).pauses).toEqual([
      {
        pauseId: 'p-other',
        pauseName: 'Almoço',
        idStatus: 1,
        periods: 1,
        openPeriods: 0,
        totalMs: 10 * HOUR,
        meanMs: 10 * HOUR,
      },
    ]);
  });

  it('empty period: zero totals, no rows, null statistics', () => {
    const scope = { orgId: 'acme', from: NOW + HOUR, to: NOW + 2 * HOUR };
    expect(attendancesByTag(db, scope)).toEqual({ total: 0, tags: [] });
    expect(attendancesByFinalizer(db, scope).finalizers.every((f) => f.count === 0 && f.share === 0)).toBe(true);
    expect(wrapUpDurations(db, scope).overall.p50Ms).toBeNull();
    expect(pauseTime(db, scope, { now: NOW })).toEqual({ periods: 0, totalMs: 0, pauses: [] });
  });
});

describe('csv', () => {
  it('quotes per RFC 4180: commas, quotes, CR and LF; CRLF between records', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          ['line\nbreak', null],
          [1.5, 'plain'],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",\r\n1.5,plain\r\n');
  });
});

describe('routes', () => {
  let app: OpenAPIHono<IntegrationEnv>;
  const roles: Record<string, { orgId: string; role: Role }> = {
    sup: { orgId: 'acme', role: 'supervisor' },
    adm: { orgId: 'acme', role: 'admin' },
    ana: { orgId: 'acme', role: 'agent' },
    osup: { orgId: 'other', role: 'supervisor' },
  };

  beforeEach(() => {
    const clock = new VirtualClock(NOW);
    const users = new Users(db, clock, SecretBox.ephemeral());
    app = new OpenAPIHono<IntegrationEnv>();
    app.onError(errorHandler(createLogger('reports-test', 'silent')));
    app.use('*', async (c, next) => {
      const userId = c.req.header('x-user') ?? 'sup';
      const r = roles[userId]!;
      c.set('session', { userId, orgId: r.orgId, role: r.role, token: 't' });
      await next();
    });
    app.route(
      '/',
      reportRoutes(db, users, () => clock.now()),
    );
  });

  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;
  const get = (path: string, userId = 'sup') => app.request(path, { headers: { 'x-user': userId } });
  const REPORTS = ['attendances-by-tag', 'attendances-by-finalizer', 'wrap-up', 'pauses', 'slot-release'];

  it('JSON: the report with its period; default period = the 24 h up to now', async () => {
    const res = await get('/reports/attendances-by-tag');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      media: 'dialer',
      from: '2024-05-01T00:00:00.000Z',
      to: '2024-05-02T00:00:00.000Z',
      ...attendancesByTag(db, DAY),
    });
    const byFinalizer = await (await get('/reports/attendances-by-finalizer', 'adm')).json();
    expect(byFinalizer).toMatchObject({ total: 7, finalizers: [{ count: 3 }, { count: 2 }, { count: 2 }] });
    const wrap = await (await get('/reports/wrap-up')).json();
    expect(wrap).toMatchObject({ overall: { count: 5, p50Ms: 20_000, p90Ms: 30_000 } });
    const slot = await (await get('/reports/slot-release')).json();
    expect(slot).toMatchObject({ slotFreed: { overall: { count: 4 } }, nextOffer: { overall: { count: 3 } } });
    const pauses = await (await get('/reports/pauses')).json();
    expect(pauses).toMatchObject({
      periods: 7,
      pauses: [{ pauseName: 'Almoço' }, { openPeriods: 1, totalMs: 15 * MIN }, {}, {}],
    });
  });

  it('from/to with an offset select the period; only from: up to now; only to: the 24 h before it', async () => {
    // 07:03-03:00 = 10:03Z (fin 3, inclusive) to 07:06-03:00 (fin 6, exclusive)
    const res = await get('/reports/attendances-by-tag?from=2024-05-01T07:03:00-03:00&to=2024-05-01T07:06:00-03:00');
    expect(await res.json()).toMatchObject({
      from: '2024-05-01T10:03:00.000Z',
      to: '2024-05-01T10:06:00.000Z',
      total: 3,
    });
    const onlyFrom = await (await get('/reports/attendances-by-tag?from=2024-05-01T10:05:00Z')).json();
    expect(onlyFrom).toMatchObject({ to: '2024-05-02T00:00:00.000Z', total: 3 });
    const onlyTo = await (await get('/reports/attendances-by-tag?to=2024-05-02T10:00:00Z')).json();
    expect(onlyTo).toMatchObject({ from: '2024-05-01T10:00:00.000Z', total: 8 }); // + the one at NOW
  });

  it('pauses: byUser and userId; a user of another organization is 404', async () => {
    const byUser = (await (await get('/reports/pauses?byUser=true')).json()) as { pauses: unknown[] };
    expect(byUser.pauses).toHaveLength(7);
    expect(byUser.pauses[0]).toMatchObject({ userId: 'ana', userName: 'Ana', pauseName: 'Almoço' });
    const bruno = await (await get('/reports/pauses?userId=bruno')).json();
    expect(bruno).toMatchObject({ periods: 3, totalMs: 20 * MIN + 10 * MIN + 2 * MIN });
    const res = await get('/reports/pauses?userId=osup');
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({ code: 'USER_NOT_FOUND' });
  });

  it("scoped to the session's organization", async () => {
    const body = await (await get('/reports/attendances-by-tag', 'osup')).json();
    expect(body).toMatchObject({ total: 1, tags: [{ tagName: 'Venda (other)' }] });
    const pauses = await (await get('/reports/pauses', 'osup')).json();
    expect(pauses).toMatchObject({ periods: 1, totalMs: 10 * HOUR });
  });

  it('CSV: an attachment with a header row and quoted fields', async () => {
    const res = await get('/reports/attendances-by-tag?format=csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="discador-atendimentos-por-tabulacao-20240501T000000Z-20240502T000000Z.csv"',
    );
    expect(await res.text()).toBe(
      [
        'Código da tabulação,Tabulação,Atendimentos,Participação (%)',
        'V,Venda,4,57.14',
        'N,"Não atende, caixa postal",2,28.57',
        'X9,X9,1,14.29',
        '',
      ].join('\r\n'),
    );
  });

  it('CSV of every report parses back with the expected rows', async () => {
    const csv = async (path: string) => parse(await (await get(path)).text()) as string[][];
    const finalizers = await csv('/reports/attendances-by-finalizer?format=csv');
    expect(finalizers[0]).toEqual([
      'Código da tabulação',
      'Tabulação',
      'Finalizado por',
      'Atendimentos',
      'Participação (%)',
    ]);
    expect(finalizers.slice(1, 4)).toEqual([
      ['', 'Todas', 'Agente', '3', '42.86'],
      ['', 'Todas', 'Automática', '2', '28.57'],
      ['', 'Todas', 'Supervisor', '2', '28.57'],
    ]);
    expect(finalizers[7]).toEqual(['N', 'Não atende, caixa postal', 'Agente', '1', '50.00']);
    expect(finalizers).toHaveLength(1 + 3 + 6);

    const wrap = await csv('/reports/wrap-up?format=csv');
    expect(wrap).toEqual([
      ['Finalizado por', 'Quantidade', 'Média (ms)', 'P50 (ms)', 'P90 (ms)', 'P99 (ms)', 'Máximo (ms)'],
      ['Todos', '5', '19000', '20000', '30000', '30000', '30000'],
      ['Agente', '3', '11667', '10000', '20000', '20000', '20000'],
      ['Automática', '2', '30000', '30000', '30000', '30000', '30000'],
      ['Supervisor', '0', '', '', '', '', ''],
    ]);

    const slot = await csv('/reports/slot-release?format=csv');
    expect(slot[0]?.slice(0, 3)).toEqual(['Medida', 'Finalizado por', 'Quantidade']);
    expect(slot[1]).toEqual(['Finalização → slot livre', 'Todos', '4', '250', '200', '400', '400', '400']);
    expect(slot[5]).toEqual(['Finalização → próxima oferta', 'Todos', '3', '7000', '7000', '9000', '9000', '9000']);
    expect(slot).toHaveLength(9);

    const pauses = await csv('/reports/pauses?format=csv');
    expect(pauses[0]).toEqual([
      'ID da pausa',
      'Pausa',
      'ID Status',
      'Períodos',
      'Períodos em aberto',
      'Tempo total (ms)',
      'Tempo médio (ms)',
    ]);
    expect(pauses[3]).toEqual(['', 'não mapeada (ID Status 7)', '7', '2', '0', '180000', '90000']);
    const perUser = await csv('/reports/pauses?format=csv&byUser=true');
    expect(perUser[0]?.slice(0, 3)).toEqual(['ID do usuário', 'Usuário', 'ID da pausa']);
    expect(perUser[1]).toEqual(['ana', 'Ana', 'p-almoco', 'Almoço', '1', '1', '0', '1800000', '1800000']);
  });

  it('CSV: a tag or user named like a formula reaches the spreadsheet as text, on every report that shows names', async () => {
    db.prepare("UPDATE tags SET name = ? WHERE id = 'acme-N'").run('=HYPERLINK("https://evil.example","Não atende")');
    db.prepare("UPDATE users SET name = '@SUM(A1)' WHERE id = 'ana'").run();
    const byTag = parse(await (await get('/reports/attendances-by-tag?format=csv')).text()) as string[][];
    expect(byTag[2]).toEqual(['N', '\'=HYPERLINK("https://evil.example","Não atende")', '2', '28.57']);
    const byFinalizer = await (await get('/reports/attendances-by-finalizer?format=csv')).text();
    expect(byFinalizer).toContain('N,"\'=HYPERLINK(""https://evil.example"",""Não atende"")",Agente');
    const perUser = parse(await (await get('/reports/pauses?format=csv&byUser=true')).text()) as string[][];
    expect(perUser[1]?.slice(0, 2)).toEqual(['ana', "'@SUM(A1)"]);
    // the JSON answer keeps the name as it is
    const json = (await (await get('/reports/attendances-by-tag')).json()) as { tags: Array<{ tagName: string }> };
    expect(json.tags[1]?.tagName).toBe('=HYPERLINK("https://evil.example","Não atende")');
  });

  it("CSV for Excel in pt-BR: separator=';' and bom=true on every report", async () => {
    // Response.text() drops a BOM: read the bytes as they are.
    const withBom = async (path: string) =>
      new TextDecoder('utf-8', { ignoreBOM: true }).decode(await (await get(path)).arrayBuffer());
    const text = await withBom('/reports/attendances-by-tag?format=csv&separator=%3B&bom=true');
    expect(text).toBe(
      [
        '\uFEFFCódigo da tabulação;Tabulação;Atendimentos;Participação (%)',
        'V;Venda;4;57.14',
        'N;Não atende, caixa postal;2;28.57',
        'X9;X9;1;14.29',
        '',
      ].join('\r\n'),
    );
    for (const r of REPORTS) {
      const csv = await withBom(`/reports/${r}?format=csv&separator=%3B&bom=true`);
      expect(csv.startsWith('\uFEFF'), r).toBe(true);
      expect(parse(csv, { bom: true, delimiter: ';' })[0]?.length, r).toBeGreaterThan(2);
    }
    const bad = await get('/reports/wrap-up?format=csv&separator=%7C');
    expect(bad.status).toBe(422);
    expect((await errorOf(bad)).message).toContain("separator is ',' or ';'");
  });

  it('each report is in the OpenAPI document with its operationId, the CSV options and every status it answers', async () => {
    const docApp = new OpenAPIHono();
    docApp.route(
      '/',
      reportRoutes(db, new Users(db, new VirtualClock(NOW), SecretBox.ephemeral()), () => NOW),
    );
    const doc = docApp.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } });
    const ops = REPORTS.map((r) => doc.paths?.[`/reports/${r}`]?.get);
    expect(ops.map((o) => o?.operationId)).toEqual([
      'reports.attendancesByTag',
      'reports.attendancesByFinalizer',
      'reports.wrapUp',
      'reports.pauses',
      'reports.slotRelease',
    ]);
    for (const op of ops) {
      expect(Object.keys(op?.responses ?? {}).sort(), op?.operationId).toEqual(
        op?.operationId === 'reports.pauses' ? ['200', '401', '403', '404', '422'] : ['200', '401', '403', '422'],
      );
      const params = (op?.parameters ?? []) as Array<{ name: string; description?: string }>;
      expect(params.map((p) => p.name)).toEqual(expect.arrayContaining(['format', 'separator', 'bom']));
      expect(params.find((p) => p.name === 'separator')?.description).toMatch(/Excel in pt-BR/);
    }
  });

  it('agents are refused with 403 on every report', async () => {
    for (const r of REPORTS) {
      const res = await get(`/reports/${r}`, 'ana');
      expect(res.status, r).toBe(403);
      expect(await errorOf(res)).toMatchObject({ code: 'FORBIDDEN_ROLE' });
    }
  });

  it('422: bad dates, from after to, another media, unknown format', async () => {
    const fail = async (query: string) => {
      const res = await get(`/reports/wrap-up?${query}`);
      expect(res.status, query).toBe(422);
      return errorOf(res);
    };
    expect((await fail('from=yesterday')).message).toMatch(/^query\.from: from must be an ISO 8601 date-time/);
    expect((await fail('to=2024-05-01T10:00:00')).message).toMatch(/query\.to: .*Z or an offset/); // no offset
    expect((await fail('to=2024-02-30T10:00:00Z')).message).toMatch(/query\.to/);
    const order = await fail('from=2024-05-02T00:00:00Z&to=2024-05-01T00:00:00Z');
    expect(order).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(order.message).toContain('the period starts after it ends');
    expect((await fail('from=2024-05-03T00:00:00Z')).message).toContain('to defaults to now');
    expect((await fail('media=whatsapp')).message).toContain('the only media here is Discador');
    expect((await fail('format=xml')).message).toContain('format is json or csv');
    for (const r of REPORTS) expect((await get(`/reports/${r}?media=email`)).status, r).toBe(422);
    expect((await get('/reports/wrap-up?media=dialer')).status).toBe(200);
    expect((await get('/reports/wrap-up?from=2024-05-01T00:00:00Z&to=2024-05-01T00:00:00Z')).status).toBe(200);
  });
});
