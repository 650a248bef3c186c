import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { benchDialer, formatDialerBench } from '../scenarios/bench/dialer.ts';
import { benchIntegration, formatIntegrationBench } from '../scenarios/bench/integration.ts';

const positiveInt = (what: string) => (value: string) => {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a whole number of at least 1`);
  return n;
};

const rateList = (value: string) => {
  const rates = value.split(',').map((part) => positiveInt('each of --rates')(part));
  if (rates.length === 0) throw new InvalidArgumentError('--rates needs at least one rate');
  return rates;
};

type BenchOptions = {
  only?: 'dialer' | 'integration';
  durationMs: number;
  out: string;
  agents: number;
  dispositions: number;
  concurrency: number;
  rates: number[];
  wrapups: number;
  wrapupSpreadMs: number;
  dialerInProcess: boolean;
};

/** `bench`: measures the simulator and the Omni side on this machine; prints tables and writes JSON reports. */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description(
      'Benchmark this machine: the simulator over real HTTPS (requests/s, latency, memory per 1,000 agents) and the ' +
        'Omni side with it (slot release latency, auto-tabulation firing error); prints tables and writes ' +
        '<out>/bench-<name>.json',
    )
    .addOption(new Option('--only <name>', 'run only this benchmark').choices(['dialer', 'integration']))
    .addOption(
      new Option('--duration-ms <ms>', 'dialer: how long the agent-status phase measures')
        .default(5000)
        .argParser(positiveInt('--duration-ms')),
    )
    .option('--out <dir>', 'folder for the JSON reports', './reports')
    .addOption(
      new Option('--agents <n>', 'agents logged in (dialer: memory phase; integration: slot-release phase)')
        .default(1000)
        .argParser(positiveInt('--agents')),
    )
    .addOption(
      new Option('--dispositions <n>', 'dialer: dispositions sent (each on its own call in wrap-up)')
        .default(3000)
        .argParser(positiveInt('--dispositions')),
    )
    .addOption(
      new Option('--concurrency <n>', 'dialer: requests in flight at once')
        .default(16)
        .argParser(positiveInt('--concurrency')),
    )
    .addOption(
      new Option('--rates <list>', 'integration: finalizations per second to measure, comma-separated')
        .default([100, 500], '100,500')
        .argParser(rateList),
    )
    .addOption(
      new Option('--wrapups <n>', 'integration: concurrent wrap-ups whose auto-tabulation firing is timed')
        .default(10_000)
        .argParser(positiveInt('--wrapups')),
    )
    .addOption(
      new Option('--wrapup-spread-ms <ms>', 'integration: the wrap-up deadlines are spread over this long')
        .default(3000)
        .argParser(positiveInt('--wrapup-spread-ms')),
    )
    .option(
      '--dialer-in-process',
      "integration: run the dialer simulator on the Omni side's thread (default: its own worker thread, as in real use)",
      false,
    )
    .action(async (o: BenchOptions) => {
      const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);
      const write = (name: string, result: unknown, table: string) => {
        mkdirSync(o.out, { recursive: true });
        const file = join(o.out, `bench-${name}.json`);
        writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
        process.stdout.write(`${table}\n\nwritten: ${relative(process.cwd(), file) || file}\n`);
      };
      if (o.only !== 'integration') {
        const result = await benchDialer({
          durationMs: o.durationMs,
          agents: o.agents,
          dispositions: o.dispositions,
          concurrency: o.concurrency,
          progress,
        });
        write('dialer', result, formatDialerBench(result));
      }
      if (o.only !== 'dialer') {
        if (o.only === undefined) process.stdout.write('\n');
        const result = await benchIntegration({
          agents: o.agents,
          rates: o.rates,
          wrapUps: o.wrapups,
          wrapUpSpreadMs: o.wrapupSpreadMs,
          dialer: o.dialerInProcess ? 'in-process' : 'worker',
          progress,
        });
        write('integration', result, formatIntegrationBench(result));
      }
    });
}
