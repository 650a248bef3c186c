import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenApiDocument } from './openapi-ajv.ts';
import { openApiProblems } from './openapi-lint.ts';
import { startTestPair, type TestPair } from './pair.ts';

let p: TestPair;
beforeAll(async () => {
  p = await startTestPair();
});
afterAll(() => p?.close());

/**
 * Both services' published documents, fetched as a client does, must be valid OpenAPI 3.1 and complete. A failure
 * lists every problem with where it is: the worklist.
 */
describe('the published OpenAPI documents', () => {
  it('the dialer’s is valid and complete', async () => {
    const res = await p.dialer.api.request<OpenApiDocument>('GET', '/openapi.json');
    expect(res.status).toBe(200);
    const problems = await openApiProblems(res.body);
    expect(problems, `${problems.length} problem(s):\n${problems.join('\n')}`).toEqual([]);
  });

  it('Omni’s is valid and complete', async () => {
    const res = await p.client().request<OpenApiDocument>('GET', '/openapi.json');
    expect(res.status).toBe(200);
    const problems = await openApiProblems(res.body);
    expect(problems, `${problems.length} problem(s):\n${problems.join('\n')}`).toEqual([]);
  });
});
