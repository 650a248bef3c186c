import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpsClient } from '../core/https-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'dsh-start-'));
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

const bin = join(import.meta.dirname, 'bin.mjs');
const mode = (path: string) => statSync(path).mode & 0o777;

/** Runs `ds-harness start` as a user would (any free ports unless given) and collects what it prints. */
function startBothSides(
  args: string[] = [],
  base = dir,
): Promise<{ out: string; child: ChildProcess; stopped: () => Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        bin,
        'start',
        '--port',
        '0',
        '--omni-port',
        '0',
        '--data',
        join(base, 'data'),
        '--certs',
        join(base, 'certs'),
        ...args,
      ],
      { cwd: base, env: { ...process.env, LOG_LEVEL: 'silent' } },
    );
    children.add(child);
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const stopped = () => {
      child.kill('SIGTERM');
      children.delete(child);
      return exited;
    };
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`start printed nothing useful in time:\n${out}`)), 60_000);
    child.stdout?.on('data', (d) => {
      out += d;
      if (out.includes('CA: ')) {
        clearTimeout(timer);
        resolve({ out, child, stopped });
      }
    });
    child.stderr?.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`start exited with ${code}:\n${out}${err}`), { code, stderr: err }));
    });
  });
}

const urlsOf = (out: string) => {
  const apis = [...out.matchAll(/API\s+(https:\/\/localhost:\d+)\/api\/v1/g)].map((m) => m[1]!);
  return { dialerUrl: apis[0]!, omniUrl: apis[1]!, dialerKey: out.match(/dialer key: (dsk_\S+)/)?.[1] };
};

describe('ds-harness start', () => {
  let running: Awaited<ReturnType<typeof startBothSides>> | undefined;

  it('runs both sides over HTTPS with the demo organizations, and the demo agents take calls', async () => {
    running = await startBothSides();
    const { out } = running;
    const { dialerUrl, omniUrl, dialerKey } = urlsOf(out);
    expect(dialerUrl && omniUrl && dialerKey).toBeTruthy();
    const ca = readFileSync(join(dir, 'certs', 'ca.pem'));

    const dialer = new HttpsClient({ baseUrl: dialerUrl, ca, headers: { 'x-dialer-key': dialerKey! } });
    expect((await dialer.request<{ id: string }>('GET', '/api/v1/organization')).body.id).toBe('demo');

    const omni = new HttpsClient({ baseUrl: omniUrl, ca });
    const login = await omni.request<{ token: string }>('POST', '/api/v1/sessions', {
      json: { organization: 'demo', username: 'supervisor', password: 'supervisor-demo-123' },
    });
    expect(login.status).toBe(201);
    const sup = new HttpsClient({ baseUrl: omniUrl, ca, headers: { authorization: `Bearer ${login.body.token}` } });
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
    // Creating an organization needs the operator token start printed the place of.
    expect(out).toMatch(/Operator .*X-Omni-Operator-Token.*data\/operator-token \(mode 0600\)/);
    const created = await omni.request('POST', '/api/v1/organizations', {
      json: { id: 'beta', name: 'Beta', admin: { username: 'admin', name: 'Admin', password: 'uma-senha-longa' } },
      headers: { 'x-omni-operator-token': readFileSync(join(dir, 'data', 'operator-token'), 'utf8').trim() },
    });
    expect(created.status).toBe(201);
    await Promise.all([dialer.close(), omni.close(), sup.close()]);
  });

  it('keeps the data folder 0700 and every file in it 0600 (SQLite -wal/-shm too), private keys 0600, each folder git-ignored', async () => {
    // while the start above runs (its databases have been written to, so the -wal and -shm files exist)
    const data = join(dir, 'data');
    expect(mode(data)).toBe(0o700);
    const files = readdirSync(data).filter((f) => f !== '.gitignore');
    expect(files).toEqual(
      expect.arrayContaining([
        'simulator.sqlite',
        'simulator.sqlite-wal',
        'simulator.sqlite-shm',
        'omni.sqlite',
        'omni.sqlite-wal',
        'omni.sqlite-shm',
        'secret.key',
        'admin-token',
      ]),
    );
    for (const f of files) expect(mode(join(data, f)), f).toBe(0o600);
    for (const folder of ['data', 'certs']) expect(readFileSync(join(dir, folder, '.gitignore'), 'utf8')).toBe('*\n');
    for (const key of ['ca.key', 'server.key']) expect(mode(join(dir, 'certs', key)), key).toBe(0o600);
    expect(await running?.stopped()).toBe(0);
  });

  it('on restart leaves a demo agent a person is logged in as alone, and says so', async () => {
    const first = await startBothSides();
    const { omniUrl } = urlsOf(first.out);
    const ca = readFileSync(join(dir, 'certs', 'ca.pem'));
    const omni = new HttpsClient({ baseUrl: omniUrl, ca });
    const login = await omni.request<{ token: string }>('POST', '/api/v1/sessions', {
      json: { organization: 'demo', username: 'agente2', password: 'agente-demo-123' },
    });
    expect(login.status).toBe(201);
    await omni.close();
    expect(await first.stopped()).toBe(0);

    const second = await startBothSides();
    expect(second.out).toMatch(
      /agente2 left alone: already logged in at Omni since \S+ \(by a person, or by the demo at an earlier start\); that session is kept/,
    );
    const again = urlsOf(second.out);
    const person = new HttpsClient({
      baseUrl: again.omniUrl,
      ca,
      headers: { authorization: `Bearer ${login.body.token}` },
    });
    expect((await person.request('GET', '/api/v1/me')).status).toBe(200);
    await person.close();
    expect(await second.stopped()).toBe(0);
  });

  for (const which of ['--port', '--omni-port'] as const)
    it(`on a busy ${which} fails with PORT_IN_USE and leaves no data or certs folder behind`, async () => {
      const base = mkdtempSync(join(tmpdir(), 'dsh-busy-'));
      const busy: Server = createServer();
      await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
      const port = (busy.address() as { port: number }).port;
      try {
        const err = (await startBothSides([which, String(port)], base).catch((e: unknown) => e)) as Error & {
          code: number;
          stderr: string;
        };
        expect(err.code).toBe(1);
        expect(err.stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
        expect(err.stderr).toContain('[PORT_IN_USE]');
        expect(existsSync(join(base, 'data'))).toBe(false);
        expect(existsSync(join(base, 'certs'))).toBe(false);
      } finally {
        await new Promise<void>((r) => busy.close(() => r()));
        rmSync(base, { recursive: true, force: true });
      }
    });
});
