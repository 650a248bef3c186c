import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpsClient } from '../core/https-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'dsh-start-'));
let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGTERM');
});

/** Runs `ds-harness start` as a user would (any free ports) and collects what it prints. */
function startBothSides(): Promise<string> {
  return new Promise((resolve, reject) => {
    const bin = join(import.meta.dirname, 'bin.mjs');
    child = spawn(
      process.execPath,
      [bin, 'start', '--port', '0', '--omni-port', '0', '--data', join(dir, 'data'), '--certs', join(dir, 'certs')],
      {
        cwd: dir,
        env: { ...process.env, LOG_LEVEL: 'silent' },
      },
    );
    let out = '';
    const timer = setTimeout(() => reject(new Error(`start printed nothing useful in time:\n${out}`)), 60_000);
    child.stdout?.on('data', (d) => {
      out += d;
      if (out.includes('CA: ')) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.on('exit', (code) => reject(new Error(`start exited with ${code}:\n${out}`)));
  });
}

describe('ds-harness start', () => {
  it('runs both sides over HTTPS with the demo organizations, and the demo agents take calls', async () => {
    const out = await startBothSides();
    const dialerUrl = out.match(/API\s+(https:\/\/localhost:\d+)\/api\/v1/)?.[1];
    const omniUrl = [...out.matchAll(/API\s+(https:\/\/localhost:\d+)\/api\/v1/g)][1]?.[1];
    const dialerKey = out.match(/dialer key: (dsk_\S+)/)?.[1];
    expect(dialerUrl && omniUrl && dialerKey).toBeTruthy();
    const ca = readFileSync(join(dir, 'certs', 'ca.pem'));

    const dialer = new HttpsClient({ baseUrl: dialerUrl!, ca, headers: { 'x-dialer-key': dialerKey! } });
    expect((await dialer.request<{ id: string }>('GET', '/api/v1/organization')).body.id).toBe('demo');

    const omni = new HttpsClient({ baseUrl: omniUrl!, ca });
    const login = await omni.request<{ token: string }>('POST', '/api/v1/sessions', {
      json: { organization: 'demo', username: 'supervisor', password: 'supervisor-demo-123' },
    });
    expect(login.status).toBe(201);
    const sup = new HttpsClient({ baseUrl: omniUrl!, ca, headers: { authorization: `Bearer ${login.body.token}` } });
    // The demo agents are logged in with the dialer; on the real clock the campaign soon offers them calls.
    let states: string[] = [];
    for (let i = 0; i < 100; i++) {
      const agents = await sup.request<Array<{ loggedIn: boolean; state: string }>>('GET', '/api/v1/monitoring/agents');
      states = agents.body.map((a) => a.state);
      if (agents.body.every((a) => a.loggedIn) && states.some((s) => s === 'in_call' || s === 'wrap_up')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(states).toHaveLength(3);
    expect(states.some((s) => s === 'in_call' || s === 'wrap_up')).toBe(true);
    await Promise.all([dialer.close(), omni.close(), sup.close()]);
  });
});
