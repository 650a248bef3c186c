import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/**
 * CPU profiles of the benchmark's measured phases, when `DS_BENCH_PROFILE` names a folder: each phase's profile of
 * this thread (Omni's) is written there as `<name>.cpuprofile` (open it in Chrome's DevTools or speedscope). Off by
 * default: profiling slows what it measures.
 */
export async function profiled<T>(name: string, run: () => Promise<T>, dir = process.env.DS_BENCH_PROFILE): Promise<T> {
  if (!dir) return run();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
  }
}
