import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Db } from '../../core/db.ts';
import { defineRoute, type RouteOptions } from '../../core/http/openapi.ts';
import { validationError } from '../../core/http/validation.ts';
import { FinalizerSchema } from '../attendances/schemas.ts';
import { type IntegrationEnv, integrationRouter, requireRole } from '../http/app.ts';
import type { Users } from '../users/repository.ts';
import {
  attendancesByFinalizerCsv,
  attendancesByTagCsv,
  pausesCsv,
  type ReportCsvOptions,
  slotReleaseCsv,
  wrapUpCsv,
} from './csv.ts';
import {
  attendancesByFinalizer,
  attendancesByTag,
  pauseTime,
  REPORT_MEDIA,
  type ReportScope,
  slotRelease,
  wrapUpDurations,
} from './queries.ts';

/** The default period: the 24 hours up to now. */
export const DEFAULT_PERIOD_MS = 24 * 60 * 60 * 1000;

/** The tag of the reports in the OpenAPI document. */
export const REPORT_TAGS = [
  {
    name: 'Relatórios',
    description:
      'reports of media Discador for supervisors and admins: attendances by tag and by finalizer, wrap-up times, ' +
      'pause times, slot release latency; JSON, or CSV for spreadsheets (format=csv, separator, bom)',
  },
];

const tags = ['Relatórios'];

const instant = (name: 'from' | 'to', description: string) =>
  z.iso
    .datetime({
      offset: true,
      error: `${name} must be an ISO 8601 date-time with Z or an offset, e.g. 2024-05-01T00:00:00Z or 2024-05-01T00:00:00-03:00`,
    })
    .optional()
    .openapi({ description, example: name === 'from' ? '2024-05-01T00:00:00-03:00' : '2024-05-02T00:00:00-03:00' });

const PeriodQuery = z.object({
  from: instant('from', 'start of the period (inclusive); default: 24 h before `to`'),
  to: instant('to', 'end of the period (exclusive); default: now'),
  media: z
    .literal(REPORT_MEDIA, {
      error: `the only media here is Discador: leave media out or send media=${REPORT_MEDIA}`,
    })
    .optional()
    .openapi({ description: 'the reports are of media Discador only' }),
  format: z
    .enum(['json', 'csv'], { error: 'format is json or csv' })
    .default('json')
    .openapi({ description: 'csv: an attachment, text/csv; charset=utf-8, pt-BR column names' }),
  separator: z
    .enum([',', ';'], { error: "separator is ',' or ';' (';' for Excel in pt-BR)" })
    .default(',')
    .openapi({ description: "with format=csv: the field separator; ';' is what Excel in pt-BR expects" }),
  bom: z.enum(['true', 'false'], { error: 'bom is true or false' }).default('false').openapi({
    description: 'with format=csv: true starts the file with a UTF-8 BOM so Excel shows the accents right',
  }),
});
type PeriodQuery = z.infer<typeof PeriodQuery>;

const PauseQuery = PeriodQuery.extend({
  byUser: z
    .enum(['true', 'false'], { error: 'byUser is true or false' })
    .optional()
    .openapi({ description: 'true: one row per user and pause' }),
  userId: z.string().min(1).optional().openapi({ description: 'only this user’s pause periods' }),
});

// --- response schemas ---

const Share = z.number().describe('fraction of 1, 4 decimal places');
const Ms = z.number().nullable();
const Period = {
  media: z.literal(REPORT_MEDIA),
  from: z.string().describe('ISO 8601, inclusive'),
  to: z.string().describe('ISO 8601, exclusive'),
};
const DurationStats = z
  .object({ count: z.number(), meanMs: Ms, p50Ms: Ms, p90Ms: Ms, p99Ms: Ms, maxMs: Ms })
  .openapi('DurationStats', { description: 'durations in ms; percentiles by nearest rank; null when count is 0' });
const DurationReport = z
  .object({ overall: DurationStats, byFinalizer: z.array(DurationStats.extend({ finalizedBy: FinalizerSchema })) })
  .openapi('DurationReport');

const ByTagReport = z
  .object({
    ...Period,
    total: z.number(),
    tags: z.array(z.object({ tagCode: z.string().nullable(), tagName: z.string(), count: z.number(), share: Share })),
  })
  .openapi('AttendancesByTagReport');
const ByFinalizerReport = z
  .object({
    ...Period,
    total: z.number(),
    finalizers: z.array(z.object({ finalizedBy: FinalizerSchema, count: z.number(), share: Share })),
    byTag: z.array(
      z.object({
        tagCode: z.string().nullable(),
        tagName: z.string(),
        finalizedBy: FinalizerSchema,
        count: z.number(),
        share: Share.describe('fraction of the tag’s attendances'),
      }),
    ),
  })
  .openapi('AttendancesByFinalizerReport');
const WrapUpReport = z.object({ ...Period, ...DurationReport.shape }).openapi('WrapUpReport');
const PausesReport = z
  .object({
    ...Period,
    periods: z.number(),
    totalMs: z.number(),
    pauses: z.array(
      z.object({
        pauseId: z.string().nullable(),
        pauseName: z.string(),
        idStatus: z.number(),
        userId: z.string().optional(),
        userName: z.string().optional(),
        periods: z.number(),
        openPeriods: z.number(),
        totalMs: z.number(),
        meanMs: z.number(),
      }),
    ),
  })
  .openapi('PausesReport');
const SlotReleaseReport = z
  .object({
    ...Period,
    slotFreed: DurationReport.describe('finalization → the dialer made the agent available (slot_freed_at)'),
    nextOffer: DurationReport.describe('finalization → the agent’s next attendance was offered (next_offer_at)'),
  })
  .openapi('SlotReleaseReport');

const responses = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  200: {
    content: {
      'application/json': { schema },
      'text/csv': {
        schema: z.string().openapi({
          description:
            'with format=csv: RFC 4180, CRLF line ends, pt-BR column names; a text cell starting with =, +, -, @, tab ' +
            "or CR is written behind a ' so spreadsheets never run it as a formula",
        }),
      },
    },
    description,
  },
});

/** Only supervisors and admins see reports: an agent gets 403 FORBIDDEN_ROLE. */
const REPORT_ERRORS: RouteOptions = { errors: [403] };

const csvOptions = (q: PeriodQuery): ReportCsvOptions => ({ separator: q.separator, bom: q.bom === 'true' });

const fileStamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');

/**
 * Relatórios of media Discador, for supervisors and admins of the session's organization. Each answers JSON or, with
 * `format=csv`, a CSV attachment. The period is `[from, to)`; left out, the 24 hours up to `now()`.
 */
export function reportRoutes(db: Db, users: Users, now: () => number) {
  const app = integrationRouter();
  app.use('/reports/*', requireRole('supervisor', 'admin'));

  const resolvePeriod = (q: PeriodQuery): { from: number; to: number } => {
    const to = q.to === undefined ? now() : Date.parse(q.to);
    const from = q.from === undefined ? to - DEFAULT_PERIOD_MS : Date.parse(q.from);
    if (from > to)
      throw validationError(
        [
          {
            path: ['from'],
            code: 'custom',
            message: `the period starts after it ends (from ${new Date(from).toISOString()} > to ${new Date(to).toISOString()})${q.to === undefined ? '; to defaults to now' : ''}`,
          },
        ],
        'query',
      );
    return { from, to };
  };

  const periodOf = (scope: ReportScope) => ({
    media: REPORT_MEDIA,
    from: new Date(scope.from).toISOString(),
    to: new Date(scope.to).toISOString(),
  });

  const csvFile = (c: Context<IntegrationEnv>, scope: ReportScope, name: string, csv: string): Response =>
    c.body(csv, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="discador-${name}-${fileStamp(scope.from)}-${fileStamp(scope.to)}.csv"`,
    });

  app.openapi(
    defineRoute(
      {
        method: 'get',
        path: '/reports/attendances-by-tag',
        operationId: 'reports.attendancesByTag',
        tags,
        summary: 'Finalized attendances of media Discador per tag (tabulação), with each one’s share',
        request: { query: PeriodQuery },
        responses: responses(ByTagReport, 'attendances per tag, most used first'),
      },
      REPORT_ERRORS,
    ),
    (c) => {
      const q = c.req.valid('query');
      const scope = { orgId: c.var.session.orgId, ...resolvePeriod(q) };
      const report = attendancesByTag(db, scope);
      if (q.format === 'csv')
        return csvFile(c, scope, 'atendimentos-por-tabulacao', attendancesByTagCsv(report, csvOptions(q)));
      return c.json({ ...periodOf(scope), ...report } satisfies z.infer<typeof ByTagReport>, 200);
    },
  );

  app.openapi(
    defineRoute(
      {
        method: 'get',
        path: '/reports/attendances-by-finalizer',
        operationId: 'reports.attendancesByFinalizer',
        tags,
        summary: 'Who finalized the attendances (agent, auto-tabulation, supervisor), overall and per tag',
        request: { query: PeriodQuery },
        responses: responses(ByFinalizerReport, 'attendances per finalizer'),
      },
      REPORT_ERRORS,
    ),
    (c) => {
      const q = c.req.valid('query');
      const scope = { orgId: c.var.session.orgId, ...resolvePeriod(q) };
      const report = attendancesByFinalizer(db, scope);
      if (q.format === 'csv')
        return csvFile(c, scope, 'atendimentos-por-finalizador', attendancesByFinalizerCsv(report, csvOptions(q)));
      return c.json({ ...periodOf(scope), ...report } satisfies z.infer<typeof ByFinalizerReport>, 200);
    },
  );

  app.openapi(
    defineRoute(
      {
        method: 'get',
        path: '/reports/wrap-up',
        operationId: 'reports.wrapUp',
        tags,
        summary:
          'Wrap-up durations (end of call → finalization): count, mean, p50, p90, p99, max; overall and per finalizer',
        request: { query: PeriodQuery },
        responses: responses(WrapUpReport, 'wrap-up durations in ms'),
      },
      REPORT_ERRORS,
    ),
    (c) => {
      const q = c.req.valid('query');
      const scope = { orgId: c.var.session.orgId, ...resolvePeriod(q) };
      const report = wrapUpDurations(db, scope);
      if (q.format === 'csv') return csvFile(c, scope, 'pos-atendimento', wrapUpCsv(report, csvOptions(q)));
      return c.json({ ...periodOf(scope), ...report } satisfies z.infer<typeof WrapUpReport>, 200);
    },
  );

  app.openapi(
    defineRoute(
      {
        method: 'get',
        path: '/reports/pauses',
        operationId: 'reports.pauses',
        tags,
        summary: 'Time in pause per pause (optionally per user), from the pause periods that started in the period',
        description:
          'A closed period counts whole; an open one up to min(to, now). An ID Status Omni has no pause for shows as ' +
          '“não mapeada (ID Status N)”.',
        request: { query: PauseQuery },
        responses: responses(PausesReport, 'pause time, most first'),
      },
      { errors: [403, 404] },
    ),
    (c) => {
      const q = c.req.valid('query');
      const orgId = c.var.session.orgId;
      const scope = { orgId, ...resolvePeriod(q) };
      if (q.userId !== undefined) users.get(orgId, q.userId); // 404 USER_NOT_FOUND for another org's user
      const byUser = q.byUser === 'true';
      const report = pauseTime(db, scope, {
        now: now(),
        byUser,
        ...(q.userId !== undefined ? { userId: q.userId } : {}),
      });
      if (q.format === 'csv')
        return csvFile(c, scope, byUser ? 'pausas-por-usuario' : 'pausas', pausesCsv(report, byUser, csvOptions(q)));
      return c.json({ ...periodOf(scope), ...report } satisfies z.infer<typeof PausesReport>, 200);
    },
  );

  app.openapi(
    defineRoute(
      {
        method: 'get',
        path: '/reports/slot-release',
        operationId: 'reports.slotRelease',
        tags,
        summary:
          'Slot release latency: finalization → slot free at the dialer, and finalization → next offer to the agent',
        request: { query: PeriodQuery },
        responses: responses(SlotReleaseReport, 'latencies in ms'),
      },
      REPORT_ERRORS,
    ),
    (c) => {
      const q = c.req.valid('query');
      const scope = { orgId: c.var.session.orgId, ...resolvePeriod(q) };
      const report = slotRelease(db, scope);
      if (q.format === 'csv') return csvFile(c, scope, 'liberacao-de-slot', slotReleaseCsv(report, csvOptions(q)));
      return c.json({ ...periodOf(scope), ...report } satisfies z.infer<typeof SlotReleaseReport>, 200);
    },
  );

  return app;
}
