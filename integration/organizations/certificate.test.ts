import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CERTIFICATE_ERRORS, inspectCertificate } from '../../core/x509.ts';
import {
  type BrokenCertificate,
  type CertificateSet,
  ensureCertificates,
  writeBrokenCertificates,
} from '../../harness/certs.ts';
import { configTestbed, type TestClient } from '../../harness/config-testbed.ts';

// One instant for making the certificates and for the clock that judges them.
const NOW = Date.parse('2025-06-01T12:00:00Z');
const DAY = 86_400_000;
const ORG = 'acme';

let dir: string;
let set: CertificateSet;
let broken: BrokenCertificate[];
let t: ReturnType<typeof configTestbed>;
let admin: TestClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'omni-config-certs-'));
  set = await ensureCertificates(dir, { now: NOW });
  broken = await writeBrokenCertificates(dir, { now: NOW });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(async () => {
  t = configTestbed({ now: NOW });
  await t.config.organizations.create({ id: ORG, name: 'ACME' });
  admin = t.as({ orgId: ORG, role: 'admin' });
});

const upload = (body: string | Uint8Array, contentType = 'application/x-pem-file') =>
  admin('PUT', `/organizations/${ORG}/certificate`, { body, contentType });

describe('certificate upload', () => {
  it('stores a valid PEM and answers subject, issuer, validity and SHA-256 fingerprint', async () => {
    const res = await upload(set.server.certPem);
    expect(res.status).toBe(200);
    const x = new X509Certificate(set.server.certPem);
    expect(res.body).toMatchObject({
      subject: expect.stringContaining('CN='),
      issuer: expect.stringContaining('CN='),
      validFrom: set.server.validFrom,
      validTo: set.server.validTo,
      fingerprintSha256: x.fingerprint256,
      status: 'valid',
      isCA: false,
      uploadedAt: new Date(NOW).toISOString(),
    });
    expect(res.body.issuer).not.toBe(res.body.subject);
    expect(t.config.organizations.certificatePem(ORG)).toBe(x.toString());

    const org = await admin('GET', `/organizations/${ORG}`);
    expect(org.body.certificate).toMatchObject({ fingerprintSha256: x.fingerprint256, status: 'valid' });
    expect(org.body.missing).not.toContain('certificate');
    expect(org.text).not.toContain('BEGIN CERTIFICATE');
  });

  it.each(['text/plain', 'application/x-x509-ca-cert', 'application/pkix-cert', 'application/octet-stream'])(
    'accepts the file sent as %s',
    async (contentType) => {
      expect((await upload(set.server.certPem, contentType)).status).toBe(200);
    },
  );

  it('accepts JSON { pem } and a multipart form upload', async () => {
    const json = await admin('PUT', `/organizations/${ORG}/certificate`, { json: { pem: set.server.certPem } });
    expect(json.status).toBe(200);
    const form = new FormData();
    form.set('certificate', new File([set.ca.certPem], 'ca.crt'));
    const res = await t.app.request(`/organizations/${ORG}/certificate`, {
      method: 'PUT',
      body: form,
      headers: { 'x-test-session': JSON.stringify({ userId: 'u', orgId: ORG, role: 'admin', token: 't' }) },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ isCA: true });
  });

  it('answers every broken variant with its code and a message, and stores nothing', async () => {
    expect(broken.filter((b) => b.expectedError).length).toBeGreaterThanOrEqual(8);
    for (const b of broken) {
      const res = await upload(readFileSync(b.file));
      if (b.expectedError) {
        expect([b.name, res.status, res.body.error.code]).toEqual([b.name, 422, b.expectedError]);
        expect(res.body.error.message.length).toBeGreaterThan(20);
        expect(t.config.organizations.certificatePem(ORG)).toBeNull();
      } else {
        expect([b.name, res.status]).toEqual([b.name, 200]);
        t.config.organizations.removeCertificate(ORG);
      }
    }
  });

  it('explains how to convert a DER file, naming it, when sent as a form upload', async () => {
    const der = broken.find((b) => b.name === 'der')!;
    const form = new FormData();
    form.set('file', new File([readFileSync(der.file)], basename(der.file)));
    const res = await t.app.request(`/organizations/${ORG}/certificate`, {
      method: 'PUT',
      body: form,
      headers: { 'x-test-session': JSON.stringify({ userId: 'u', orgId: ORG, role: 'admin', token: 't' }) },
    });
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(res.status).toBe(422);
    expect(body.error.code).toBe(CERTIFICATE_ERRORS.der);
    expect(body.error.message).toContain('openssl x509 -inform der -in der.cer -out der.pem');
  });

  it('judges validity by the clock: expired after validTo, with the dates in the answer', async () => {
    expect((await upload(set.server.certPem)).status).toBe(200);
    const validTo = Date.parse(set.server.validTo);
    t.clock.set(validTo + DAY);
    expect((await admin('GET', `/organizations/${ORG}`)).body.certificate.status).toBe('expired');
    const again = await upload(set.server.certPem);
    expect(again.status).toBe(422);
    expect(again.body.error).toMatchObject({
      code: CERTIFICATE_ERRORS.expired,
      details: { validTo: set.server.validTo },
    });
  });

  it('refuses an empty body, an unsupported type, an oversized body, and non-admins', async () => {
    expect((await upload('')).body.error.code).toBe(CERTIFICATE_ERRORS.empty);
    const png = await upload('x', 'image/png');
    expect([png.status, png.body.error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const huge = await upload('A'.repeat(300 * 1024));
    expect([huge.status, huge.body.error.code]).toEqual([413, 'BODY_TOO_LARGE']);
    const agent = t.as({ orgId: ORG, role: 'agent' });
    const res = await agent('PUT', `/organizations/${ORG}/certificate`, {
      body: set.server.certPem,
      contentType: 'text/plain',
    });
    expect([res.status, res.body.error.code]).toEqual([403, 'FORBIDDEN_ROLE']);
  });

  it("accepts the dialer's certificate followed by its CA, pins the dialer's and says what it pinned", async () => {
    const res = await upload(`${set.server.certPem}${set.ca.certPem}`);
    expect(res.status).toBe(200);
    const server = new X509Certificate(set.server.certPem);
    const ca = new X509Certificate(set.ca.certPem);
    expect(res.body).toMatchObject({
      trust: 'pinned',
      subject: expect.stringContaining('CN=discador-ds.local'),
      fingerprintSha256: server.fingerprint256,
      validFrom: set.server.validFrom,
      validTo: set.server.validTo,
      status: 'valid',
      chain: [
        { fingerprintSha256: server.fingerprint256, isCA: false },
        { fingerprintSha256: ca.fingerprint256, isCA: true, subject: expect.stringContaining('CA') },
      ],
    });
    // What is stored is the pinned certificate alone: the dialer client pins exactly it.
    const stored = t.config.organizations.certificatePem(ORG)!;
    expect(stored).toBe(server.toString());
    expect(inspectCertificate(stored)).toMatchObject({ fingerprintSha256: server.fingerprint256, isCA: false });
    expect((await admin('GET', `/organizations/${ORG}`)).body.certificate).toMatchObject({
      trust: 'pinned',
      chain: [{ isCA: false }, { isCA: true }],
    });
  });

  it('says a CA uploaded alone is trusted as a CA', async () => {
    expect((await upload(set.ca.certPem)).body).toMatchObject({ trust: 'ca', isCA: true, chain: [{ isCA: true }] });
  });

  it("refuses a foreign certificate in front of the dialer's, and stores nothing", async () => {
    const foreign = readFileSync(broken.find((b) => b.name === 'other-ca')!.file, 'utf8');
    const res = await upload(`${foreign}${set.server.certPem}${set.ca.certPem}`);
    expect([res.status, res.body.error.code]).toEqual([422, CERTIFICATE_ERRORS.chainBroken]);
    expect(res.body.error.message).toContain("Upload only the dialer's");
    expect(t.config.organizations.certificatePem(ORG)).toBeNull();
  });

  it('refuses a CA followed by the dialer’s certificate, naming the one to put first', async () => {
    const res = await upload(`${set.ca.certPem}${set.server.certPem}`);
    expect([res.status, res.body.error.code]).toEqual([422, CERTIFICATE_ERRORS.chainStartsWithCa]);
    expect(res.body.error.message).toContain("The dialer's own certificate looks like certificate 2");
  });

  it('refuses certificates that did not issue one another', async () => {
    const foreignCa = readFileSync(broken.find((b) => b.name === 'other-ca-ca')!.file, 'utf8');
    const res = await upload(`${set.server.certPem}${foreignCa}`);
    expect([res.status, res.body.error.code]).toEqual([422, CERTIFICATE_ERRORS.chainBroken]);
    expect(res.body.error.details).toMatchObject({ position: 2, reason: 'unrelated' });
  });

  it('removes the certificate', async () => {
    await upload(set.server.certPem);
    expect((await admin('DELETE', `/organizations/${ORG}/certificate`)).status).toBe(200);
    expect((await admin('GET', `/organizations/${ORG}`)).body).toMatchObject({
      certificate: null,
      missing: expect.arrayContaining(['certificate']),
    });
  });

  it('completes the dialer settings with the certificate', async () => {
    t.config.organizations.update(ORG, {
      dialerKey: 'dsk_0123456789abcdef',
      dialerUrl: 'https://localhost:8443/api/v1',
      webrtcUrl: 'wss://localhost:8443/ws',
    });
    await upload(set.server.certPem);
    expect(t.config.organizations.dialerSettings(ORG)).toMatchObject({
      dialerKey: 'dsk_0123456789abcdef',
      certificatePem: new X509Certificate(set.server.certPem).toString(),
      certificate: { status: 'valid' },
    });
  });
});
