import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { benchDialer, formatDialerBench } from '../scenarios/bench/dialer.ts';

const positiveInt = (what: string) => (value: string) => {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a whole number of at least 1`);
  return n;
};

type BenchOptions = {
  only?: 'dialer';
  durationMs: number;
  out: string;
  agents: number;
  dispositions: number;
  concurrency: number;
};

/** `bench`: measures the simulator over real HTTPS on this machine; prints a table and writes JSON reports. */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description(
      'Benchmark the simulator over real HTTPS on this machine (requests/s, latency, memory per 1,000 agents); ' +
        'prints a table and writes <out>/bench-<name>.json',
    )
    .addOption(new Option('--only <name>', 'run only this benchmark').choices(['dialer']))
    .addOption(
      new Option('--duration-ms <ms>', 'how long the agent-status phase measures')
        .default(5000)
        .argParser(positiveInt('--duration-ms')),
    )
    .option('--out <dir>', 'folder for the JSON reports', './reports')
    .addOption(
      new Option('--agents <n>', 'agents logged in for the memory measurement')
        .default(1000)
        .argParser(positiveInt('--agents')),
    )
    .addOption(
      new Option('--dispositions <n>', 'dispositions sent (each on its own call in wrap-up)')
        .default(3000)
        .argParser(positiveInt('--dispositions')),
    )
    .addOption(
      new Option('--concurrency <n>', 'requests in flight at once').default(16).argParser(positiveInt('--concurrency')),
    )
    .action(async (o: BenchOptions) => {
      // One benchmark so far: `--only dialer` and no --only run the same thing.
      const result = await benchDialer({
        durationMs: o.durationMs,
        agents: o.agents,
        dispositions: o.dispositions,
        concurrency: o.concurrency,
        progress: (line) => process.stderr.write(`bench: ${line}\n`),
      });
      mkdirSync(o.out, { recursive: true });
      const file = join(o.out, 'bench-dialer.json');
      writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
      process.stdout.write(`${formatDialerBench(result)}\n\nwritten: ${relative(process.cwd(), file) || file}\n`);
    });
}
