import { cpus, platform, totalmem } from 'node:os';

/** The machine a benchmark ran on: compare numbers only between runs on the same one. */
export type Machine = { cpus: number; model: string; totalMemGiB: number; node: string; platform: string };

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export function machine(): Machine {
  const list = cpus();
  return {
    cpus: list.length,
    model: list[0]?.model.trim() ?? 'unknown',
    totalMemGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: platform(),
  };
}

export const describeMachine = (m: Machine) =>
  `machine: ${m.cpus} × ${m.model}, ${m.totalMemGiB} GiB, node ${m.node} (${m.platform})`;
