#!/usr/bin/env node
// `npm run lint` / `npm run format`: Biome over the project's own files, the ones git tracks, so a stray scratch.ts
// (at the root or in any folder) never fails `npm test`. Outside a git checkout (an unpacked archive), every file.
// Arguments go to `biome check` (`--write` to fix).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');

/** The tracked files still present (a deletion not yet committed is tracked but gone), or null outside git. */
function trackedFiles() {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached'], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return [...new Set(out.split('\0'))].filter((f) => f !== '' && existsSync(f));
  } catch {
    return null;
  }
}

const files = trackedFiles() ?? ['.'];
const result = spawnSync(
  process.execPath,
  [biome, 'check', '--files-ignore-unknown=true', '--no-errors-on-unmatched', ...process.argv.slice(2), ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
