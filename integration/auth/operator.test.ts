import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startTestPair, type TestPair } from '../../harness/pair.ts';
import { loadOperatorToken, OperatorToken } from './operator.ts';

const dir = mkdtempSync(join(tmpdir(), 'omni-operator-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the operator token', () => {
  it('is generated once into the data folder with mode 0600, and read back after', () => {
    const first = loadOperatorToken(join(dir, 'data'), {});
    expect(first.source).toEqual({ file: join(dir, 'data', 'operator-token') });
    expect(statSync(join(dir, 'data', 'operator-token')).mode & 0o777).toBe(0o600);
    expect(first.token.length).toBeGreaterThanOrEqual(32);
    expect(loadOperatorToken(join(dir, 'data'), {}).token).toBe(first.token);
    expect(readFileSync(join(dir, 'data', 'operator-token'), 'utf8').trim()).toBe(first.token);
  });

  it('comes from DS_HARNESS_OPERATOR_TOKEN when set, and no file is written', () => {
    const got = loadOperatorToken(join(dir, 'env-data'), { DS_HARNESS_OPERATOR_TOKEN: 'from-the-environment-123' });
    expect(got).toEqual({ token: 'from-the-environment-123', source: { env: 'DS_HARNESS_OPERATOR_TOKEN' } });
  });

  it('matches only itself, and refuses a short one', () => {
    const t = new OperatorToken('an-operator-token-0123');
    expect(t.matches('an-operator-token-0123')).toBe(true);
    expect(t.matches('an-operator-token-0124')).toBe(false);
    expect(t.matches('')).toBe(false);
    expect(() => new OperatorToken('short')).toThrow(/at least 16/);
  });
});

describe('creating organizations over HTTP', () => {
  let p: TestPair;
  afterEach(async () => {
    await p?.close();
  });

  it("takes the operator token; an organization's admin gets 403 OPERATOR_REQUIRED", async () => {
    p = await startTestPair();
    const body = { id: 'beta', name: 'Beta', admin: { username: 'root', name: 'Root', password: 'senha-root-1' } };
    const admin = p.client((await p.login('admin')).token);
    const refused = await admin.request<{ error: { code: string; message: string } }>('POST', '/api/v1/organizations', {
      json: body,
    });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'OPERATOR_REQUIRED']);
    expect(refused.body.error.message).toContain('X-Omni-Operator-Token');
    const nobody = await p.client().request('POST', '/api/v1/organizations', { json: body });
    expect(nobody.status).toBe(401);
    const operator = p.client();
    const created = await operator.request<{ id: string }>('POST', '/api/v1/organizations', {
      json: body,
      headers: { 'x-omni-operator-token': p.omni.operatorToken },
    });
    expect([created.status, created.body.id]).toEqual([201, 'beta']);
    const all = await operator.request<Array<{ id: string }>>('GET', '/api/v1/organizations', {
      headers: { 'x-omni-operator-token': p.omni.operatorToken },
    });
    expect(all.body.map((o) => o.id)).toEqual(['acme', 'beta']);
    const own = await admin.request<Array<{ id: string }>>('GET', '/api/v1/organizations');
    expect(own.body.map((o) => o.id)).toEqual(['acme']);
  });
});
