import { randomUUID } from 'node:crypto';
import type { MailingImportError } from '../../contract/mailing.ts';
import { AppError } from '../../core/errors.ts';
import type { LeadStaging } from './staging.ts';
import { readMailingCsv } from './stream.ts';

/** How many errors an import failure carries in its details (the count says how many there were). */
export const MAX_REPORTED_ERRORS = 500;

export interface ImportMailingOptions {
  /** Id of a lead the file gives none; a uuid by default. */
  newId?: () => string;
  /** Refuse a larger file with 413 MAILING_TOO_LARGE, without reading past the limit. */
  maxBytes?: number;
}

/** AppError MAILING_INVALID (422): the first problem in the message, the first MAX_REPORTED_ERRORS in the details. */
function mailingInvalid(errors: MailingImportError[], errorCount: number): AppError {
  const first = errors[0]!;
  const more = errorCount > 1 ? ` (and ${errorCount - 1} more problem${errorCount > 2 ? 's' : ''})` : '';
  return new AppError(
    'MAILING_INVALID',
    422,
    `mailing not imported: line ${first.line}, ${first.field}: ${first.message}${more}`,
    {
      errors,
      errorCount,
    },
  );
}

/**
 * Reads a mailing CSV as it arrives into `staging` (ids assigned where the file has none), all or nothing: when any
 * row is invalid it throws AppError MAILING_INVALID (422) whose details hold `errors` (the first
 * MAX_REPORTED_ERRORS, line by line) and `errorCount`; a refused header is answered before the rest is read. The
 * caller adds the staged leads to the campaign (`CampaignRepository.addStagedLeads`) and discards the staging.
 */
export async function stageMailingCsv(
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  staging: LeadStaging,
  options: ImportMailingOptions = {},
): Promise<number> {
  const newId = options.newId ?? randomUUID;
  const result = await readMailingCsv(input, {
    keep: MAX_REPORTED_ERRORS,
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
    onLeads: (leads) => staging.add(leads.map((lead) => ({ ...lead, id: lead.id ?? newId() }))),
  });
  if (result.errorCount > 0) throw mailingInvalid(result.errors, result.errorCount);
  return result.leads;
}
