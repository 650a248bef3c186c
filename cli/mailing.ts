import { readFileSync, writeFileSync } from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_CUSTOM_FIELDS, MAX_MAILING_SIZE } from '../contract/mailing.ts';
import { mailingToCsv, parseMailingCsv } from '../simulator/mailing/csv.ts';
import { generateMailing } from '../simulator/mailing/generate.ts';
import { fail, guarded, out, write } from './output.ts';

/** --size: a whole number from 1 to MAX_MAILING_SIZE. */
export const parseSize = (value: string): number => {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_MAILING_SIZE) {
    throw new InvalidArgumentError(`size must be a whole number from 1 to ${MAX_MAILING_SIZE}, e.g. 1000`);
  }
  return n;
};

interface GenerateOptions {
  size: number;
  seed: string;
  out?: string;
  format: 'csv' | 'json';
  customField: string[];
  separator: ',' | ';';
  bom?: boolean;
}

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
        const leads = generateMailing({ size: opts.size, seed: opts.seed, customFields: opts.customField });
        const text =
          opts.format === 'json'
            ? `${JSON.stringify(leads, null, 2)}\n`
            : mailingToCsv(leads, { separator: opts.separator, bom: opts.bom ?? false });
        if (opts.out) {
          try {
            writeFileSync(opts.out, text);
          } catch (e) {
            fail(cmd, `cannot write ${opts.out}: ${(e as Error).message}`, 'FILE_UNWRITABLE');
          }
          out(cmd, `wrote ${leads.length} leads to ${opts.out} (${opts.format}, seed '${opts.seed}')`);
        } else {
          write(cmd, text);
        }
      }),
    );

  mailing
    .command('validate')
    .description(
      'checks a mailing CSV as an import would (header, CPF check digits, phone, DDD, UF, e-mail, unique ids) ' +
        'and lists every problem with its line number; exit code 1 if there is any',
    )
    .argument('<file>', "the CSV: ',' or ';' separated, UTF-8 (BOM optional) or Windows-1252, header row first")
    .action(
      guarded(async (file: string, _opts: unknown, cmd: Command) => {
        let bytes: Uint8Array;
        try {
          bytes = readFileSync(file);
        } catch (e) {
          fail(cmd, `cannot read ${file}: ${(e as Error).message}`, 'FILE_UNREADABLE');
        }
        const { leads, errors, customFields, separator } = parseMailingCsv(bytes);
        if (errors.length > 0) {
          for (const e of errors) out(cmd, `${file}:${e.line}  ${e.field}: ${e.message}`);
          const lines = new Set(errors.map((e) => e.line)).size;
          fail(
            cmd,
            `${errors.length} problem${errors.length === 1 ? '' : 's'} on ${lines} line${lines === 1 ? '' : 's'} ` +
              `of ${file}: an import would refuse the whole file`,
            'MAILING_INVALID',
          );
        }
        const custom = customFields.length > 0 ? `custom fields: ${customFields.join(', ')}` : 'no custom fields';
        out(cmd, `${file}: ${leads.length} leads, all valid (separator '${separator}', ${custom})`);
      }),
    );
}
