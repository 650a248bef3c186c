import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCertsCommand } from './certs.ts';

type Run = { out: string; err: string; exitCode: number };

/** A fresh program per run (commander keeps option values between parses), output captured, no process.exit. */
async function run(...args: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const program = new Command()
    .name('ds-harness')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  registerCertsCommand(program);
  try {
    await program.parseAsync(args, { from: 'user' });
    return { out, err, exitCode: 0 };
  } catch (e) {
    if (e instanceof CommanderError) return { out, err, exitCode: e.exitCode };
    throw e;
  }
}

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ds-cli-certs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ds-harness certs', () => {
  it('init creates the CA and server files and prints where they are', async () => {
    const r = await run('certs', 'init', '--dir', dir, '--host', 'dialer.lan', '--host', '10.0.0.5,dialer2.lan');
    expect(r.exitCode).toBe(0);
    for (const f of ['ca.crt', 'ca.cer', 'ca.pem', 'ca.key', 'server.crt', 'server.cer', 'server.pem', 'server.key']) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    expect(r.out).toContain(join(dir, 'server.crt'));
    expect(r.out).toContain('Upload into Omni');
    const server = new X509Certificate(readFileSync(join(dir, 'server.crt')));
    expect(server.checkHost('dialer.lan')).toBe('dialer.lan');
    expect(server.checkHost('dialer2.lan')).toBe('dialer2.lan');
    expect(server.checkIP('10.0.0.5')).toBe('10.0.0.5');
  });

  it('init refuses to overwrite without --force (exit 1, clear message, no usage dump)', async () => {
    const r = await run('certs', 'init', '--dir', dir);
    expect(r.exitCode).toBe(1);
    expect(r.err).toContain('CERTIFICATE_FILES_EXIST');
    expect(r.err).toContain('--force');
    expect(r.err).not.toContain('Usage:');
  });

  it('inspect prints subject, issuer, SANs, validity, fingerprint and the encoding', async () => {
    const r = await run('certs', 'inspect', join(dir, 'server.crt'));
    const cert = new X509Certificate(readFileSync(join(dir, 'server.crt')));
    expect(r.exitCode).toBe(0);
    expect(r.out).toContain('Base64 PEM');
    expect(r.out).toContain('CN=discador-ds.local');
    expect(r.out).toContain('Issuer       CN=ds-harness Discador DS CA');
    expect(r.out).toContain('DNS:dialer.lan');
    expect(r.out).toContain('IP Address:127.0.0.1');
    expect(r.out).toContain(`SHA-256      ${cert.fingerprint256}`);
    expect(r.out).toContain(new Date(cert.validTo).toISOString());
    expect(r.out).toContain('Omni upload  accepted');
  });

  it('inspect --json gives machine output', async () => {
    const r = await run('certs', 'inspect', join(dir, 'ca.pem'), '--json');
    const body = JSON.parse(r.out);
    expect(body).toMatchObject({ format: 'pem', isCA: true, omniUpload: { accepted: true } });
    expect(body.fingerprintSha256).toBe(new X509Certificate(readFileSync(join(dir, 'ca.crt'))).fingerprint256);
  });

  it('broken writes the variants; inspect tells DER apart and exits 1 on unreadable input', async () => {
    const b = await run('certs', 'broken', '--dir', dir);
    expect(b.exitCode).toBe(0);
    expect(b.out).toMatch(/der\.cer\s+CERTIFICATE_DER_NOT_ACCEPTED/);

    // Omni would refuse a DER file: inspect still shows what it holds, then exits 1 with Omni's code and message.
    const der = await run('certs', 'inspect', join(dir, 'broken', 'der.cer'));
    expect(der.exitCode).toBe(1);
    expect(der.out).toContain('binary DER');
    expect(der.err).toContain('openssl x509 -inform der');
    expect(der.err).toContain('CERTIFICATE_DER_NOT_ACCEPTED');
    const derRun = await run('certs', 'inspect', '--json', join(dir, 'broken', 'der.cer'));
    expect(derRun.exitCode).toBe(1);
    const derJson = JSON.parse(derRun.out);
    expect(derJson).toMatchObject({
      format: 'der',
      omniUpload: { accepted: false, code: 'CERTIFICATE_DER_NOT_ACCEPTED' },
    });

    const expired = await run('certs', 'inspect', join(dir, 'broken', 'expired.crt'));
    expect(expired.out).toContain('EXPIRED');
    expect(expired.exitCode).toBe(1);
    expect(expired.err).toContain('CERTIFICATE_EXPIRED');

    const garbage = await run('certs', 'inspect', join(dir, 'broken', 'garbage.crt'));
    expect(garbage.exitCode).toBe(1);
    expect(garbage.err).toContain('CERTIFICATE_UNREADABLE');
    expect(garbage.err).toContain('-----BEGIN CERTIFICATE-----');

    const truncatedJson = await run('certs', 'inspect', '--json', join(dir, 'broken', 'truncated.pem'));
    expect(truncatedJson.exitCode).toBe(1);
    expect(JSON.parse(truncatedJson.out).error.code).toBe('CERTIFICATE_TRUNCATED');

    const missing = await run('certs', 'inspect', join(dir, 'nope.crt'));
    expect(missing.exitCode).toBe(1);
    expect(missing.err).toContain('no such file');
  });

  it("inspect runs Omni's upload check on a bundle: a chain passes and says what is pinned, a foreign leaf exits 1", async () => {
    const server = readFileSync(join(dir, 'server.pem'), 'utf8');
    const ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
    const chainFile = join(dir, 'chain.pem');
    writeFileSync(chainFile, `${server}${ca}`);
    const chain = await run('certs', 'inspect', chainFile);
    expect(chain.exitCode).toBe(0);
    expect(chain.out).toContain('Bundle       2 certificates');
    expect(chain.out).toContain(`Omni upload  accepted; pins ${new X509Certificate(server).fingerprint256}`);
    const chainJson = JSON.parse((await run('certs', 'inspect', '--json', chainFile)).out);
    expect(chainJson).toMatchObject({
      omniUpload: { accepted: true, trust: 'pinned' },
      chain: [{ isCA: false }, { isCA: true }],
    });

    const foreign = readFileSync(join(dir, 'broken', 'other-ca.crt'), 'utf8');
    const mixedFile = join(dir, 'mixed.pem');
    writeFileSync(mixedFile, `${foreign}${server}`);
    const mixed = await run('certs', 'inspect', mixedFile);
    expect(mixed.exitCode).toBe(1);
    expect(mixed.err).toContain('CERTIFICATE_CHAIN_BROKEN');
    expect(mixed.err).toContain("Upload only the dialer's");
    const mixedJson = await run('certs', 'inspect', '--json', mixedFile);
    expect(mixedJson.exitCode).toBe(1);
    expect(JSON.parse(mixedJson.out).omniUpload).toMatchObject({ accepted: false, code: 'CERTIFICATE_CHAIN_BROKEN' });
  });

  it('issue --client writes a client certificate; a bad name exits 1 with the rule', async () => {
    const r = await run('certs', 'issue', '--client', 'omni-7', '--dir', dir);
    expect(r.exitCode).toBe(0);
    expect(existsSync(join(dir, 'clients', 'omni-7.crt'))).toBe(true);
    expect(existsSync(join(dir, 'clients', 'omni-7.key'))).toBe(true);
    const bad = await run('certs', 'issue', '--client', 'no spaces', '--dir', dir);
    expect(bad.exitCode).toBe(1);
    expect(bad.err).toContain('CERTIFICATE_INVALID_NAME');
    const missing = await run('certs', 'issue', '--dir', dir);
    expect(missing.exitCode).toBe(1);
    expect(missing.err).toContain('--client');
  });

  it('defaults the folder to $DS_HARNESS_CERTS_DIR', async () => {
    const envDir = join(dir, 'from-env');
    const before = process.env.DS_HARNESS_CERTS_DIR;
    process.env.DS_HARNESS_CERTS_DIR = envDir;
    try {
      expect((await run('certs', 'init')).exitCode).toBe(0);
      expect(existsSync(join(envDir, 'server.crt'))).toBe(true);
    } finally {
      if (before === undefined) delete process.env.DS_HARNESS_CERTS_DIR;
      else process.env.DS_HARNESS_CERTS_DIR = before;
    }
  });

  it('every command has a --help description', async () => {
    const top = await run('certs', '--help');
    for (const sub of ['init', 'issue', 'inspect', 'broken']) expect(top.out).toContain(sub);
    const expectations: Record<string, string> = {
      init: 'Create a CA and a server certificate',
      issue: 'client certificate',
      inspect: 'Base64 PEM or binary DER',
      broken: 'negative certificate variants',
    };
    for (const [sub, text] of Object.entries(expectations)) {
      const h = await run('certs', sub, '--help');
      expect(h.out).toContain(text);
      expect(h.out).toContain('--');
    }
  });
});

// The real binary needs cli/main.ts's other commands; run it only once they exist.
const binReady = ['start.ts', 'mailing.ts'].every((f) => existsSync(join(import.meta.dirname, f)));

describe.skipIf(!binReady)('node cli/bin.mjs certs', () => {
  it('init then inspect through the real binary', async () => {
    const exec = promisify(execFile);
    const bin = join(import.meta.dirname, 'bin.mjs');
    const binDir = join(dir, 'bin');
    await exec(process.execPath, [bin, 'certs', 'init', '--dir', binDir]);
    const { stdout } = await exec(process.execPath, [bin, 'certs', 'inspect', '--json', join(binDir, 'server.crt')]);
    expect(JSON.parse(stdout)).toMatchObject({ format: 'pem', omniUpload: { accepted: true } });
    await expect(exec(process.execPath, [bin, 'certs', 'inspect', join(binDir, 'server.key')])).rejects.toMatchObject({
      code: 1,
    });
  });
});
