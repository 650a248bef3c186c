import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, expect, inject } from 'vitest';
import { contractCheckMode, formatViolations, takeContractViolations } from './contract-check.ts';

/**
 * The contract check's end in the test suite (registered in vitest.config.ts): the responses of every service the
 * harness started were checked as they were answered; after each test (after its own hooks, which may still talk to
 * the services) its violations fail it in `enforce` mode, or are written down for the run's table in `report` mode.
 * Violations seen after the last test of a file (in its afterAll) fail the file.
 */
const mode = contractCheckMode();
const reportFile = mode === 'report' ? join(inject('contractReportDir') ?? '', `${process.pid}.jsonl`) : undefined;

function settle(test: string) {
  const violations = takeContractViolations();
  if (violations.length === 0) return;
  if (reportFile) {
    appendFileSync(reportFile, violations.map((v) => `${JSON.stringify({ ...v, test })}\n`).join(''));
    return;
  }
  throw new Error(
    `${violations.length} response(s) departed from the published OpenAPI document (DS_HARNESS_CONTRACT_CHECK=report ` +
      `lists every gap of the run; see harness/README.md):\n\n${formatViolations(violations)}`,
  );
}

afterEach(() => settle(expect.getState().currentTestName ?? '(unknown test)'));
afterAll(() => settle(`${expect.getState().testPath ?? '(file)'} (after its tests)`));
