import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Command, CommanderError } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { Lead } from '../contract/mailing.ts';
import { mailingToCsv, parseMailingCsv } from '../simulator/mailing/csv.ts';
import { generateMailing } from '../simulator/mailing/generate.ts';
import { registerMailingCommand } from './mailing.ts';

const dir = mkdtempSync(join(tmpdir(), 'ds-mailing-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A program with the mailing command whose output and exits are captured instead of reaching the process. */
function cli() {
  const output = { out: '', err: '' };
  const program = new Command().exitOverride().configureOutput({
    writeOut: (s) => {
      output.out += s;
    },
    writeErr: (s) => {
      output.err += s;
    },
  });
  registerMailingCommand(program);
  const run = async (...args: string[]) => {
    try {
      await program.parseAsync(args, { from: 'user' });
      return 0;
    } catch (e) {
      if (e instanceof CommanderError) return e.exitCode;
      throw e;
    }
  };
  return { run, output };
}

describe('mailing generate', () => {
  it('writes a CSV mailing to --out, the same for the same seed', async () => {
    const file = join(dir, 'a.csv');
    const { run, output } = cli();
    expect(await run('mailing', 'generate', '--size', '5', '--seed', 'x', '--out', file)).toBe(0);
    expect(output.out).toMatch(/wrote 5 leads to/);
    const csv = readFileSync(file, 'utf8');
    const parsed = parseMailingCsv(csv);
    expect(parsed.errors).toEqual([]);
    expect(parsed.leads.map((l) => l.id)).toEqual(['L000001', 'L000002', 'L000003', 'L000004', 'L000005']);
    expect(parsed.customFields).toEqual(['produto', 'valor_divida', 'vencimento']);

    const file2 = join(dir, 'b.csv');
    await cli().run('mailing', 'generate', '--size', '5', '--seed', 'x', '--out', file2);
    expect(readFileSync(file2, 'utf8')).toBe(csv);
    await cli().run('mailing', 'generate', '--size', '5', '--seed', 'y', '--out', file2);
    expect(readFileSync(file2, 'utf8')).not.toBe(csv);
  });

  it('writes to stdout, as JSON, with ; and BOM, and with the custom fields asked for', async () => {
    const { run, output } = cli();
    await run(
      'mailing',
      'generate',
      '--size',
      '3',
      '--seed',
      '7',
      '--format',
      'json',
      '--custom-field',
      'contrato',
      'score',
    );
    const leads = JSON.parse(output.out) as unknown[];
    expect(leads).toHaveLength(3);
    for (const lead of leads) expect(Object.keys(Lead.parse(lead).custom)).toEqual(['contrato', 'score']);

    const excel = cli();
    await excel.run('mailing', 'generate', '--size', '2', '--seed', '7', '--separator', ';', '--bom');
    expect(excel.output.out.startsWith('\uFEFFid;name;cpf;')).toBe(true);
  });

  it('writes, batch by batch, exactly the mailing generateMailing gives, as CSV (with ; and BOM) and as JSON', async () => {
    const leads = generateMailing({ size: 2500, seed: 'batches' }); // more than one batch
    const csvFile = join(dir, 'batches.csv');
    await cli().run(
      'mailing',
      'generate',
      '--size',
      '2500',
      '--seed',
      'batches',
      '--out',
      csvFile,
      '--separator',
      ';',
      '--bom',
    );
    expect(readFileSync(csvFile, 'utf8')).toBe(mailingToCsv(leads, { separator: ';', bom: true }));
    const jsonFile = join(dir, 'batches.json');
    await cli().run(
      'mailing',
      'generate',
      '--size',
      '2500',
      '--seed',
      'batches',
      '--out',
      jsonFile,
      '--format',
      'json',
    );
    expect(readFileSync(jsonFile, 'utf8')).toBe(`${JSON.stringify(leads, null, 2)}\n`);
  });

  it('keeps the event loop free while it generates 100 000 leads', async () => {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const { run, output } = cli();
    expect(await run('mailing', 'generate', '--size', '100000', '--seed', 'big', '--out', join(dir, 'big.csv'))).toBe(
      0,
    );
    delay.disable();
    expect(output.out).toMatch(/wrote 100000 leads/);
    // generous: all at once it blocked for seconds; a batch takes tens of ms
    expect(delay.max / 1e6).toBeLessThan(1000);
  }, 120_000);

  it('refuses a size that is not a whole number from 1 to 100000, saying so', async () => {
    for (const size of ['0', '100001', '2.5', 'abc', '-3']) {
      const { run, output } = cli();
      expect(await run('mailing', 'generate', '--size', size, '--seed', 'x')).toBe(1);
      expect(output.err).toMatch(/size must be a whole number from 1 to 100000/);
    }
    const { run, output } = cli();
    expect(await run('mailing', 'generate', '--size', '5')).toBe(1);
    expect(output.err).toMatch(/--seed/);
  });

  it('refuses a bad custom field name and an unknown format', async () => {
    const a = cli();
    expect(await a.run('mailing', 'generate', '--size', '1', '--seed', 'x', '--custom-field', 'a.b')).toBe(1);
    expect(a.output.err).toMatch(/custom field name/);
    const b = cli();
    expect(await b.run('mailing', 'generate', '--size', '1', '--seed', 'x', '--format', 'xml')).toBe(1);
    expect(b.output.err).toMatch(/csv, json/);
  });
});

describe('mailing validate', () => {
  it('accepts a valid file', async () => {
    const file = join(dir, 'valid.csv');
    await cli().run('mailing', 'generate', '--size', '10', '--seed', 'v', '--out', file, '--separator', ';');
    const { run, output } = cli();
    expect(await run('mailing', 'validate', file)).toBe(0);
    expect(output.out).toMatch(/10 leads, all valid \(separator ';'/);
  });

  it('lists the problems with their line numbers and exits 1', async () => {
    const file = join(dir, 'invalid.csv');
    writeFileSync(
      file,
      'nome;cpf;telefone;email;cidade;uf\n' +
        'Ana;529.982.247-25;(11) 98765-4321;ana@gmail.com;Santos;SP\n' +
        'Rui;111.111.111-11;(11) 98765-4321;rui@gmail.com;Santos;SP\n' +
        'Bia;529.982.247-25;(11) 98765-4321;bia@;Santos;SX\n',
    );
    const { run, output } = cli();
    expect(await run('mailing', 'validate', file)).toBe(1);
    expect(output.out).toContain(`${file}:3  cpf: `);
    expect(output.out).toContain(`${file}:4  email: `);
    expect(output.out).toContain(`${file}:4  state: `);
    expect(output.err).toMatch(/3 problems on 2 lines/);
  });

  it('warns about cells that would run as formulas in a spreadsheet, and still exits 0 for a valid file', async () => {
    const file = join(dir, 'formula.csv');
    writeFileSync(
      file,
      'nome;cpf;telefone;email;cidade;uf\n' +
        '=HYPERLINK("https://evil.example","Ana");529.982.247-25;+55 (11) 98765-4321;ana@gmail.com;Santos;SP\n' +
        'Rui;529.982.247-25;+5511987654321;rui@gmail.com;@SUM(A1);SP\n',
    );
    const { run, output } = cli();
    expect(await run('mailing', 'validate', file)).toBe(0);
    expect(output.out).toContain(`${file}:2  nome: warning: starts like a spreadsheet formula`);
    expect(output.out).toContain(`${file}:3  cidade: warning: `);
    expect(output.out).not.toContain('telefone: warning');
    expect(output.out).toMatch(/2 leads, all valid .*; 2 cells would run as formulas/);
  });

  it('does not warn about a generated mailing: its phones are written behind a quote', async () => {
    const file = join(dir, 'generated.csv');
    await cli().run('mailing', 'generate', '--size', '20', '--seed', 'w', '--out', file);
    expect(readFileSync(file, 'utf8').split('\n')[1]).toContain(",'+55");
    const { run, output } = cli();
    expect(await run('mailing', 'validate', file)).toBe(0);
    expect(output.out).not.toContain('warning');
  });

  it('says which file mixes two encodings, instead of reading it wrong', async () => {
    const file = join(dir, 'mixed.csv');
    const utf8 = Buffer.from(
      'nome;cpf;telefone;email;cidade;uf\nJoão;529.982.247-25;(11) 98765-4321;a@b.com;Santos;SP\n',
    );
    writeFileSync(
      file,
      Buffer.concat([utf8, Buffer.from('Sebasti\xe3o;529.982.247-25;(11) 98765-4321;s@b.com;Santos;SP\n', 'latin1')]),
    );
    const { run, output } = cli();
    expect(await run('mailing', 'validate', file)).toBe(1);
    expect(output.err).toMatch(/save it again as "CSV UTF-8"/);
  });

  it('says so when the file cannot be read', async () => {
    const { run, output } = cli();
    expect(await run('mailing', 'validate', join(dir, 'nope.csv'))).toBe(1);
    expect(output.err).toMatch(/cannot read/);
  });

  it('has help for each command', () => {
    const program = new Command();
    registerMailingCommand(program);
    const mailing = program.commands.find((c) => c.name() === 'mailing')!;
    expect(mailing.description()).toBeTruthy();
    for (const sub of mailing.commands) expect(sub.description().length).toBeGreaterThan(20);
    expect(mailing.commands.map((c) => c.name())).toEqual(['generate', 'validate']);
  });
});
