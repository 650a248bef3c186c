import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RealClock } from '../../core/clock.ts';
import { CERTIFICATE_ERRORS, type CertificateErrorCode } from '../../core/x509.ts';
import { createAuthority, DAY_MS, issueCertificate, validityWindow } from './authority.ts';
import { ensureCertificates } from './store.ts';

export interface BrokenCertificate {
  /** Stable identifier, e.g. 'expired'. */
  name: string;
  /** Path of the file, `dir/broken/NAME` (relative when `dir` was). */
  file: string;
  /** The validateCertificateUpload code this file must produce; absent when the upload itself is acceptable. */
  expectedError?: CertificateErrorCode;
  description: string;
}

export const OTHER_CA_COMMON_NAME = 'ds-harness Untrusted Other CA';
export const WRONG_HOST = 'wrong.example.invalid';

const GARBAGE = 'This is not a certificate.\nIt is what an upload form receives when someone picks the wrong file.\n';

/**
 * Writes negative (and a few tolerated) certificate variants into `dir/broken/`, plus `manifest.json` (same entries,
 * `file` relative to that folder). Uses the CA in `dir`, creating the regular CA/server set first when missing.
 * Existing broken files are replaced.
 */
export async function writeBrokenCertificates(
  dir: string,
  options: { now?: number } = {},
): Promise<BrokenCertificate[]> {
  const now = options.now ?? new RealClock().now();
  const set = await ensureCertificates(dir, { now });
  const ca = { certPem: set.ca.certPem, keyPem: set.ca.keyPem };
  const out = join(dir, 'broken');
  mkdirSync(out, { recursive: true });
  const manifest: BrokenCertificate[] = [];
  const write = (file: string, data: string | Buffer, entry?: Omit<BrokenCertificate, 'file'>, mode = 0o644) => {
    const path = join(out, file);
    writeFileSync(path, data, { mode });
    chmodSync(path, mode);
    if (entry) manifest.push({ ...entry, file: path });
  };

  const expired = await issueCertificate({
    commonName: 'expired.discador-ds.local',
    ca,
    validity: { notBefore: new Date(now - 730 * DAY_MS), notAfter: new Date(now - 30 * DAY_MS) },
    usage: 'server',
    altNames: [{ type: 'dns', value: 'localhost' }],
  });
  write('expired.crt', expired.certPem, {
    name: 'expired',
    expectedError: CERTIFICATE_ERRORS.expired,
    description: 'signed by our CA, valid from 730 to 30 days ago',
  });

  const future = await issueCertificate({
    commonName: 'not-yet-valid.discador-ds.local',
    ca,
    validity: { notBefore: new Date(now + 30 * DAY_MS), notAfter: new Date(now + 395 * DAY_MS) },
    usage: 'server',
    altNames: [{ type: 'dns', value: 'localhost' }],
  });
  write('not-yet-valid.crt', future.certPem, {
    name: 'not-yet-valid',
    expectedError: CERTIFICATE_ERRORS.notYetValid,
    description: 'signed by our CA, valid only from 30 days from now',
  });

  const otherCa = await createAuthority(OTHER_CA_COMMON_NAME, validityWindow(now, 3650));
  const otherLeaf = await issueCertificate({
    commonName: 'other-ca-client',
    ca: otherCa,
    validity: validityWindow(now, 825),
    usage: 'server+client',
    altNames: [
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
    ],
  });
  write('other-ca.crt', otherLeaf.certPem, {
    name: 'other-ca',
    description: 'well-formed and in date, but signed by another CA: mTLS against our CA must refuse it',
  });
  write(
    'other-ca.key',
    otherLeaf.keyPem,
    {
      name: 'other-ca-key',
      expectedError: CERTIFICATE_ERRORS.privateKey,
      description: 'the private key for other-ca.crt (to present it as a TLS client certificate)',
    },
    0o600,
  );
  write('other-ca-ca.crt', otherCa.certPem, {
    name: 'other-ca-ca',
    description: `the foreign CA (${OTHER_CA_COMMON_NAME}) that signed other-ca.crt`,
  });

  const wrongHost = await issueCertificate({
    commonName: WRONG_HOST,
    ca,
    validity: validityWindow(now, 825),
    usage: 'server',
    altNames: [{ type: 'dns', value: WRONG_HOST }],
  });
  write('wrong-host.crt', wrongHost.certPem, {
    name: 'wrong-host',
    description: `signed by our CA and in date, but its only SAN is ${WRONG_HOST}: hostname checks must fail`,
  });
  write(
    'wrong-host.key',
    wrongHost.keyPem,
    {
      name: 'wrong-host-key',
      expectedError: CERTIFICATE_ERRORS.privateKey,
      description: 'the private key for wrong-host.crt (to serve it from a TLS server)',
    },
    0o600,
  );

  const serverDer = new X509Certificate(set.server.certPem).raw;
  write('der.cer', serverDer, {
    name: 'der',
    expectedError: CERTIFICATE_ERRORS.der,
    description: 'the server certificate in binary DER instead of Base64 PEM',
  });

  write('truncated.pem', truncate(set.server.certPem), {
    name: 'truncated',
    expectedError: CERTIFICATE_ERRORS.truncated,
    description: 'the server certificate with its Base64 body cut in half (armour lines kept)',
  });

  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  write('private-key.pem', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), {
    name: 'private-key',
    expectedError: CERTIFICATE_ERRORS.privateKey,
    description: 'a (throw-away) private key where a certificate is expected',
  });

  write('garbage.crt', GARBAGE, {
    name: 'garbage',
    expectedError: CERTIFICATE_ERRORS.unreadable,
    description: 'plain text that is not a certificate',
  });

  write('empty.crt', '', {
    name: 'empty',
    expectedError: CERTIFICATE_ERRORS.empty,
    description: 'an empty file',
  });

  write('crlf.crt', set.server.certPem.replace(/\n/g, '\r\n'), {
    name: 'crlf',
    description: 'tolerated: the server certificate with Windows CRLF line endings',
  });

  write('bare-base64.crt', bareBase64(set.server.certPem), {
    name: 'bare-base64',
    description: 'tolerated: the server certificate Base64 body without the BEGIN/END lines',
  });

  const relative = manifest.map((e) => ({ ...e, file: e.file.slice(out.length + 1) }));
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(relative, null, 2)}\n`);
  return manifest;
}

const pemBodyLines = (pem: string) => pem.split('\n').filter((l) => l.length > 0 && !l.startsWith('-----'));

/** BEGIN line, the first half of the Base64 lines, END line. */
function truncate(pem: string): string {
  const lines = pemBodyLines(pem);
  const half = lines.slice(0, Math.ceil(lines.length / 2));
  return `-----BEGIN CERTIFICATE-----\n${half.join('\n')}\n-----END CERTIFICATE-----\n`;
}

const bareBase64 = (pem: string) => `${pemBodyLines(pem).join('\n')}\n`;
