import { randomUUID } from 'node:crypto';
import type { Lead } from '../../contract/mailing.ts';
import { AppError } from '../../core/errors.ts';
import { parseMailingCsv } from './csv.ts';

/** How many errors an import failure carries in its details (the count says how many there were). */
export const MAX_REPORTED_ERRORS = 500;

export interface ImportMailingOptions {
  /** Id of a lead the file gives none; a uuid by default. */
  newId?: () => string;
}

/**
 * All or nothing: the file's leads (ids assigned where missing), or AppError MAILING_INVALID (422) whose details
 * hold `errors` (the first MAX_REPORTED_ERRORS, line by line) and `errorCount` when any row is invalid.
 */
export function importMailing(input: string | Uint8Array, options: ImportMailingOptions = {}): Lead[] {
  const { leads, errors } = parseMailingCsv(input);
  if (errors.length > 0) {
    const first = errors[0]!;
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
    throw new AppError(
      'MAILING_INVALID',
      422,
      `mailing not imported: line ${first.line}, ${first.field}: ${first.message}${more}`,
      { errors: errors.slice(0, MAX_REPORTED_ERRORS), errorCount: errors.length },
    );
  }
  const newId = options.newId ?? randomUUID;
  return leads.map((lead) => ({ ...lead, id: lead.id ?? newId() }));
}
