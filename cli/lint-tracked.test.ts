import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, 'lint-tracked.mjs');
const repo = mkdtempSync(join(tmpdir(), 'dsh-lint-'));
afterAll(() => rmSync(repo, { recursive: true, force: true }));

const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
/** `npm run lint` in the checkout: its exit code and what Biome printed. */
const lint = () => {
  const r = spawnSync(process.execPath, [script], { cwd: repo, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
};
const CLEAN = 'export const answer = 42;\n';
const UNFORMATTED_AND_UNUSED = 'var  unused=1\nexport const x = 1\n';

describe('npm run lint', () => {
  it("checks only the files git tracks: scratch files anywhere don't fail it, a tracked file's problem does", () => {
    copyFileSync(join(import.meta.dirname, '..', 'biome.json'), join(repo, 'biome.json'));
    git('init', '-q');
    mkdirSync(join(repo, 'core'));
    writeFileSync(join(repo, 'core', 'answer.ts'), CLEAN);
    git('add', 'biome.json', 'core/answer.ts');
    writeFileSync(join(repo, 'scratch.ts'), UNFORMATTED_AND_UNUSED);
    writeFileSync(join(repo, 'core', 'scratch.ts'), UNFORMATTED_AND_UNUSED);

    const clean = lint();
    expect(clean.status, clean.output).toBe(0);
    expect(clean.output).not.toContain('scratch.ts');

    writeFileSync(join(repo, 'core', 'answer.ts'), UNFORMATTED_AND_UNUSED);
    const dirty = lint();
    expect(dirty.status).toBe(1);
    expect(dirty.output).toContain('core/answer.ts');
    expect(dirty.output).not.toContain('scratch.ts');
  });

  it('a tracked file deleted but not yet committed is skipped, not an error', () => {
    writeFileSync(join(repo, 'core', 'answer.ts'), CLEAN);
    writeFileSync(join(repo, 'core', 'gone.ts'), CLEAN);
    git('add', 'core/gone.ts');
    rmSync(join(repo, 'core', 'gone.ts'));
    const r = lint();
    expect(r.status, r.output).toBe(0);
  });
});
