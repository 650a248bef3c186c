import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../core/errors.ts';
import { validateCertificateUpload } from '../../core/x509.ts';
import {
  type BrokenCertificate,
  type CertificateSet,
  ensureCertificates,
  issueClientCertificate,
  WRONG_HOST,
  writeBrokenCertificates,
} from './index.ts';

// TLS checks validity against the real clock, so these certificates are made for real time.
const NOW = Date.now();
const DAY = 86_400_000;

let dir: string;
let set: CertificateSet;
let manifest: BrokenCertificate[];
let ca: X509Certificate;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ds-broken-'));
  set = await ensureCertificates(dir, { now: NOW });
  manifest = await writeBrokenCertificates(dir, { now: NOW });
  await issueClientCertificate(dir, 'omni', { now: NOW });
  ca = new X509Certificate(set.ca.certPem);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const broken = (file: string) => join(dir, 'broken', file);
const load = (file: string) => new X509Certificate(readFileSync(broken(file)));

function uploadCode(file: string): string | undefined {
  try {
    validateCertificateUpload(readFileSync(file), NOW, { fileName: file });
    return undefined;
  } catch (e) {
    if (isAppError(e)) return e.code;
    throw e;
  }
}

describe('writeBrokenCertificates', () => {
  it('writes every listed variant and a manifest.json', () => {
    const names = [
      'expired.crt',
      'not-yet-valid.crt',
      'other-ca.crt',
      'other-ca.key',
      'other-ca-ca.crt',
      'wrong-host.crt',
      'wrong-host.key',
      'der.cer',
      'truncated.pem',
      'private-key.pem',
      'garbage.crt',
    ];
    for (const n of names) expect(existsSync(broken(n)), n).toBe(true);
    expect(manifest.map((e) => e.file)).toEqual(expect.arrayContaining(names.map(broken)));
    const onDisk = JSON.parse(readFileSync(broken('manifest.json'), 'utf8')) as BrokenCertificate[];
    expect(onDisk.map((e) => e.file)).toEqual(manifest.map((e) => basename(e.file)));
    expect(statSync(broken('other-ca.key')).mode & 0o777).toBe(0o600);
  });

  it('maps each file to the upload code it produces', () => {
    const byName = Object.fromEntries(manifest.map((e) => [e.name, e.expectedError]));
    expect(byName).toMatchObject({
      expired: 'CERTIFICATE_EXPIRED',
      'not-yet-valid': 'CERTIFICATE_NOT_YET_VALID',
      der: 'CERTIFICATE_DER_NOT_ACCEPTED',
      truncated: 'CERTIFICATE_TRUNCATED',
      'private-key': 'CERTIFICATE_IS_PRIVATE_KEY',
      garbage: 'CERTIFICATE_UNREADABLE',
      empty: 'CERTIFICATE_EMPTY',
    });
    for (const entry of manifest) expect(uploadCode(entry.file), entry.name).toBe(entry.expectedError);
  });

  it('expired and not-yet-valid are our CA’s, with windows entirely in the past / future', () => {
    const expired = load('expired.crt');
    expect(expired.verify(ca.publicKey)).toBe(true);
    expect(Date.parse(expired.validFrom)).toBeLessThan(NOW);
    expect(Date.parse(expired.validTo)).toBeLessThan(NOW - DAY);

    const future = load('not-yet-valid.crt');
    expect(future.verify(ca.publicKey)).toBe(true);
    expect(Date.parse(future.validFrom)).toBeGreaterThan(NOW + DAY);
    expect(Date.parse(future.validTo)).toBeGreaterThan(Date.parse(future.validFrom));
  });

  it('other-ca is signed by a different CA, and its key matches', () => {
    const other = load('other-ca.crt');
    const otherCa = load('other-ca-ca.crt');
    expect(other.verify(ca.publicKey)).toBe(false);
    expect(other.verify(otherCa.publicKey)).toBe(true);
    expect(otherCa.ca).toBe(true);
    expect(otherCa.subject).not.toBe(ca.subject);
    expect(other.issuer).toBe(otherCa.subject);
    expect(other.keyUsage).toContain('1.3.6.1.5.5.7.3.2');
    expect(other.checkPrivateKey(createPrivateKey(keyPem('other-ca.key')))).toBe(true);
  });

  it('wrong-host is valid and ours but names only wrong.example.invalid', () => {
    const wrong = load('wrong-host.crt');
    expect(wrong.verify(ca.publicKey)).toBe(true);
    expect(wrong.subjectAltName).toBe(`DNS:${WRONG_HOST}`);
    expect(wrong.checkHost('localhost')).toBeUndefined();
    expect(wrong.checkIP('127.0.0.1')).toBeUndefined();
    expect(wrong.checkPrivateKey(createPrivateKey(keyPem('wrong-host.key')))).toBe(true);
  });

  it('der.cer is the server certificate in DER; truncated.pem keeps its armour but not its body', () => {
    const der = readFileSync(broken('der.cer'));
    expect(der[0]).toBe(0x30);
    expect(new X509Certificate(der).fingerprint256).toBe(set.server.fingerprintSha256);
    const truncated = readFileSync(broken('truncated.pem'), 'utf8');
    expect(truncated).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
    expect(truncated.length).toBeLessThan(set.server.certPem.length * 0.7);
    expect(readFileSync(broken('private-key.pem'), 'utf8')).toContain('-----BEGIN PRIVATE KEY-----');
  });
});

const keyPem = (file: string) => readFileSync(broken(file), 'utf8');

type Seen = { authorized: boolean; error: string | undefined; peerCn: string | undefined };

/** A TLS server with the dialer's certificate that asks for client certificates and records what it saw. */
async function withServer<T>(cert: string, key: string, fn: (port: number, seen: Seen[]) => Promise<T>): Promise<T> {
  const seen: Seen[] = [];
  const server = createServer(
    { cert, key, ca: set.ca.certPem, requestCert: true, rejectUnauthorized: false },
    (socket: TLSSocket) => {
      seen.push({
        authorized: socket.authorized,
        error: socket.authorizationError?.toString(),
        peerCn: socket.getPeerCertificate()?.subject?.CN as string | undefined,
      });
      socket.end('ok');
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await fn((server.address() as AddressInfo).port, seen);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}

function handshake(port: number, opts: { cert?: string; key?: string; servername?: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: set.ca.certPem, ...opts }, () => {
      socket.on('data', () => {});
      socket.on('end', () => resolve('connected'));
    });
    socket.on('error', (e: NodeJS.ErrnoException) => reject(e));
  });
}

describe('the certificates in a real TLS handshake', () => {
  it('the server certificate is trusted through ca.crt for localhost and 127.0.0.1', async () => {
    await withServer(set.server.certPem, set.server.keyPem, async (port) => {
      await expect(handshake(port, { servername: 'localhost' })).resolves.toBe('connected');
      await expect(handshake(port, {})).resolves.toBe('connected');
    });
  });

  it('mTLS: our client certificate is authorized, the other CA’s is not', async () => {
    const clients = join(dir, 'clients');
    await withServer(set.server.certPem, set.server.keyPem, async (port, seen) => {
      await handshake(port, {
        cert: readFileSync(join(clients, 'omni.crt'), 'utf8'),
        key: readFileSync(join(clients, 'omni.key'), 'utf8'),
      });
      await handshake(port, { cert: readFileSync(broken('other-ca.crt'), 'utf8'), key: keyPem('other-ca.key') });
      expect(seen[0]).toMatchObject({ authorized: true, peerCn: 'omni' });
      expect(seen[1]?.authorized).toBe(false);
      expect(seen[1]?.error).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/);
    });
  });

  it('wrong-host fails the hostname check', async () => {
    await withServer(readFileSync(broken('wrong-host.crt'), 'utf8'), keyPem('wrong-host.key'), async (port) => {
      await expect(handshake(port, { servername: 'localhost' })).rejects.toMatchObject({
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      });
    });
  });
});
