import { CsvError, parse } from 'csv-parse/sync';
import {
  CustomFieldName,
  LeadInput,
  MAX_MAILING_SIZE,
  type MailingImportError,
  PHONE_PATTERN,
  phoneTypeOf,
} from '../../contract/mailing.ts';
import { looksLikeFormula, restoreFormulaCell, toSafeCsv } from '../../core/csv-safe.ts';

/** The lead's own columns, in the order an export writes them. Custom fields follow as `custom.<name>`. */
export const MAILING_COLUMNS = [
  'id',
  'name',
  'cpf',
  'phone',
  'phoneType',
  'areaCode',
  'email',
  'city',
  'state',
] as const;
type Column = (typeof MAILING_COLUMNS)[number];

/** Columns an import cannot do without; id is assigned when absent, phoneType and areaCode come from the phone. */
export const REQUIRED_COLUMNS: readonly Column[] = ['name', 'cpf', 'phone', 'email', 'city', 'state'];

export const CUSTOM_PREFIX = 'custom.';

/** Header names an import also understands (compared lower-cased, without accents, '-' and ' ' read as '_'). */
const HEADER_ALIASES: Readonly<Record<string, Column>> = {
  id: 'id',
  lead_id: 'id',
  leadid: 'id',
  name: 'name',
  nome: 'name',
  nome_completo: 'name',
  cpf: 'cpf',
  phone: 'phone',
  telefone: 'phone',
  fone: 'phone',
  celular: 'phone',
  phonetype: 'phoneType',
  phone_type: 'phoneType',
  tipo_telefone: 'phoneType',
  areacode: 'areaCode',
  area_code: 'areaCode',
  ddd: 'areaCode',
  email: 'email',
  e_mail: 'email',
  city: 'city',
  cidade: 'city',
  municipio: 'city',
  state: 'state',
  uf: 'state',
  estado: 'state',
};

const PHONE_TYPE_ALIASES: Readonly<Record<string, 'mobile' | 'landline'>> = {
  mobile: 'mobile',
  celular: 'mobile',
  movel: 'mobile',
  landline: 'landline',
  fixo: 'landline',
};

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

export interface MailingCsvOptions {
  /** ',' (the default) or ';' (what Excel in pt-BR expects). */
  separator?: ',' | ';';
  /** Start with a UTF-8 byte order mark, so Excel reads the accents right. */
  bom?: boolean;
}

/** The custom fields any of the leads has, in order of first appearance (added to `into` when given). */
export function customFieldNames(leads: readonly LeadInput[], into: string[] = []): string[] {
  const seen = new Set(into);
  for (const lead of leads)
    for (const name of Object.keys(lead.custom))
      if (!seen.has(name)) {
        seen.add(name);
        into.push(name);
      }
  return into;
}

/** The header row of an export: MAILING_COLUMNS, then `custom.<name>` per custom field. */
export const mailingHeader = (customNames: readonly string[]): string[] => [
  ...MAILING_COLUMNS,
  ...customNames.map((n) => CUSTOM_PREFIX + n),
];

/** A lead as a row of an export (an empty cell for a custom field it lacks). */
export const mailingRow = (l: LeadInput, customNames: readonly string[]): string[] => [
  l.id ?? '',
  l.name,
  l.cpf,
  l.phone,
  l.phoneType,
  l.areaCode,
  l.email,
  l.city,
  l.state,
  ...customNames.map((n) => l.custom[n] ?? ''),
];

/**
 * The mailing as CSV: a header row (MAILING_COLUMNS, then `custom.<name>` for every custom field any lead has, in
 * order of first appearance), one row per lead, '\n' line ends. A lead without some custom field gets an empty cell.
 * A cell a spreadsheet would run as a formula (`=…`, `+…` — phones too) is written behind a `'`; the import strips it.
 */
export function mailingToCsv(leads: readonly LeadInput[], options: MailingCsvOptions = {}): string {
  const customNames = customFieldNames(leads);
  return toSafeCsv([mailingHeader(customNames), ...leads.map((l) => mailingRow(l, customNames))], {
    separator: options.separator ?? ',',
    bom: options.bom ?? false,
  });
}

export interface ParsedMailing {
  /** The valid rows; an import should refuse the file when `errors` is not empty. */
  leads: LeadInput[];
  /** Every problem found, in line order: line 1 is the header; line 0 means the whole file. */
  errors: MailingImportError[];
  /** Cells a spreadsheet would run as formulas (`=HYPERLINK(…)`): importable, but worth a look. */
  warnings: MailingImportError[];
  /** The custom fields the header declares, in column order. */
  customFields: string[];
  /** The separator the file uses (read from the header line). */
  separator: ',' | ';';
}

/**
 * Bytes to text: UTF-8 (a BOM is fine), or Windows-1252 when the bytes are not UTF-8 — what Excel's plain "CSV"
 * export writes on a pt-BR Windows.
 */
export function decodeMailing(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** ';' when the header line has more semicolons than commas (outside quotes), else ','. */
export function detectSeparator(text: string): ',' | ';' {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const ch of text.replace(/^\uFEFF/, '')) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) {
      if (commas + semicolons > 0) break;
    } else if (!quoted && ch === ',') commas++;
    else if (!quoted && ch === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

/** '(11) 98765-4321', '11987654321', '5511987654321', '011 98765-4321' → '+5511987654321'; others unchanged. */
export function normalizePhone(raw: string): string {
  const s = raw.trim();
  if (!/^\+?[\d\s().-]+$/.test(s)) return s;
  const d = s.replace(/\D/g, '');
  if (s.startsWith('+')) return `+${d}`;
  if (d.startsWith('55') && (d.length === 12 || d.length === 13)) return `+${d}`;
  if (d.startsWith('0') && (d.length === 11 || d.length === 12)) return `+55${d.slice(1)}`;
  if (!d.startsWith('0') && (d.length === 10 || d.length === 11)) return `+55${d}`;
  return s;
}

/** '529.982.247-25' → '52998224725'; anything with other characters is left for the validation to refuse. */
const normalizeCpf = (raw: string): string => (/^[\d.\s/-]+$/.test(raw) ? raw.replace(/\D/g, '') : raw);

const FORMULA_WARNING =
  'starts like a spreadsheet formula (=, +, -, @, tab or CR): Excel would run it when the file is opened; ' +
  "check it is data (an export from the dialer writes such cells behind a ')";

/** A record as csv-parse gives it with `info: true`. */
export interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/** csv-parse options of a mailing (the sync and the stream readers use the same). */
export const csvParseOptions = (separator: ',' | ';') => ({
  bom: true,
  delimiter: separator,
  record_delimiter: ['\r\n', '\n', '\r'],
  info: true,
  relax_column_count: true,
  relax_quotes: true,
  skip_empty_lines: true,
});

const lineBreaks = (s: string) => s.match(/\r\n|\r|\n/g)?.length ?? 0;

/** A row's line is where it starts (a quoted field may span lines): its end line minus its line breaks. */
export const startLine = (r: ParsedRecord) => r.info.lines - r.record.reduce((n, c) => n + lineBreaks(c), 0);

interface Columns {
  /** Cell index of each of the lead's own columns present in the header. */
  own: Partial<Record<Column, number>>;
  /** Cell index and name of each custom column. */
  custom: { index: number; name: string }[];
}

function readHeader(cells: string[], errors: MailingImportError[]): Columns {
  const own: Partial<Record<Column, number>> = {};
  const custom: { index: number; name: string }[] = [];
  const used = new Map<string, number>();
  cells.forEach((raw, index) => {
    const cell = raw.trim();
    const column = `column ${index + 1}`;
    if (cell === '') {
      errors.push({ line: 1, field: column, message: `${column} of the header is empty: name it or delete it` });
      return;
    }
    const alias = HEADER_ALIASES[fold(cell)];
    const key = alias ?? `${CUSTOM_PREFIX}${cell.startsWith(CUSTOM_PREFIX) ? cell.slice(CUSTOM_PREFIX.length) : cell}`;
    const previous = used.get(key);
    if (previous !== undefined) {
      errors.push({
        line: 1,
        field: cell,
        message: `column '${cell}' (column ${index + 1}) repeats column ${previous + 1}: keep one of them`,
      });
      return;
    }
    used.set(key, index);
    if (alias) {
      own[alias] = index;
      return;
    }
    const name = key.slice(CUSTOM_PREFIX.length);
    if (!CustomFieldName.safeParse(name).success) {
      errors.push({
        line: 1,
        field: cell,
        message:
          `column '${cell}' is not a lead field and not a valid custom field name: ` +
          "use 1 to 64 letters, digits, '_' or '-' (optionally prefixed 'custom.')",
      });
      return;
    }
    custom.push({ index, name });
  });
  for (const required of REQUIRED_COLUMNS) {
    if (own[required] === undefined) {
      errors.push({
        line: 1,
        field: required,
        message:
          `the header has no '${required}' column; the first line must name the columns ` +
          `(${REQUIRED_COLUMNS.join(', ')} required; id, phoneType, areaCode and custom.<name> optional)`,
      });
    }
  }
  return { own, custom };
}

/** The row's cells as a LeadInput candidate, friendly formats (punctuated CPF, local phone…) normalized. */
function rowToCandidate(cells: string[], columns: Columns): Record<string, unknown> {
  const cell = (c: Column): string | undefined => {
    const i = columns.own[c];
    return i === undefined ? undefined : (cells[i] ?? '').trim();
  };
  const phone = normalizePhone(cell('phone') ?? '');
  const phoneOk = PHONE_PATTERN.test(phone);
  const typeCell = cell('phoneType');
  const areaCell = cell('areaCode');
  const custom: Record<string, string> = {};
  for (const { index, name } of columns.custom) {
    const value = (cells[index] ?? '').trim();
    if (value !== '') custom[name] = value;
  }
  const id = cell('id');
  return {
    ...(id ? { id } : {}),
    name: cell('name'),
    cpf: normalizeCpf(cell('cpf') ?? ''),
    phone,
    // derived from the phone when the column is absent or the cell empty (a bad phone is reported on its own)
    phoneType: typeCell ? (PHONE_TYPE_ALIASES[fold(typeCell)] ?? typeCell) : phoneOk ? phoneTypeOf(phone) : 'mobile',
    areaCode: areaCell
      ? areaCell.replace(/[\s()]/g, '').replace(/^0(\d{2})$/, '$1')
      : phoneOk
        ? phone.slice(3, 5)
        : '11',
    email: cell('email'),
    city: cell('city'),
    state: cell('state')?.toUpperCase(),
    custom,
  };
}

type ProblemKind = 'error' | 'warning';

export interface MailingRowsOptions {
  /** How many errors and warnings to keep each (the counts say how many there were); default all. */
  keep?: number;
  /** Told of each problem as it is found (a CLI prints them as it reads). */
  onProblem?: (problem: MailingImportError, kind: ProblemKind) => void;
}

/**
 * The checks of a mailing file, one record at a time, for the sync and the stream readers: the header first, then
 * each data row (CPF check digits, phone format and DDD, UF, e-mail, unique ids, field count). Memory stays bounded:
 * problems are counted and only the first `keep` kept, valid leads are handed back, not held.
 */
export class MailingRows {
  readonly errors: MailingImportError[] = [];
  readonly warnings: MailingImportError[] = [];
  errorCount = 0;
  warningCount = 0;
  customFields: string[] = [];
  /** Set when the file must not be read further (more leads than a mailing holds). */
  stopped = false;
  #columns: Columns | undefined;
  #header: string[] = [];
  #ids = new Map<string, number>();
  #dataRows = 0;

  constructor(
    readonly separator: ',' | ';',
    private readonly o: MailingRowsOptions = {},
  ) {}

  get leadRows(): number {
    return this.#dataRows;
  }

  #report(kind: ProblemKind, problem: MailingImportError): void {
    const list = kind === 'error' ? this.errors : this.warnings;
    if (kind === 'error') this.errorCount++;
    else this.warningCount++;
    if (list.length < (this.o.keep ?? Number.POSITIVE_INFINITY)) list.push(problem);
    this.o.onProblem?.(problem, kind);
  }

  /** A file csv-parse cannot read (a quote left open…): reported at its line; nothing more can be read. */
  malformed(e: CsvError): void {
    this.#report('error', {
      line: (e as CsvError & { lines?: number }).lines ?? 0,
      field: 'file',
      message:
        `${e.message}. A field holding '${this.separator}', a quote or a line break must be wrapped in double ` +
        'quotes, and a quote inside it doubled ("")',
    });
    this.stopped = true;
  }

  /** Reads the header row; false when it has problems (nothing more is worth reading then). */
  header(record: string[]): boolean {
    const problems: MailingImportError[] = [];
    this.#header = record;
    this.#columns = readHeader(record.map(restoreFormulaCell), problems);
    this.customFields = this.#columns.custom.map((c) => c.name);
    for (const p of problems) this.#report('error', p);
    return problems.length === 0;
  }

  /** Checks a data row starting at `line`; the lead when it is valid. Blank rows (Excel's ';;;;;') are skipped. */
  row(record: string[], line: number): LeadInput | undefined {
    const columns = this.#columns;
    if (!columns || this.stopped || record.every((c) => c.trim() === '')) return undefined;
    this.#dataRows++;
    record.forEach((raw, i) => {
      if (looksLikeFormula(raw))
        this.#report('warning', {
          line,
          field: this.#header[i]?.trim() || `column ${i + 1}`,
          message: FORMULA_WARNING,
        });
    });
    if (this.#dataRows > MAX_MAILING_SIZE) {
      this.#report('error', {
        line,
        field: 'file',
        message: `a mailing holds at most ${MAX_MAILING_SIZE} leads: split the file (this is lead ${this.#dataRows})`,
      });
      this.stopped = true;
      return undefined;
    }
    // A cell our export wrote behind a quote (`'+5511…`) reads back as it was.
    const cells = record.map(restoreFormulaCell);
    const width = this.#header.length;
    if (cells.length < width || cells.slice(width).some((c) => c.trim() !== '')) {
      this.#report('error', {
        line,
        field: 'row',
        message:
          `the row has ${cells.length} fields but the header has ${width}: check the separators ` +
          `('${this.separator}') and quote any field that contains one`,
      });
      return undefined;
    }
    const parsed = LeadInput.safeParse(rowToCandidate(cells, columns));
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const [first, second] = issue.path;
        const field =
          first === 'custom' && second !== undefined ? `${CUSTOM_PREFIX}${String(second)}` : String(first ?? 'row');
        this.#report('error', { line, field, message: issue.message });
      }
      return undefined;
    }
    const lead = parsed.data;
    if (lead.id !== undefined) {
      const first = this.#ids.get(lead.id);
      if (first !== undefined) {
        this.#report('error', {
          line,
          field: 'id',
          message: `id '${lead.id}' is already used on line ${first}: ids must be unique (or leave them empty)`,
        });
        return undefined;
      }
      this.#ids.set(lead.id, line);
    }
    return lead;
  }

  /** The end of the file: an empty file, or a header without leads, is a problem too. */
  end(): void {
    if (!this.#columns && this.errorCount === 0)
      this.#report('error', {
        line: 1,
        field: 'file',
        message: `the file is empty: the first line must be the header (${REQUIRED_COLUMNS.join(this.separator)}…)`,
      });
    else if (this.#columns && this.#dataRows === 0 && this.errorCount === 0)
      this.#report('error', {
        line: 2,
        field: 'file',
        message: 'the file has a header but no leads: add one lead per line',
      });
  }
}

/**
 * Reads and checks a mailing CSV held in memory (see `readMailingCsv` for a stream): a header row naming the columns
 * (see MAILING_COLUMNS; pt-BR names such as nome, telefone, cidade, uf are understood; any other column is a custom
 * field, `custom.` prefix optional), then one lead per row. ',' or ';' separated, UTF-8 with or without BOM (bytes
 * that are not UTF-8 are read as Windows-1252). Blank rows are skipped. Returns the valid leads and every problem
 * with its line number.
 */
export function parseMailingCsv(input: string | Uint8Array): ParsedMailing {
  const text = typeof input === 'string' ? input : decodeMailing(input);
  const rows = new MailingRows(detectSeparator(text));
  const leads: LeadInput[] = [];
  const result = (): ParsedMailing => ({
    leads,
    errors: rows.errors,
    warnings: rows.warnings,
    customFields: rows.customFields,
    separator: rows.separator,
  });
  let records: ParsedRecord[];
  try {
    // with `info`, each record comes as { record, info } (the typings only know the plain arrays)
    records = parse(text, csvParseOptions(rows.separator)) as unknown as ParsedRecord[];
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    rows.malformed(e);
    return result();
  }
  const [header, ...data] = records;
  if (header && !rows.header(header.record)) return result();
  for (const r of data) {
    const lead = rows.row(r.record, startLine(r));
    if (lead) leads.push(lead);
    if (rows.stopped) break;
  }
  rows.end();
  return result();
}
