import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../core/errors.ts';
import { validateCertificateUpload } from '../../core/x509.ts';
import {
  CA_COMMON_NAME,
  certificateFiles,
  ensureCertificates,
  initCertificates,
  issueClientCertificate,
  parseHost,
  SERVER_COMMON_NAME,
} from './index.ts';

const NOW = Date.now();
const DAY = 86_400_000;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

const roots: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'ds-certs-'));
  roots.push(d);
  return d;
};
afterAll(() => {
  for (const d of roots) rmSync(d, { recursive: true, force: true });
});

const cert = (file: string) => new X509Certificate(readFileSync(file));
const mode = (file: string) => statSync(file).mode & 0o777;

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected a rejection');
}

describe('initCertificates', () => {
  let dir: string;
  beforeAll(async () => {
    dir = tempDir();
    await initCertificates(dir, { hosts: ['dialer.lan', '10.0.0.5', '[fe80::1]', 'Dialer.LAN'], now: NOW });
  });

  it('writes ca and server as .crt/.cer/.pem (identical Base64 PEM) and a 0600 .key', () => {
    for (const name of ['ca', 'server']) {
      const f = certificateFiles(dir, name);
      const crt = readFileSync(f.crt, 'utf8');
      expect(crt.startsWith('-----BEGIN CERTIFICATE-----\n')).toBe(true);
      expect(readFileSync(f.cer, 'utf8')).toBe(crt);
      expect(readFileSync(f.pem, 'utf8')).toBe(crt);
      expect(readFileSync(f.key, 'utf8')).toContain('-----BEGIN PRIVATE KEY-----');
      expect(mode(f.key)).toBe(0o600);
      for (const ext of ['crt', 'cer', 'pem'] as const) {
        expect(validateCertificateUpload(readFileSync(f[ext]), NOW).format).toBe('pem');
      }
    }
  });

  it('makes a CA and a server certificate it signed, with the default and requested SANs', () => {
    const ca = cert(join(dir, 'ca.crt'));
    const server = cert(join(dir, 'server.crt'));
    expect(ca.ca).toBe(true);
    expect(ca.subject).toContain(`CN=${CA_COMMON_NAME}`);
    expect(ca.verify(ca.publicKey)).toBe(true);

    expect(server.ca).toBe(false);
    expect(server.subject).toContain(`CN=${SERVER_COMMON_NAME}`);
    expect(server.issuer).toBe(ca.subject);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.keyUsage).toEqual([SERVER_AUTH]);
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkHost(SERVER_COMMON_NAME)).toBe(SERVER_COMMON_NAME);
    expect(server.checkHost('dialer.lan')).toBe('dialer.lan');
    for (const ip of ['127.0.0.1', '::1', '10.0.0.5', 'fe80::1']) expect(server.checkIP(ip)).toBe(ip);
    expect(server.subjectAltName?.match(/dialer\.lan/g)).toHaveLength(1);
    expect(server.checkPrivateKey(createPrivateKey(readFileSync(join(dir, 'server.key'))))).toBe(true);
  });

  it('sets the validity windows from now (server 825 days, CA ten years)', () => {
    const server = cert(join(dir, 'server.crt'));
    const ca = cert(join(dir, 'ca.crt'));
    const near = (a: string, b: number) => expect(Math.abs(Date.parse(a) - b)).toBeLessThan(2000);
    near(server.validFrom, NOW - 5 * 60_000);
    near(server.validTo, NOW + 825 * DAY);
    near(ca.validTo, NOW + 3650 * DAY);
  });

  it('refuses to overwrite without force, and replaces everything with force', async () => {
    const before = cert(join(dir, 'ca.crt')).fingerprint256;
    const e = await rejection(initCertificates(dir, { now: NOW }));
    expect(e.code).toBe('CERTIFICATE_FILES_EXIST');
    expect(e.message).toContain('--force');
    expect(cert(join(dir, 'ca.crt')).fingerprint256).toBe(before);

    const other = tempDir();
    await initCertificates(other, { now: NOW });
    const first = cert(join(other, 'ca.crt')).fingerprint256;
    const set = await initCertificates(other, { now: NOW, force: true, days: 30 });
    expect(set.ca.fingerprintSha256).not.toBe(first);
    expect(cert(join(other, 'server.crt')).verify(cert(join(other, 'ca.crt')).publicKey)).toBe(true);
    expect(Date.parse(set.server.validTo)).toBeLessThan(NOW + 31 * DAY);
  });

  it('refuses hosts that are neither DNS names nor IPs, and bad day counts', async () => {
    for (const host of ['bad host', 'a..b', 'http://x', '']) {
      expect(() => parseHost(host)).toThrow(/neither an IP address nor a DNS name/);
    }
    expect(parseHost('[::1]')).toEqual({ type: 'ip', value: '::1' });
    expect(parseHost('0:0:0:0:0:0:0:1')).toEqual({ type: 'ip', value: '::1' });
    expect(parseHost('*.Dialer.lan.')).toEqual({ type: 'dns', value: '*.dialer.lan' });
    const e = await rejection(initCertificates(tempDir(), { hosts: ['no spaces'], now: NOW }));
    expect(e.code).toBe('CERTIFICATE_INVALID_HOST');
    expect((await rejection(initCertificates(tempDir(), { days: 0, now: NOW }))).code).toBe('CERTIFICATE_INVALID_DAYS');
  });
});

describe('ensureCertificates', () => {
  it('creates what is missing, then reuses it (same fingerprints)', async () => {
    const dir = tempDir();
    const first = await ensureCertificates(dir, { now: NOW });
    expect(first.ca.status).toBe('created');
    expect(first.server.status).toBe('created');
    expect(first.server.keyPem).toContain('PRIVATE KEY');
    expect(first.server.certPem).toBe(readFileSync(join(dir, 'server.crt'), 'utf8'));

    const second = await ensureCertificates(dir, { now: NOW + DAY });
    expect(second.ca.status).toBe('reused');
    expect(second.server.status).toBe('reused');
    expect(second.ca.fingerprintSha256).toBe(first.ca.fingerprintSha256);
    expect(second.server.fingerprintSha256).toBe(first.server.fingerprintSha256);
    expect(second.messages.join('\n')).toMatch(/reused/);
  });

  it('reissues only the server certificate when a requested host is missing, keeping earlier hosts', async () => {
    const dir = tempDir();
    const first = await ensureCertificates(dir, { hosts: ['old.lan'], now: NOW });
    const second = await ensureCertificates(dir, { hosts: ['dialer.lan', '192.168.1.20'], now: NOW });
    expect(second.ca.status).toBe('reused');
    expect(second.ca.fingerprintSha256).toBe(first.ca.fingerprintSha256);
    expect(second.server.status).toBe('reissued');
    expect(second.server.reason).toContain('DNS:dialer.lan');
    expect(second.server.reason).toContain('IP:192.168.1.20');
    expect(second.server.reason).toContain('CA kept');
    expect(second.server.fingerprintSha256).not.toBe(first.server.fingerprintSha256);
    const server = cert(join(dir, 'server.crt'));
    expect(server.checkHost('dialer.lan')).toBe('dialer.lan');
    expect(server.checkIP('192.168.1.20')).toBe('192.168.1.20');
    expect(server.checkHost('old.lan')).toBe('old.lan');
    expect(server.verify(cert(join(dir, 'ca.crt')).publicKey)).toBe(true);

    const third = await ensureCertificates(dir, {
      hosts: ['dialer.lan', '192.168.1.20', 'localhost', '::1'],
      now: NOW,
    });
    expect(third.server.status).toBe('reused');
    expect(third.server.fingerprintSha256).toBe(second.server.fingerprintSha256);
  });

  it('restores missing copies and a too-open key mode on reuse', async () => {
    const dir = tempDir();
    await ensureCertificates(dir, { now: NOW });
    unlinkSync(join(dir, 'server.cer'));
    writeFileSync(join(dir, 'ca.pem'), 'stale');
    chmodSync(join(dir, 'server.key'), 0o644);
    const again = await ensureCertificates(dir, { now: NOW });
    expect(again.server.status).toBe('reused');
    expect(readFileSync(join(dir, 'server.cer'), 'utf8')).toBe(readFileSync(join(dir, 'server.crt'), 'utf8'));
    expect(readFileSync(join(dir, 'ca.pem'), 'utf8')).toBe(readFileSync(join(dir, 'ca.crt'), 'utf8'));
    expect(mode(join(dir, 'server.key'))).toBe(0o600);
    expect(again.messages.join('\n')).toMatch(/rewrote server\.cer/);
  });

  it('reissues an expired server certificate and recreates an unusable CA (and then the server)', async () => {
    const dir = tempDir();
    const first = await ensureCertificates(dir, { now: NOW, days: 10 });
    const later = await ensureCertificates(dir, { now: NOW + 11 * DAY });
    expect(later.ca.status).toBe('reused');
    expect(later.server.status).toBe('reissued');
    expect(later.server.reason).toMatch(/expired/);

    unlinkSync(join(dir, 'ca.key'));
    const rebuilt = await ensureCertificates(dir, { now: NOW + 11 * DAY });
    expect(rebuilt.ca.status).toBe('reissued');
    expect(rebuilt.ca.reason).toMatch(/ca\.key is missing/);
    expect(rebuilt.ca.fingerprintSha256).not.toBe(first.ca.fingerprintSha256);
    expect(rebuilt.server.status).toBe('reissued');
    expect(rebuilt.server.reason).toMatch(/CA was recreated/);
    expect(cert(join(dir, 'server.crt')).verify(cert(join(dir, 'ca.crt')).publicKey)).toBe(true);
    expect(existsSync(join(dir, 'ca.key'))).toBe(true);
  });

  it('reissues a server certificate not signed by the CA in the folder', async () => {
    const dir = tempDir();
    const other = tempDir();
    await ensureCertificates(dir, { now: NOW });
    await ensureCertificates(other, { now: NOW });
    for (const f of ['server.crt', 'server.key']) writeFileSync(join(dir, f), readFileSync(join(other, f)));
    const fixed = await ensureCertificates(dir, { now: NOW });
    expect(fixed.server.status).toBe('reissued');
    expect(fixed.server.reason).toMatch(/not signed by ca\.crt/);
  });
});

describe('issueClientCertificate', () => {
  let dir: string;
  beforeAll(async () => {
    dir = tempDir();
    await initCertificates(dir, { now: NOW });
  });

  it('writes a clientAuth certificate signed by the CA into clients/', async () => {
    const m = await issueClientCertificate(dir, 'omni-org_42.a', { now: NOW });
    const f = certificateFiles(join(dir, 'clients'), 'omni-org_42.a');
    expect(m.files).toEqual(f);
    const c = cert(f.crt);
    expect(c.subject).toContain('CN=omni-org_42.a');
    expect(c.keyUsage).toEqual([CLIENT_AUTH]);
    expect(c.ca).toBe(false);
    expect(c.verify(cert(join(dir, 'ca.crt')).publicKey)).toBe(true);
    expect(readFileSync(f.cer, 'utf8')).toBe(readFileSync(f.crt, 'utf8'));
    expect(readFileSync(f.pem, 'utf8')).toBe(readFileSync(f.crt, 'utf8'));
    expect(mode(f.key)).toBe(0o600);

    expect((await rejection(issueClientCertificate(dir, 'omni-org_42.a', { now: NOW }))).code).toBe(
      'CERTIFICATE_FILES_EXIST',
    );
    const replaced = await issueClientCertificate(dir, 'omni-org_42.a', { now: NOW, force: true });
    expect(replaced.fingerprintSha256).not.toBe(m.fingerprintSha256);
  });

  it('validates the name with a clear error', async () => {
    for (const name of ['bad name', '../escape', '', '.hidden', 'a/b', 'x'.repeat(65), 'ção']) {
      const e = await rejection(issueClientCertificate(dir, name, { now: NOW }));
      expect(e.code).toBe('CERTIFICATE_INVALID_NAME');
      expect(e.message).toMatch(/letters, digits, dashes, underscores or dots/);
    }
  });

  it('needs the CA', async () => {
    const e = await rejection(issueClientCertificate(tempDir(), 'x', { now: NOW }));
    expect(e.code).toBe('CERTIFICATE_CA_MISSING');
    expect(e.message).toContain('certs init');
  });
});
