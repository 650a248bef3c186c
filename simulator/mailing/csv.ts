import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import {
  CustomFieldName,
  LeadInput,
  MAX_MAILING_SIZE,
  type MailingImportError,
  PHONE_PATTERN,
  phoneTypeOf,
} from '../../contract/mailing.ts';

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

/**
 * The mailing as CSV: a header row (MAILING_COLUMNS, then `custom.<name>` for every custom field any lead has, in
 * order of first appearance), one row per lead, '\n' line ends. A lead without some custom field gets an empty cell.
 */
export function mailingToCsv(leads: readonly LeadInput[], options: MailingCsvOptions = {}): string {
  const customNames: string[] = [];
  const seen = new Set<string>();
  for (const lead of leads) {
    for (const name of Object.keys(lead.custom)) {
      if (!seen.has(name)) {
        seen.add(name);
        customNames.push(name);
      }
    }
  }
  const header = [...MAILING_COLUMNS, ...customNames.map((n) => CUSTOM_PREFIX + n)];
  const rows = leads.map((l) => [
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
  ]);
  return stringify([header, ...rows], {
    delimiter: options.separator ?? ',',
    bom: options.bom ?? false,
    record_delimiter: 'unix',
  });
}

export interface ParsedMailing {
  /** The valid rows; an import should refuse the file when `errors` is not empty. */
  leads: LeadInput[];
  /** Every problem found, in line order: line 1 is the header; line 0 means the whole file. */
  errors: MailingImportError[];
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
function detectSeparator(text: string): ',' | ';' {
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

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

const lineBreaks = (s: string) => s.match(/\r\n|\r|\n/g)?.length ?? 0;

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

/**
 * Reads and checks a mailing CSV: a header row naming the columns (see MAILING_COLUMNS; pt-BR names such as nome,
 * telefone, cidade, uf are understood; any other column is a custom field, `custom.` prefix optional), then one
 * lead per row. ',' or ';' separated, UTF-8 with or without BOM (bytes that are not UTF-8 are read as
 * Windows-1252). Blank rows are skipped. Every row is checked: CPF check digits, phone format and DDD, UF, e-mail,
 * unique ids. Returns the valid leads and every error with its line number.
 */
export function parseMailingCsv(input: string | Uint8Array): ParsedMailing {
  const text = typeof input === 'string' ? input : decodeMailing(input);
  const separator = detectSeparator(text);
  const errors: MailingImportError[] = [];
  const leads: LeadInput[] = [];
  const result = (customFields: string[] = []): ParsedMailing => ({ leads, errors, customFields, separator });

  let records: ParsedRecord[];
  try {
    // with `info`, each record comes as { record, info } (the typings only know the plain arrays)
    records = parse(text, {
      bom: true,
      delimiter: separator,
      record_delimiter: ['\r\n', '\n', '\r'],
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
    }) as unknown as ParsedRecord[];
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    const line = (e as CsvError & { lines?: number }).lines ?? 0;
    errors.push({
      line,
      field: 'file',
      message:
        `${e.message}. A field holding '${separator}', a quote or a line break must be wrapped in double quotes, ` +
        'and a quote inside it doubled ("")',
    });
    return result();
  }

  // A row's line is where it starts (a quoted field may span lines): its end line minus its line breaks.
  const startLine = (r: ParsedRecord) => r.info.lines - r.record.reduce((n, c) => n + lineBreaks(c), 0);

  const [headerRecord, ...rows] = records;
  if (!headerRecord) {
    errors.push({
      line: 1,
      field: 'file',
      message: `the file is empty: the first line must be the header (${REQUIRED_COLUMNS.join(separator)}…)`,
    });
    return result();
  }
  const columns = readHeader(headerRecord.record, errors);
  const customFields = columns.custom.map((c) => c.name);
  if (errors.length > 0) return result(customFields);

  const width = headerRecord.record.length;
  const idLines = new Map<string, number>();
  let dataRows = 0;
  for (const row of rows) {
    const cells = row.record;
    if (cells.every((c) => c.trim() === '')) continue; // Excel's ';;;;;' rows
    const line = startLine(row);
    dataRows++;
    if (dataRows > MAX_MAILING_SIZE) {
      errors.push({
        line,
        field: 'file',
        message: `a mailing holds at most ${MAX_MAILING_SIZE} leads: split the file (this is lead ${dataRows})`,
      });
      break;
    }
    const extra = cells.slice(width);
    if (cells.length < width || extra.some((c) => c.trim() !== '')) {
      errors.push({
        line,
        field: 'row',
        message:
          `the row has ${cells.length} fields but the header has ${width}: check the separators ('${separator}') ` +
          'and quote any field that contains one',
      });
      continue;
    }
    const parsed = LeadInput.safeParse(rowToCandidate(cells, columns));
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const [first, second] = issue.path;
        const field =
          first === 'custom' && second !== undefined ? `${CUSTOM_PREFIX}${String(second)}` : String(first ?? 'row');
        errors.push({ line, field, message: issue.message });
      }
      continue;
    }
    const lead = parsed.data;
    if (lead.id !== undefined) {
      const first = idLines.get(lead.id);
      if (first !== undefined) {
        errors.push({
          line,
          field: 'id',
          message: `id '${lead.id}' is already used on line ${first}: ids must be unique (or leave them empty)`,
        });
        continue;
      }
      idLines.set(lead.id, line);
    }
    leads.push(lead);
  }
  if (dataRows === 0) {
    errors.push({ line: 2, field: 'file', message: 'the file has a header but no leads: add one lead per line' });
  }
  return result(customFields);
}
