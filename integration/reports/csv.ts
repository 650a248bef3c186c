import { type CsvCell, type SafeCsvOptions, toSafeCsv } from '../../core/csv-safe.ts';
import type {
  AttendancesByFinalizer,
  AttendancesByTag,
  DurationReport,
  DurationStats,
  Finalizer,
  PauseReport,
  SlotReleaseReport,
} from './queries.ts';

/**
 * The reports as CSV (RFC 4180): a header row with pt-BR column names, ',' between fields (';' on request, what Excel
 * in pt-BR expects), CRLF between records, a field quoted (its quotes doubled) when it holds the separator, a '"', a
 * CR or a LF. Durations in whole ms; shares as percentages with two decimals ("33.33"); an empty field where there
 * is no value (statistics of no durations). A UTF-8 BOM on request. A text cell a spreadsheet would run as a formula
 * (a tag named `=HYPERLINK(…)`) is written behind a `'`. The JSON answers keep the English keys; these are for
 * spreadsheets.
 */

type Cell = CsvCell;

/** What a user may choose of a report's CSV. */
export type ReportCsvOptions = Pick<SafeCsvOptions, 'separator' | 'bom'>;

/** One CSV document: the header row, then the rows. */
export function toCsv(
  header: readonly string[],
  rows: ReadonlyArray<readonly Cell[]>,
  options: ReportCsvOptions = {},
): string {
  return toSafeCsv([header, ...rows], { ...options, lineEnd: 'windows' });
}

export const FINALIZER_LABEL: Readonly<Record<Finalizer, string>> = {
  agent: 'Agente',
  auto: 'Automática',
  supervisor: 'Supervisor',
};

const ALL = 'Todos';
const percent = (share: number) => (share * 100).toFixed(2);

export function attendancesByTagCsv(r: AttendancesByTag, options: ReportCsvOptions = {}): string {
  return toCsv(
    ['Código da tabulação', 'Tabulação', 'Atendimentos', 'Participação (%)'],
    r.tags.map((t) => [t.tagCode, t.tagName, t.count, percent(t.share)]),
    options,
  );
}

/** First the overall rows (empty tag columns), then per tag; a per-tag share is of that tag's attendances. */
export function attendancesByFinalizerCsv(r: AttendancesByFinalizer, options: ReportCsvOptions = {}): string {
  return toCsv(
    ['Código da tabulação', 'Tabulação', 'Finalizado por', 'Atendimentos', 'Participação (%)'],
    [
      ...r.finalizers.map((f) => ['', 'Todas', FINALIZER_LABEL[f.finalizedBy], f.count, percent(f.share)]),
      ...r.byTag.map((t) => [t.tagCode, t.tagName, FINALIZER_LABEL[t.finalizedBy], t.count, percent(t.share)]),
    ],
    options,
  );
}

const STATS_HEADER = ['Quantidade', 'Média (ms)', 'P50 (ms)', 'P90 (ms)', 'P99 (ms)', 'Máximo (ms)'];
const statsCells = (s: DurationStats): Cell[] => [s.count, s.meanMs, s.p50Ms, s.p90Ms, s.p99Ms, s.maxMs];
const durationRows = (r: DurationReport): Cell[][] => [
  [ALL, ...statsCells(r.overall)],
  ...r.byFinalizer.map((f) => [FINALIZER_LABEL[f.finalizedBy], ...statsCells(f)]),
];

/** A row for all attendances, then one per finalizer. */
export function wrapUpCsv(r: DurationReport, options: ReportCsvOptions = {}): string {
  return toCsv(['Finalizado por', ...STATS_HEADER], durationRows(r), options);
}

/** Per measure (slot freed, next offer): a row for all attendances, then one per finalizer. */
export function slotReleaseCsv(r: SlotReleaseReport, options: ReportCsvOptions = {}): string {
  return toCsv(
    ['Medida', 'Finalizado por', ...STATS_HEADER],
    [
      ...durationRows(r.slotFreed).map((row) => ['Finalização → slot livre', ...row]),
      ...durationRows(r.nextOffer).map((row) => ['Finalização → próxima oferta', ...row]),
    ],
    options,
  );
}

/** With `byUser`, each row starts with the user's id and name. */
export function pausesCsv(r: PauseReport, byUser = false, options: ReportCsvOptions = {}): string {
  const header = [
    ...(byUser ? ['ID do usuário', 'Usuário'] : []),
    'ID da pausa',
    'Pausa',
    'ID Status',
    'Períodos',
    'Períodos em aberto',
    'Tempo total (ms)',
    'Tempo médio (ms)',
  ];
  return toCsv(
    header,
    r.pauses.map((p) => [
      ...(byUser ? [p.userId, p.userName] : []),
      p.pauseId,
      p.pauseName,
      p.idStatus,
      p.periods,
      p.openPeriods,
      p.totalMs,
      p.meanMs,
    ]),
    options,
  );
}
