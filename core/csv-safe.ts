import { type Options, stringify } from 'csv-stringify/sync';

/**
 * CSV that a spreadsheet opens as data, never as formulas (OWASP "CSV injection"): a text cell starting with `=`,
 * `+`, `-`, `@`, a tab or a CR gets a leading single quote, so `=HYPERLINK(…)` in a lead's name reaches Excel as text.
 * Every CSV the project writes goes through `toSafeCsv`; a reader of our own files undoes the quote with
 * `restoreFormulaCell`, so export → import gives back the same values.
 */

/** The characters that make a spreadsheet read a cell as a formula (OWASP's list). */
const TRIGGER = '[=+\\-@\\t\\r]';
/**
 * A cell to neutralize: a trigger, possibly behind quotes. Quoting `'=x` too (→ `''=x`) keeps the rule reversible:
 * the reader strips exactly one quote from any cell matching `'+` + trigger.
 */
const NEEDS_QUOTE = new RegExp(`^'*${TRIGGER}`);
const NEUTRALIZED = new RegExp(`^'+${TRIGGER}`);

/** The cell as text a spreadsheet will not evaluate: a leading `'` when it starts with `= + - @`, tab or CR. */
export const neutralizeFormulaCell = (cell: string): string => (NEEDS_QUOTE.test(cell) ? `'${cell}` : cell);

/** Undoes `neutralizeFormulaCell` (for importers of files we wrote); any other cell is returned unchanged. */
export const restoreFormulaCell = (cell: string): string => (NEUTRALIZED.test(cell) ? cell.slice(1) : cell);

/**
 * Whether a cell of a file someone hands us would run as a formula in a spreadsheet: it starts with `=`, `@`, a tab or
 * a CR, or with `+`/`-` followed by more than a number or phone (`+55 (11) 98765-4321` and `-12,50` are data;
 * `+cmd|' /C calc'!A0` and `-2+3+SUM(A1)` are not).
 */
export function looksLikeFormula(cell: string): boolean {
  if (/^[=@\t\r]/.test(cell)) return true;
  return /^[+-]/.test(cell) && !/^[+-][\d\s().,/+-]*$/.test(cell);
}

export type CsvCell = string | number | boolean | null | undefined;

export interface SafeCsvOptions {
  /** ',' (the default) or ';' (what Excel in pt-BR expects). */
  separator?: ',' | ';';
  /** Start with a UTF-8 byte order mark, so Excel reads the accents right. */
  bom?: boolean;
  /** '\n' (the default) or '\r\n' (RFC 4180). */
  lineEnd?: 'unix' | 'windows';
}

/** csv-stringify options for a safe CSV (also for its stream API). */
export function safeCsvOptions(o: SafeCsvOptions = {}): Options {
  return {
    delimiter: o.separator ?? ',',
    bom: o.bom ?? false,
    record_delimiter: o.lineEnd ?? 'unix',
    cast: { string: neutralizeFormulaCell },
    // csv-stringify quotes a field holding the record delimiter only; a lone CR or LF must not go out bare either.
    quoted_match: /[\r\n]/,
  };
}

/** Rows (the header first) as one CSV document whose text cells cannot run as formulas. */
export function toSafeCsv(rows: Iterable<readonly CsvCell[]>, o: SafeCsvOptions = {}): string {
  return stringify([...rows] as CsvCell[][], safeCsvOptions(o));
}
