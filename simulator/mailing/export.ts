import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { LeadInput } from '../../contract/mailing.ts';
import { toSafeCsv } from '../../core/csv-safe.ts';
import { customFieldNames, type MailingCsvOptions, mailingHeader, mailingRow } from './csv.ts';

/** Leads read from the store per page of an export; the event loop is free between pages. */
export const EXPORT_PAGE_SIZE = 2000;

/** Reads `limit` leads of the mailing from `offset`, in mailing order. */
export type LeadPage = (offset: number, limit: number) => readonly LeadInput[];

/**
 * The same CSV as `mailingToCsv`, a page of leads at a time, so a 100 000-lead export holds one page in memory and
 * never blocks the server for long: a first pass finds the custom fields (the header names them), a second writes.
 */
export async function* mailingCsvChunks(readPage: LeadPage, options: MailingCsvOptions = {}): AsyncGenerator<string> {
  const pages = async function* () {
    for (let offset = 0; ; offset += EXPORT_PAGE_SIZE) {
      const leads = readPage(offset, EXPORT_PAGE_SIZE);
      if (leads.length > 0) yield leads;
      if (leads.length < EXPORT_PAGE_SIZE) return;
      await yieldToEventLoop();
    }
  };
  const customNames: string[] = [];
  for await (const leads of pages()) customFieldNames(leads, customNames);
  const separator = options.separator ?? ',';
  yield toSafeCsv([mailingHeader(customNames)], { separator, bom: options.bom ?? false });
  for await (const leads of pages())
    yield toSafeCsv(
      leads.map((l) => mailingRow(l, customNames)),
      { separator },
    );
}
