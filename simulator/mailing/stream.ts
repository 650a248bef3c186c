import { pipeline, Readable } from 'node:stream';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { CsvError, parse } from 'csv-parse';
import type { LeadInput, MailingImportError } from '../../contract/mailing.ts';
import { AppError } from '../../core/errors.ts';
import {
  csvParseOptions,
  detectSeparator,
  MailingRows,
  type MailingRowsOptions,
  type ParsedRecord,
  startLine,
} from './csv.ts';
import { MailingDecoder } from './decode.ts';

/** Leads handed on at a time; between two batches the reader yields to the event loop. */
export const MAILING_BATCH_SIZE = 1000;

/** The header line must end within this many characters: a longer first line is not a mailing header. */
const MAX_HEADER_CHARS = 64 * 1024;

export interface ReadMailingOptions extends MailingRowsOptions {
  /** Valid leads in file order, `batchSize` at a time; called only while the file has no error so far. */
  onLeads?: (leads: LeadInput[]) => void | Promise<void>;
  batchSize?: number;
  /** Refuse a file over this many bytes (413 MAILING_TOO_LARGE), without reading past the limit. */
  maxBytes?: number;
}

export interface MailingReadResult {
  /** Valid leads handed to `onLeads` (all of the file's when `errorCount` is 0). */
  leads: number;
  errors: MailingImportError[];
  errorCount: number;
  warnings: MailingImportError[];
  warningCount: number;
  customFields: string[];
  separator: ',' | ';';
  /** True when the header was refused: the rest of the file was not read. */
  headerRefused: boolean;
}

type Chunk = Uint8Array | string;

/** Bytes to text chunks (UTF-8, or Windows-1252 when the bytes are not UTF-8), refusing a file over `maxBytes`. */
async function* decoded(input: AsyncIterable<Chunk> | Iterable<Chunk>, maxBytes: number): AsyncGenerator<string> {
  const decoder = new MailingDecoder();
  let bytes = 0;
  for await (const chunk of input) {
    if (typeof chunk === 'string') {
      yield chunk;
      continue;
    }
    bytes += chunk.byteLength;
    if (bytes > maxBytes)
      throw new AppError('MAILING_TOO_LARGE', 413, `a mailing CSV may have at most ${maxBytes} bytes: split the file`, {
        maxBytes,
      });
    const text = decoder.write(chunk);
    if (text) yield text;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

/** Whether the text holds a line break outside double quotes. */
function hasLineEnd(text: string): boolean {
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) return true;
  }
  return false;
}

/**
 * Reads and checks a mailing CSV as it arrives (a request body, a file stream), with bounded memory: the header is
 * checked as soon as it is read, and when it is refused the rest is never read; rows are parsed by csv-parse's
 * stream API, checked one by one, and valid ones handed to `onLeads` in batches, with a yield to the event loop after
 * each batch so other requests are served meanwhile. Problems are counted; the first `keep` of each kind are kept.
 */
export async function readMailingCsv(
  input: AsyncIterable<Chunk> | Iterable<Chunk>,
  o: ReadMailingOptions = {},
): Promise<MailingReadResult> {
  const text = decoded(input, o.maxBytes ?? Number.POSITIVE_INFINITY)[Symbol.asyncIterator]();
  // Up to the end of the header line first: the separator is read from it.
  let head = '';
  let ended = false;
  while (!hasLineEnd(head) && head.length <= MAX_HEADER_CHARS) {
    const next = await text.next();
    if (next.done) {
      ended = true;
      break;
    }
    head += next.value;
  }
  const rows = new MailingRows(detectSeparator(head), o);
  const source = Readable.from(
    (async function* () {
      if (head) yield head;
      if (ended) return;
      for (let next = await text.next(); !next.done; next = await text.next()) yield next.value;
    })(),
  );
  const parser = parse(csvParseOptions(rows.separator));
  // pipeline, not pipe: an error of the input (too large, a mixed encoding) reaches the loop below.
  pipeline(source, parser, () => undefined);

  const batchSize = o.batchSize ?? MAILING_BATCH_SIZE;
  let batch: LeadInput[] = [];
  let handed = 0;
  let checked = 0;
  let headerRefused = false;
  const flush = async () => {
    if (batch.length > 0 && rows.errorCount === 0) {
      handed += batch.length;
      await o.onLeads?.(batch);
    }
    batch = [];
    await yieldToEventLoop();
  };
  try {
    for await (const r of parser as AsyncIterable<ParsedRecord>) {
      if (checked++ === 0) {
        if (rows.header(r.record)) continue;
        headerRefused = true;
        break;
      }
      const lead = rows.row(r.record, startLine(r));
      if (lead) batch.push(lead);
      if (rows.stopped) break;
      if (checked % batchSize === 0) await flush();
    }
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    rows.malformed(e);
  } finally {
    // Stop reading the input, without waiting: a client still sending (or stalled) gets its answer now.
    parser.destroy();
    source.destroy();
    text.return?.(undefined).catch(() => undefined);
  }
  if (!headerRefused) {
    await flush();
    rows.end();
  }
  return {
    leads: handed,
    errors: rows.errors,
    errorCount: rows.errorCount,
    warnings: rows.warnings,
    warningCount: rows.warningCount,
    customFields: rows.customFields,
    separator: rows.separator,
    headerRefused,
  };
}
