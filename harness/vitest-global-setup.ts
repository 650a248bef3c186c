import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { contractCheckMode, type RecordedViolation, summarizeViolations } from './contract-check.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** In `report` mode, the folder where each test worker writes the contract violations it saw. */
    contractReportDir: string | null;
  }
}

/**
 * In DS_HARNESS_CONTRACT_CHECK=report mode: the workers write the violations they saw into a folder; at the end of the
 * run this prints them as one table (the gaps between the published documents and the services, all at once).
 */
export default function setup(project: TestProject) {
  const dir = contractCheckMode() === 'report' ? mkdtempSync(join(tmpdir(), 'dsh-contract-')) : null;
  project.provide('contractReportDir', dir);
  return () => {
    if (!dir) return;
    const violations = readdirSync(dir).flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as RecordedViolation & { test?: string }),
    );
    rmSync(dir, { recursive: true, force: true });
    console.log(`\nContract check (report mode): ${violations.length ? summarizeViolations(violations) : 'no gaps'}\n`);
  };
}
