import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every TypeScript file under a top-level folder of the project. */
function sources(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|tsx|mts)$/.test(e.name)) out.push(p);
    }
  };
  walk(join(root, folder));
  return out;
}

/** The top-level project folders a file imports from (relative imports only). */
function importedFolders(file: string): Array<{ folder: string; spec: string }> {
  const text = readFileSync(file, 'utf8');
  const found: Array<{ folder: string; spec: string }> = [];
  for (const m of text.matchAll(
    /(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g,
  )) {
    const spec = (m[1] ?? m[2])!;
    const target = relative(root, resolve(dirname(file), spec));
    found.push({ folder: target.split(/[\\/]/)[0]!, spec });
  }
  return found;
}

/** Files of `folder` (tests too, or not) that import from any of `forbidden`, as "file → import". */
function crossings(folder: string, forbidden: string[], withTests = true): string[] {
  return sources(folder)
    .filter((f) => withTests || !/\.test\.tsx?$/.test(f))
    .flatMap((f) =>
      importedFolders(f)
        .filter((i) => forbidden.includes(i.folder))
        .map((i) => `${relative(root, f)} → ${i.spec}`),
    );
}

describe('module boundaries (DESIGN §2)', () => {
  it('product code never imports the harness, the scenarios or the CLI (their tests may use the harness)', () => {
    for (const folder of ['core', 'contract', 'simulator', 'integration'])
      expect(crossings(folder, ['harness', 'scenarios', 'cli'], false), folder).toEqual([]);
  });

  it('the simulator and the integration never import each other, not even in tests (those go through harness/)', () => {
    expect(crossings('simulator', ['integration'])).toEqual([]);
    expect(crossings('integration', ['simulator'])).toEqual([]);
  });

  it('contract/ and core/ depend on nothing of the product', () => {
    expect(crossings('contract', ['simulator', 'integration'])).toEqual([]);
    expect(crossings('core', ['contract', 'simulator', 'integration'])).toEqual([]);
  });

  it('sees the imports it checks (a crossing in a scratch file would be found)', () => {
    // Guards the scanner itself: harness files do import both sides.
    const harness = sources('harness').flatMap((f) => importedFolders(f).map((i) => i.folder));
    expect(harness).toContain('simulator');
    expect(harness).toContain('integration');
  });
});
