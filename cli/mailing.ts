import { type FileHandle, open } from 'node:fs/promises';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Lead } from '../contract/mailing.ts';
import { DEFAULT_CUSTOM_FIELDS, MAX_MAILING_SIZE } from '../contract/mailing.ts';
import { toSafeCsv } from '../core/csv-safe.ts';
import { customFieldNames, type MailingCsvOptions, mailingHeader, mailingRow } from '../simulator/mailing/csv.ts';
import { generateMailingBatches } from '../simulator/mailing/generate.ts';
import { type MailingReadResult, readMailingCsv } from '../simulator/mailing/stream.ts';
import { fail, guarded, out, write } from './output.ts';

/** --size: a whole number from 1 to MAX_MAILING_SIZE. */
export const parseSize = (value: string): number => {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_MAILING_SIZE) {
    throw new InvalidArgumentError(`size must be a whole number from 1 to ${MAX_MAILING_SIZE}, e.g. 1000`);
  }
  return n;
};

/** How many formula warnings `validate` lists (the count says how many there are). */
const MAX_WARNINGS_SHOWN = 20;

interface GenerateOptions {
  size: number;
  seed: string;
  out?: string;
  format: 'csv' | 'json';
  customField: string[];
  separator: ',' | ';';
  bom?: boolean;
}

/** A batch of generated leads as CSV (the header, and the BOM if asked, before the first): all share the fields. */
function csvChunk(leads: Lead[], first: boolean, o: MailingCsvOptions): string {
  const names = customFieldNames(leads);
  const rows = leads.map((l) => mailingRow(l, names));
  return toSafeCsv(first ? [mailingHeader(names), ...rows] : rows, {
    separator: o.separator ?? ',',
    bom: first && o.bom === true,
  });
}

/** A batch of leads as part of the pretty-printed JSON array `JSON.stringify(leads, null, 2)` would write. */
const jsonChunk = (leads: Lead[], first: boolean): string =>
  (first ? '[\n' : ',\n') + leads.map((l) => `  ${JSON.stringify(l, null, 2).replace(/\n/g, '\n  ')}`).join(',\n');

/** `mailing generate` and `mailing validate`. */
export function registerMailingCommand(program: Command): void {
  const mailing = program
    .command('mailing')
    .description("the dialer's call list (mailing): generate a seeded fake one, or check a CSV before importing it");

  mailing
    .command('generate')
    .description(
      'writes a fake pt-BR mailing (valid CPFs, real DDDs, city and UF matching the phone); ' +
        'the same seed gives the same file byte for byte',
    )
    .requiredOption('--size <n>', `number of leads, 1 to ${MAX_MAILING_SIZE}`, parseSize)
    .requiredOption('--seed <seed>', "seed of the mailing ('42' and 42 are the same seed)")
    .option('--out <file>', 'write to this file instead of stdout')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .option(
      '--custom-field <names...>',
      'custom fields to fill (known: produto, valor_divida, vencimento, contrato, parcelas, dias_atraso, plano, ' +
        'segmento, score, cliente_desde; others get a code)',
      [...DEFAULT_CUSTOM_FIELDS],
    )
    .addOption(
      new Option('--separator <char>', "CSV separator (';' for Excel in pt-BR)").choices([',', ';']).default(','),
    )
    .option('--bom', 'start the CSV with a UTF-8 BOM so Excel shows the accents right')
    .action(
      guarded(async (opts: GenerateOptions, cmd: Command) => {
        let file: FileHandle | undefined;
        if (opts.out) {
          try {
            file = await open(opts.out, 'w');
          } catch (e) {
            fail(cmd, `cannot write ${opts.out}: ${(e as Error).message}`, 'FILE_UNWRITABLE');
          }
        }
        // Written a batch at a time as it is generated: 100 000 leads never sit in memory as one text.
        const emit = async (text: string) => {
          if (file) await file.write(text);
          else write(cmd, text);
        };
        let count = 0;
        try {
          const request = { size: opts.size, seed: opts.seed, customFields: opts.customField };
          for await (const batch of generateMailingBatches(request)) {
            await emit(
              opts.format === 'json'
                ? jsonChunk(batch, count === 0)
                : csvChunk(batch, count === 0, { separator: opts.separator, bom: opts.bom ?? false }),
            );
            count += batch.length;
          }
          if (opts.format === 'json') await emit('\n]\n');
        } finally {
          await file?.close();
        }
        if (opts.out) out(cmd, `wrote ${count} leads to ${opts.out} (${opts.format}, seed '${opts.seed}')`);
      }),
    );

  mailing
    .command('validate')
    .description(
      'checks a mailing CSV as an import would (header, CPF check digits, phone, DDD, UF, e-mail, unique ids) ' +
        'and lists every problem with its line number; exit code 1 if there is any. Also warns about cells a ' +
        'spreadsheet would run as formulas (=, @, +/- before more than a number)',
    )
    .argument('<file>', "the CSV: ',' or ';' separated, UTF-8 (BOM optional) or Windows-1252, header row first")
    .action(
      guarded(async (file: string, _opts: unknown, cmd: Command) => {
        let handle: FileHandle;
        try {
          handle = await open(file, 'r');
        } catch (e) {
          fail(cmd, `cannot read ${file}: ${(e as Error).message}`, 'FILE_UNREADABLE');
        }
        // Read as a stream, each problem printed as it is found: a 50 MB file needs no more memory than a small one.
        // Warnings do not refuse the file: the dialer imports it, but a spreadsheet opening it would run these cells.
        const lines = new Set<number>();
        let shownWarnings = 0;
        let result: MailingReadResult;
        try {
          result = await readMailingCsv(handle.createReadStream(), {
            keep: 0,
            onProblem: (p, kind) => {
              if (kind === 'error') {
                lines.add(p.line);
                out(cmd, `${file}:${p.line}  ${p.field}: ${p.message}`);
              } else if (shownWarnings++ < MAX_WARNINGS_SHOWN)
                out(cmd, `${file}:${p.line}  ${p.field}: warning: ${p.message}`);
            },
          });
        } finally {
          await handle.close();
        }
        const { errorCount, warningCount, customFields, separator } = result;
        if (warningCount > MAX_WARNINGS_SHOWN)
          out(cmd, `${file}: … and ${warningCount - MAX_WARNINGS_SHOWN} more cells that look like formulas`);
        if (errorCount > 0)
          fail(
            cmd,
            `${errorCount} problem${errorCount === 1 ? '' : 's'} on ${lines.size} line${lines.size === 1 ? '' : 's'} ` +
              `of ${file}: an import would refuse the whole file`,
            'MAILING_INVALID',
          );
        const custom = customFields.length > 0 ? `custom fields: ${customFields.join(', ')}` : 'no custom fields';
        const formulas =
          warningCount > 0
            ? `; ${warningCount} cell${warningCount === 1 ? '' : 's'} would run as formulas in a spreadsheet (see the warnings)`
            : '';
        out(cmd, `${file}: ${result.leads} leads, all valid (separator '${separator}', ${custom})${formulas}`);
      }),
    );
}
