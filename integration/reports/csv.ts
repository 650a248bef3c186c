import { stringify } from 'csv-stringify/sync';
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
 * The reports as CSV (RFC 4180): a header row with pt-BR column names, ',' between fields, CRLF between records, a
 * field quoted (its quotes doubled) when it holds a ',', a '"', a CR or a LF. Durations in whole ms; shares as
 * percentages with two decimals ("33.33"); an empty field where there is no value (statistics of no durations).
 * No BOM. The JSON answers keep the English keys; these are for spreadsheets.
 */

type Cell = string | number | null | undefined;

/** One CSV document: the header row, then the rows. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  return stringify([header, ...rows], {
    record_delimiter: 'windows',
    // csv-stringify quotes fields holding the record delimiter, but with CRLF a lone LF or CR would go out bare.
    quoted_match: /[\r\n]/,
  });
}

export const FINALIZER_LABEL: Readonly<Record<Finalizer, string>> = {
  agent: 'Agente',
  auto: 'Automática',
  supervisor: 'Supervisor',
};

const ALL = 'Todos';
const percent = (share: number) => (share * 100).toFixed(2);

export function attendancesByTagCsv(r: AttendancesByTag): string {
  return toCsv(
    ['Código da tabulação', 'Tabulação', 'Atendimentos', 'Participação (%)'],
    r.tags.map((t) => [t.tagCode, t.tagName, t.count, percent(t.share)]),
  );
}

/** First the overall rows (empty tag columns), then per tag; a per-tag share is of that tag's attendances. */
export function attendancesByFinalizerCsv(r: AttendancesByFinalizer): string {
  return toCsv(
    ['Código da tabulação', 'Tabulação', 'Finalizado por', 'Atendimentos', 'Participação (%)'],
    [
      ...r.finalizers.map((f) => ['', 'Todas', FINALIZER_LABEL[f.finalizedBy], f.count, percent(f.share)]),
      ...r.byTag.map((t) => [t.tagCode, t.tagName, FINALIZER_LABEL[t.finalizedBy], t.count, percent(t.share)]),
    ],
  );
}

const STATS_HEADER = ['Quantidade', 'Média (ms)', 'P50 (ms)', 'P90 (ms)', 'P99 (ms)', 'Máximo (ms)'];
const statsCells = (s: DurationStats): Cell[] => [s.count, s.meanMs, s.p50Ms, s.p90Ms, s.p99Ms, s.maxMs];
const durationRows = (r: DurationReport): Cell[][] => [
  [ALL, ...statsCells(r.overall)],
  ...r.byFinalizer.map((f) => [FINALIZER_LABEL[f.finalizedBy], ...statsCells(f)]),
];

/** A row for all attendances, then one per finalizer. */
export function wrapUpCsv(r: DurationReport): string {
  return toCsv(['Finalizado por', ...STATS_HEADER], durationRows(r));
}

/** Per measure (slot freed, next offer): a row for all attendances, then one per finalizer. */
export function slotReleaseCsv(r: SlotReleaseReport): string {
  return toCsv(
    ['Medida', 'Finalizado por', ...STATS_HEADER],
    [
      ...durationRows(r.slotFreed).map((row) => ['Finalização → slot livre', ...row]),
      ...durationRows(r.nextOffer).map((row) => ['Finalização → próxima oferta', ...row]),
    ],
  );
}

/** With `byUser`, each row starts with the user's id and name. */
export function pausesCsv(r: PauseReport, byUser = false): string {
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
  );
}
