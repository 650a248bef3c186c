import type { Db } from '../../core/db.ts';

/**
 * Reports (relatórios) of media Discador, read straight from the Omni store.
 *
 * Every query is scoped by organization and by a half-open period `[from, to)` in epoch ms:
 * - attendances are selected on `finalized_at` (only finalized attendances of media 'dialer' count);
 * - pause periods are selected on `started_at`.
 *
 * Percentiles use the nearest-rank method on the selected values sorted ascending: the p-th percentile of n values is
 * the value at rank ⌈p·n/100⌉ (1-based), so it is always one of the observed values (p50 of [1, 2, 3, 4] is 2, p90 of
 * ten values is the 9th, p99 of fewer than 100 values is the largest). Means are rounded to whole ms. Shares are
 * fractions of 1 rounded to 4 decimal places (0.3333 = 33.33%), so they may not add up to exactly 1.
 */

export const REPORT_MEDIA = 'dialer' as const;

export const FINALIZERS = ['agent', 'auto', 'supervisor'] as const;
export type Finalizer = (typeof FINALIZERS)[number];

/** Whose data and which period: `from` inclusive, `to` exclusive, epoch ms. */
export type ReportScope = { orgId: string; from: number; to: number };

/** The name shown for a tag code Omni does not know (any more), and for an attendance finalized without a tag. */
export const NO_TAG_NAME = 'sem tabulação';
export const unmappedPauseName = (idStatus: number) => `não mapeada (ID Status ${idStatus})`;
export const removedPauseName = (idStatus: number) => `pausa removida (ID Status ${idStatus})`;

// --- statistics ---

export type DurationStats = {
  count: number;
  meanMs: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
};

/** Nearest-rank percentile of values sorted ascending; null when there are none. `p` in [0, 100]. */
export function percentile(sorted: readonly number[], p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  // p·n before dividing keeps integer p exact (0.07 * 100 would be 7.000000000000001).
  const rank = Math.min(n, Math.max(1, Math.ceil((p * n) / 100)));
  return sorted[rank - 1] ?? null;
}

/** count, mean, p50, p90, p99 and max of durations in ms (nulls when there are none). */
export function durationStats(values: readonly number[]): DurationStats {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { count: 0, meanMs: null, p50Ms: null, p90Ms: null, p99Ms: null, maxMs: null };
  const sum = sorted.reduce((s, v) => s + v, 0);
  return {
    count: n,
    meanMs: Math.round(sum / n),
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[n - 1] ?? null,
  };
}

/** count / total as a fraction rounded to 4 decimal places; 0 when the total is 0. */
export const share = (count: number, total: number): number =>
  total === 0 ? 0 : Math.round((count / total) * 10_000) / 10_000;

// The finalized attendances of media Discador of the scope; parameters: orgId, from, to. The (org_id, state, …)
// index narrows to the organization's finalized attendances.
const FINALIZED_IN_SCOPE = `a.org_id = ? AND a.state = 'finalized' AND a.media = '${REPORT_MEDIA}'
  AND a.finalized_at >= ? AND a.finalized_at < ?`;
const scopeParams = (s: ReportScope) => [s.orgId, s.from, s.to] as const;

const tagName = (code: string | null, name: string | null) => name ?? code ?? NO_TAG_NAME;

// --- 1. attendances by tag ---

export type TagCount = { tagCode: string | null; tagName: string; count: number; share: number };
export type AttendancesByTag = { total: number; tags: TagCount[] };

/** Finalized attendances per tag, most used first. A code with no tag keeps the code as its name. */
export function attendancesByTag(db: Db, scope: ReportScope): AttendancesByTag {
  const rows = db
    .prepare(
      `SELECT a.tag_code AS tagCode, t.name AS tagName, COUNT(*) AS count
         FROM attendances a LEFT JOIN tags t ON t.org_id = a.org_id AND t.code = a.tag_code
        WHERE ${FINALIZED_IN_SCOPE}
        GROUP BY a.tag_code
        ORDER BY count DESC, a.tag_code`,
    )
    .all(...scopeParams(scope)) as Array<{ tagCode: string | null; tagName: string | null; count: number }>;
  const total = rows.reduce((s, r) => s + r.count, 0);
  return {
    total,
    tags: rows.map((r) => ({
      tagCode: r.tagCode,
      tagName: tagName(r.tagCode, r.tagName),
      count: r.count,
      share: share(r.count, total),
    })),
  };
}

// --- 2. attendances by finalizer ---

export type FinalizerCount = { finalizedBy: Finalizer; count: number; share: number };
/** One tag's attendances finalized by one finalizer; `share` is of that tag's attendances. */
export type TagFinalizerCount = {
  tagCode: string | null;
  tagName: string;
  finalizedBy: Finalizer;
  count: number;
  share: number;
};
export type AttendancesByFinalizer = {
  total: number;
  /** Always the three finalizers, in the order agent, auto, supervisor (count 0 when none). */
  finalizers: FinalizerCount[];
  /** Per tag (most used tag first), the finalizers that finalized some of its attendances. */
  byTag: TagFinalizerCount[];
};

/** Who finalized: the agent, auto-tabulation (the wrap-up window ran out) or a supervisor; overall and per tag. */
export function attendancesByFinalizer(db: Db, scope: ReportScope): AttendancesByFinalizer {
  const rows = db
    .prepare(
      `SELECT a.tag_code AS tagCode, t.name AS tagName, a.finalized_by AS finalizedBy, COUNT(*) AS count
         FROM attendances a LEFT JOIN tags t ON t.org_id = a.org_id AND t.code = a.tag_code
        WHERE ${FINALIZED_IN_SCOPE} AND a.finalized_by IS NOT NULL
        GROUP BY a.tag_code, a.finalized_by`,
    )
    .all(...scopeParams(scope)) as Array<{
    tagCode: string | null;
    tagName: string | null;
    finalizedBy: Finalizer;
    count: number;
  }>;
  const total = rows.reduce((s, r) => s + r.count, 0);
  const perFinalizer = new Map<Finalizer, number>();
  const perTag = new Map<string | null, number>();
  for (const r of rows) {
    perFinalizer.set(r.finalizedBy, (perFinalizer.get(r.finalizedBy) ?? 0) + r.count);
    perTag.set(r.tagCode, (perTag.get(r.tagCode) ?? 0) + r.count);
  }
  const order = (f: Finalizer) => FINALIZERS.indexOf(f);
  const byTag = rows
    .map((r) => ({ ...r, tagTotal: perTag.get(r.tagCode) ?? 0 }))
    .sort(
      (a, b) =>
        b.tagTotal - a.tagTotal ||
        (a.tagCode ?? '').localeCompare(b.tagCode ?? '') ||
        order(a.finalizedBy) - order(b.finalizedBy),
    )
    .map((r) => ({
      tagCode: r.tagCode,
      tagName: tagName(r.tagCode, r.tagName),
      finalizedBy: r.finalizedBy,
      count: r.count,
      share: share(r.count, r.tagTotal),
    }));
  return {
    total,
    finalizers: FINALIZERS.map((f) => {
      const count = perFinalizer.get(f) ?? 0;
      return { finalizedBy: f, count, share: share(count, total) };
    }),
    byTag,
  };
}

// --- durations per finalizer (3 and 5) ---

export type FinalizerStats = DurationStats & { finalizedBy: Finalizer };
export type DurationReport = {
  overall: DurationStats;
  /** Always the three finalizers, in the order agent, auto, supervisor. */
  byFinalizer: FinalizerStats[];
};

function durationReport(rows: ReadonlyArray<{ finalizedBy: Finalizer | null; ms: number }>): DurationReport {
  return {
    overall: durationStats(rows.map((r) => r.ms)),
    byFinalizer: FINALIZERS.map((f) => ({
      finalizedBy: f,
      ...durationStats(rows.filter((r) => r.finalizedBy === f).map((r) => r.ms)),
    })),
  };
}

// --- 3. wrap-up ---

/**
 * Wrap-up (pós-atendimento) durations: from the end of the call (`ended_at`) to the finalization, for the
 * attendances whose call ended. An attendance a supervisor finalized while its call was still up (so it ended after
 * the finalization) had no wrap-up and is left out.
 */
export function wrapUpDurations(db: Db, scope: ReportScope): DurationReport {
  const rows = db
    .prepare(
      `SELECT a.finalized_by AS finalizedBy, a.finalized_at - a.ended_at AS ms
         FROM attendances a
        WHERE ${FINALIZED_IN_SCOPE} AND a.ended_at IS NOT NULL AND a.ended_at <= a.finalized_at`,
    )
    .all(...scopeParams(scope)) as Array<{ finalizedBy: Finalizer | null; ms: number }>;
  return durationReport(rows);
}

// --- 4. pause time ---

export type PauseTime = {
  /** Omni's pause; null when the dialer's ID Status was mapped to none. */
  pauseId: string | null;
  pauseName: string;
  idStatus: number;
  /** Present when broken down per user. */
  userId?: string;
  userName?: string;
  periods: number;
  /** Of `periods`, those still open (counted up to min(to, now)). */
  openPeriods: number;
  totalMs: number;
  meanMs: number;
};
export type PauseReport = { periods: number; totalMs: number; pauses: PauseTime[] };
export type PauseOptions = {
  /** Epoch ms; an open period counts up to min(to, now). */
  now: number;
  /** One row per pause and user instead of per pause. */
  byUser?: boolean;
  /** Only this user's periods. */
  userId?: string;
};

/**
 * Time in pause per pause (optionally per user and pause), from the pause periods that started in the period. A
 * closed period counts whole (ended_at − started_at, even past `to`: each period is counted once, in the report of
 * the period it started in); an open one counts up to min(to, now). Periods whose ID Status Omni had no pause for
 * are grouped per ID Status and named by the dialer's system pause Omni knows there (LOGIN…), else
 * 'não mapeada (ID Status N)'. Most time first.
 */
export function pauseTime(db: Db, scope: ReportScope, options: PauseOptions): PauseReport {
  const openEnd = Math.min(scope.to, options.now);
  const byUser = options.byUser === true;
  const rows = db
    .prepare(
      `SELECT pp.pause_id AS pauseId, MAX(p.name) AS pauseName, MAX(sp.name) AS systemName,
              COALESCE(MAX(p.id_status), MAX(pp.id_status)) AS idStatus,
              ${byUser ? 'pp.user_id' : 'NULL'} AS userId, ${byUser ? 'MAX(u.name)' : 'NULL'} AS userName,
              COUNT(*) AS periods, SUM(pp.ended_at IS NULL) AS openPeriods,
              SUM(MAX(0, COALESCE(pp.ended_at, @openEnd) - pp.started_at)) AS totalMs
         FROM pause_periods pp
         LEFT JOIN pauses p ON p.id = pp.pause_id AND p.org_id = pp.org_id
         LEFT JOIN system_pauses sp ON pp.pause_id IS NULL AND sp.org_id = pp.org_id AND sp.id_status = pp.id_status
         LEFT JOIN users u ON u.id = pp.user_id AND u.org_id = pp.org_id
        WHERE pp.org_id = @orgId AND pp.started_at >= @from AND pp.started_at < @to
          AND (@userId IS NULL OR pp.user_id = @userId)
        GROUP BY pp.pause_id, CASE WHEN pp.pause_id IS NULL THEN pp.id_status END${byUser ? ', pp.user_id' : ''}
        ORDER BY totalMs DESC, idStatus${byUser ? ', userName, userId' : ''}`,
    )
    .all({
      orgId: scope.orgId,
      from: scope.from,
      to: scope.to,
      openEnd,
      userId: options.userId ?? null,
    }) as Array<{
    pauseId: string | null;
    pauseName: string | null;
    systemName: string | null;
    idStatus: number;
    userId: string | null;
    userName: string | null;
    periods: number;
    openPeriods: number;
    totalMs: number;
  }>;
  const pauses = rows.map((r): PauseTime => {
    const name =
      r.pauseName ??
      (r.pauseId === null ? (r.systemName ?? unmappedPauseName(r.idStatus)) : removedPauseName(r.idStatus));
    return {
      pauseId: r.pauseId,
      pauseName: name,
      idStatus: r.idStatus,
      ...(byUser && r.userId !== null ? { userId: r.userId, userName: r.userName ?? r.userId } : {}),
      periods: r.periods,
      openPeriods: r.openPeriods,
      totalMs: r.totalMs,
      meanMs: Math.round(r.totalMs / r.periods),
    };
  });
  return {
    periods: pauses.reduce((s, p) => s + p.periods, 0),
    totalMs: pauses.reduce((s, p) => s + p.totalMs, 0),
    pauses,
  };
}

// --- 5. slot release latency ---

export type SlotReleaseReport = {
  /** Finalization → the dialer made the agent available again (slot_freed_at − finalized_at). */
  slotFreed: DurationReport;
  /** Finalization → the agent's next attendance was offered (next_offer_at − finalized_at). */
  nextOffer: DurationReport;
};

/** How long the slot stays taken after a finalization, over the attendances that have each timestamp. */
export function slotRelease(db: Db, scope: ReportScope): SlotReleaseReport {
  const rows = db
    .prepare(
      `SELECT a.finalized_by AS finalizedBy, a.slot_freed_at - a.finalized_at AS freedMs,
              a.next_offer_at - a.finalized_at AS nextMs
         FROM attendances a
        WHERE ${FINALIZED_IN_SCOPE} AND (a.slot_freed_at IS NOT NULL OR a.next_offer_at IS NOT NULL)`,
    )
    .all(...scopeParams(scope)) as Array<{
    finalizedBy: Finalizer | null;
    freedMs: number | null;
    nextMs: number | null;
  }>;
  const pick = (key: 'freedMs' | 'nextMs') =>
    rows.flatMap((r) => {
      const ms = r[key];
      return ms === null ? [] : [{ finalizedBy: r.finalizedBy, ms }];
    });
  return { slotFreed: durationReport(pick('freedMs')), nextOffer: durationReport(pick('nextMs')) };
}
