import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppError } from './errors.ts';
import {
  inspectCertificate,
  inspectCertificateChain,
  parseSubjectAltNames,
  validateCertificateUpload,
} from './x509.ts';

const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);
const DAY = 86_400_000;

let caPem: string;
let leafPem: string;
let leafKeyPem: string;
let leaf: X509Certificate;

beforeAll(async () => {
  const ca = await generate([{ name: 'commonName', value: 'x509 test CA' }], {
    algorithm: 'sha256',
    notBeforeDate: new Date(NOW - DAY),
    notAfterDate: new Date(NOW + 3650 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const l = await generate(
    [
      { name: 'commonName', value: 'leaf.test' },
      { name: 'organizationName', value: 'ds-harness' },
    ],
    {
      algorithm: 'sha256',
      notBeforeDate: new Date(NOW - DAY),
      notAfterDate: new Date(NOW + 30 * DAY),
      ca: { key: ca.private, cert: ca.cert },
      extensions: [
        { name: 'basicConstraints', cA: false },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'leaf.test' },
            { type: 7, ip: '127.0.0.1' },
            { type: 7, ip: '::1' },
          ],
        },
      ],
    },
  );
  caPem = ca.cert;
  leafPem = l.cert;
  leafKeyPem = l.private;
  leaf = new X509Certificate(leafPem);
});

afterEach(() => {
  vi.restoreAllMocks();
});

const bodyLines = (pem: string) => pem.split('\n').filter((l) => l && !l.startsWith('-----'));

/** Runs fn and returns the AppError it throws. */
function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected a refusal, got success');
}

describe('inspectCertificate', () => {
  it('reads PEM: names, SANs, ISO validity, fingerprint, serial, CA flag and normalised PEM', () => {
    const info = inspectCertificate(leafPem);
    expect(info).toMatchObject({
      format: 'pem',
      subject: 'CN=leaf.test, O=ds-harness',
      issuer: 'CN=x509 test CA',
      subjectAltNames: ['DNS:leaf.test', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1'],
      validFrom: new Date(NOW - DAY).toISOString(),
      validTo: new Date(NOW + 30 * DAY).toISOString(),
      fingerprintSha256: leaf.fingerprint256,
      serialNumber: leaf.serialNumber,
      isCA: false,
    });
    expect(info.pem.trim()).toBe(leafPem.trim());
    expect(info.pem.startsWith('-----BEGIN CERTIFICATE-----\n')).toBe(true);
    expect(info.pem.endsWith('-----END CERTIFICATE-----\n')).toBe(true);
    expect(inspectCertificate(caPem).isCA).toBe(true);
  });

  it('reads DER and reports it as such, with the same fingerprint and a PEM rendering', () => {
    const info = inspectCertificate(leaf.raw);
    expect(info.format).toBe('der');
    expect(info.fingerprintSha256).toBe(leaf.fingerprint256);
    expect(info.pem).toBe(inspectCertificate(leafPem).pem);
  });

  it('tolerates CRLF, a UTF-8 BOM, UTF-16 text, surrounding text, a bare Base64 body and takes the first of a chain', () => {
    const variants: (string | Buffer)[] = [
      leafPem.replace(/\n/g, '\r\n'),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(leafPem)]),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(leafPem, 'utf16le')]),
      `Certificate:\n    Data: (openssl -text output, é)\n${leafPem}`,
      Buffer.from(`Certificado da organização\n${leafPem}`),
      bodyLines(leafPem).join('\n'),
      bodyLines(leafPem).join('\r\n'),
      bodyLines(leafPem).join(''),
      `${leafPem}${caPem}`,
    ];
    for (const v of variants) {
      const info = inspectCertificate(v);
      expect(info.format).toBe('pem');
      expect(info.fingerprintSha256).toBe(leaf.fingerprint256);
    }
  });

  it('throws CERTIFICATE_UNREADABLE for garbage', () => {
    expect(refusal(() => inspectCertificate('hello')).code).toBe('CERTIFICATE_UNREADABLE');
  });
});

describe('validateCertificateUpload', () => {
  it('accepts Base64 PEM (LF, CRLF, bare) and returns the inspection', () => {
    for (const v of [leafPem, Buffer.from(leafPem.replace(/\n/g, '\r\n')), bodyLines(leafPem).join('\r\n')]) {
      const info = validateCertificateUpload(v, NOW);
      expect(info.fingerprintSha256).toBe(leaf.fingerprint256);
      expect(info.format).toBe('pem');
    }
  });

  it('never reads the wall clock', () => {
    const spy = vi.spyOn(Date, 'now');
    validateCertificateUpload(leafPem, NOW);
    refusal(() => validateCertificateUpload(leafPem, NOW + 365 * DAY));
    expect(spy).not.toHaveBeenCalled();
  });

  it('refuses DER with a conversion hint, as a Buffer or as a latin1 string', () => {
    for (const input of [leaf.raw, leaf.raw.toString('latin1')]) {
      const e = refusal(() => validateCertificateUpload(input, NOW));
      expect(e.code).toBe('CERTIFICATE_DER_NOT_ACCEPTED');
      expect(e.status).toBe(422);
      expect(e.message).toContain('openssl x509 -inform der -in file.cer -out file.pem');
      expect(e.message).toContain('Base64');
    }
    const named = refusal(() => validateCertificateUpload(leaf.raw, NOW, { fileName: 'dialer.cer' }));
    expect(named.message).toContain('-in dialer.cer -out dialer.pem');
  });

  it('refuses private keys in every usual shape, also next to a certificate', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const pkcs8Der = ec.export({ type: 'pkcs8', format: 'der' });
    const inputs: (string | Buffer)[] = [
      leafKeyPem,
      rsa.export({ type: 'pkcs1', format: 'pem' }).toString(),
      ec.export({ type: 'sec1', format: 'pem' }).toString(),
      ec.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }).toString(),
      `${leafPem}${leafKeyPem}`,
      pkcs8Der,
      pkcs8Der.toString('base64'),
    ];
    for (const input of inputs) {
      const e = refusal(() => validateCertificateUpload(input, NOW));
      expect(e.code).toBe('CERTIFICATE_IS_PRIVATE_KEY');
      expect(e.message).toContain('BEGIN CERTIFICATE');
    }
  });

  it('refuses a cut or damaged body inside the armour as CERTIFICATE_TRUNCATED', () => {
    const lines = bodyLines(leafPem);
    const half = lines.slice(0, lines.length / 2);
    const inputs = [
      `-----BEGIN CERTIFICATE-----\n${half.join('\n')}\n-----END CERTIFICATE-----\n`,
      `-----BEGIN CERTIFICATE-----\n${half.join('\n')}\n`,
      `-----BEGIN CERTIFICATE-----\n${lines.join('\n').replace(/[A-Z]/g, 'A')}\n-----END CERTIFICATE-----\n`,
      `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}!\n-----END CERTIFICATE-----\n`,
      half.join('\n'),
    ];
    for (const input of inputs) {
      const e = refusal(() => validateCertificateUpload(input, NOW));
      expect(e.code).toBe('CERTIFICATE_TRUNCATED');
      expect(e.message).toMatch(/whole file|cut off/);
    }
  });

  it('refuses garbage, random binary and non-certificate PEM as CERTIFICATE_UNREADABLE with a specific hint', () => {
    const cases: [string | Buffer, RegExp][] = [
      ['this is not a certificate\n', /not a certificate/],
      [Buffer.from([0x00, 0x01, 0x02, 0xff, 0x30, 0x82]), /binary/],
      ['-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n', /signing request/],
      ['-----BEGIN PKCS7-----\nAAAA\n-----END PKCS7-----\n', /openssl pkcs7 -print_certs/],
      ['-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', /public key/],
      ['QUJD', /does not decode/],
    ];
    for (const [input, hint] of cases) {
      const e = refusal(() => validateCertificateUpload(input, NOW));
      expect(e.code).toBe('CERTIFICATE_UNREADABLE');
      expect(e.message).toMatch(hint);
      expect(e.message).toContain('-----BEGIN CERTIFICATE-----');
    }
  });

  it('refuses empty input as CERTIFICATE_EMPTY', () => {
    for (const input of ['', '  \r\n\t', Buffer.alloc(0), Buffer.from('\n\n')]) {
      expect(refusal(() => validateCertificateUpload(input, NOW)).code).toBe('CERTIFICATE_EMPTY');
    }
  });

  it('checks the validity window against the now argument, inclusive at both ends', () => {
    const from = Date.parse(leaf.validFrom);
    const to = Date.parse(leaf.validTo);
    expect(validateCertificateUpload(leafPem, from).subject).toContain('leaf.test');
    expect(validateCertificateUpload(leafPem, to).subject).toContain('leaf.test');

    const expired = refusal(() => validateCertificateUpload(leafPem, to + 1));
    expect(expired.code).toBe('CERTIFICATE_EXPIRED');
    expect(expired.message).toContain(new Date(to).toISOString());
    expect(expired.details).toMatchObject({ now: new Date(to + 1).toISOString() });

    const early = refusal(() => validateCertificateUpload(leafPem, from - 1));
    expect(early.code).toBe('CERTIFICATE_NOT_YET_VALID');
    expect(early.message).toContain(new Date(from).toISOString());
  });
});

describe('certificate bundles', () => {
  // root CA → intermediate CA → dialer leaf; and an unrelated CA with its own leaf.
  let rootPem: string;
  let intermediatePem: string;
  let dialerPem: string;
  let foreignCaPem: string;
  let foreignLeafPem: string;

  const pair = (cn: string, issuer: { private: string; cert: string } | undefined, ca: boolean) =>
    generate([{ name: 'commonName', value: cn }], {
      algorithm: 'sha256',
      notBeforeDate: new Date(NOW - DAY),
      notAfterDate: new Date(NOW + 365 * DAY),
      ...(issuer ? { ca: { key: issuer.private, cert: issuer.cert } } : {}),
      extensions: ca
        ? [
            { name: 'basicConstraints', cA: true, critical: true },
            { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
          ]
        : [{ name: 'basicConstraints', cA: false }],
    });

  beforeAll(async () => {
    const root = await pair('bundle root CA', undefined, true);
    const intermediate = await pair('bundle intermediate CA', root, true);
    const dialer = await pair('discador.bundle.test', intermediate, false);
    const foreignCa = await pair('foreign CA', undefined, true);
    const foreignLeaf = await pair('foreign.test', foreignCa, false);
    rootPem = root.cert;
    intermediatePem = intermediate.cert;
    dialerPem = dialer.cert;
    foreignCaPem = foreignCa.cert;
    foreignLeafPem = foreignLeaf.cert;
  });

  const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

  it("accepts the dialer's certificate followed by its issuers, pins the dialer's and lists the chain", () => {
    const up = validateCertificateUpload(`${dialerPem}${intermediatePem}${rootPem}`, NOW);
    expect(up).toMatchObject({ trust: 'pinned', subject: 'CN=discador.bundle.test', isCA: false });
    expect(up.fingerprintSha256).toBe(fingerprint(dialerPem));
    expect(up.pem).toBe(new X509Certificate(dialerPem).toString());
    expect(up.chain.map((c) => c.subject)).toEqual([
      'CN=discador.bundle.test',
      'CN=bundle intermediate CA',
      'CN=bundle root CA',
    ]);
    expect(up.chain[1]).toMatchObject({ issuer: 'CN=bundle root CA', isCA: true });
    expect(up.chain[0]).not.toHaveProperty('pem');
    // A partial chain (the root left out) is a chain too.
    expect(validateCertificateUpload(`${dialerPem}${intermediatePem}`, NOW).chain).toHaveLength(2);
  });

  it('trusts a CA uploaded alone as a CA, and pins a leaf uploaded alone', () => {
    expect(validateCertificateUpload(rootPem, NOW)).toMatchObject({ trust: 'ca', chain: [{ isCA: true }] });
    expect(validateCertificateUpload(dialerPem, NOW)).toMatchObject({ trust: 'pinned', chain: [{ isCA: false }] });
  });

  it('refuses a foreign leaf in front of the chain instead of pinning it', () => {
    const e = refusal(() => validateCertificateUpload(`${foreignLeafPem}${dialerPem}${intermediatePem}`, NOW));
    expect(e.code).toBe('CERTIFICATE_CHAIN_BROKEN');
    expect(e.message).toContain('CN=foreign.test');
    expect(e.message).toContain('CN=discador.bundle.test');
    expect(e.message).toContain("Upload only the dialer's");
  });

  it('refuses certificates that do not issue one another, saying the file mixes unrelated ones', () => {
    const e = refusal(() => validateCertificateUpload(`${dialerPem}${foreignCaPem}`, NOW));
    expect(e.code).toBe('CERTIFICATE_CHAIN_BROKEN');
    expect(e.message).toContain('certificate 2 (CN=foreign CA) did not issue certificate 1 (CN=discador.bundle.test)');
    expect(e.message).toContain('unrelated');
    expect(e.details).toMatchObject({ position: 2, reason: 'unrelated' });
  });

  it('refuses issuers out of order, naming the one that did issue', () => {
    const e = refusal(() => validateCertificateUpload(`${dialerPem}${rootPem}${intermediatePem}`, NOW));
    expect(e.code).toBe('CERTIFICATE_CHAIN_BROKEN');
    expect(e.message).toContain('it was issued by certificate 3: the certificates are out of order');
    expect(e.details).toMatchObject({ reason: 'order' });
  });

  it("refuses a CA followed by the dialer's certificate, pointing at the one to put first", () => {
    const e = refusal(() => validateCertificateUpload(`${intermediatePem}${dialerPem}`, NOW));
    expect(e.code).toBe('CERTIFICATE_CHAIN_STARTS_WITH_CA');
    expect(e.message).toContain("The dialer's own certificate looks like certificate 2 (CN=discador.bundle.test)");
    expect(e.message).toContain('upload that CA certificate alone');
  });

  it('refuses the same certificate twice', () => {
    const e = refusal(() => validateCertificateUpload(`${dialerPem}${dialerPem}`, NOW));
    expect(e.code).toBe('CERTIFICATE_CHAIN_DUPLICATE');
  });

  it('names the damaged certificate of a bundle', () => {
    const lines = intermediatePem.trim().split('\n');
    const cut = `${lines.slice(0, 5).join('\n')}\n-----END CERTIFICATE-----\n`;
    const e = refusal(() => validateCertificateUpload(`${dialerPem}${cut}`, NOW));
    expect(e.code).toBe('CERTIFICATE_TRUNCATED');
    expect(e.message).toMatch(/^Certificate 2 of the file is incomplete/);
  });

  it('inspects every certificate of a bundle in file order', () => {
    const chain = inspectCertificateChain(`${dialerPem}${intermediatePem}`);
    expect(chain.map((c) => c.fingerprintSha256)).toEqual([fingerprint(dialerPem), fingerprint(intermediatePem)]);
    expect(inspectCertificate(`${dialerPem}${intermediatePem}`).fingerprintSha256).toBe(fingerprint(dialerPem));
  });
});

describe('parseSubjectAltNames', () => {
  it('splits node’s list and unquotes escaped values', () => {
    expect(parseSubjectAltNames(undefined)).toEqual([]);
    expect(parseSubjectAltNames('DNS:a.test, IP Address:10.0.0.1, DNS:"we\\u002cird", URI:http://x/')).toEqual([
      'DNS:a.test',
      'IP Address:10.0.0.1',
      'DNS:we,ird',
      'URI:http://x/',
    ]);
  });
});
