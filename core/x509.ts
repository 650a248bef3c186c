import { createPrivateKey, X509Certificate } from 'node:crypto';
import { AppError } from './errors.ts';

/**
 * Reading X.509 certificates as an organization hands them over. Omni only takes the Base64 (PEM) form of the
 * dialer's certificate — the body of a `.crt`/`.cer`/`.pem` file — so every refusal says what was wrong and what to
 * upload instead. Time always comes from the caller.
 */
export interface CertificateInspection {
  /** How the input was encoded: 'pem' for Base64 text (armoured or bare), 'der' for binary. */
  format: 'pem' | 'der';
  /** Distinguished name, one-line: "CN=discador-ds.local, O=ds-harness". */
  subject: string;
  issuer: string;
  /** As node prints them: "DNS:localhost", "IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1". */
  subjectAltNames: string[];
  /** ISO 8601. */
  validFrom: string;
  validTo: string;
  /** "AB:CD:..." as node's X509Certificate.fingerprint256. */
  fingerprintSha256: string;
  /** Upper-case hex as node gives it. */
  serialNumber: string;
  isCA: boolean;
  /** The certificate re-encoded as canonical PEM (LF line endings, 64-character lines, trailing newline). */
  pem: string;
}

export const CERTIFICATE_ERRORS = {
  empty: 'CERTIFICATE_EMPTY',
  der: 'CERTIFICATE_DER_NOT_ACCEPTED',
  privateKey: 'CERTIFICATE_IS_PRIVATE_KEY',
  truncated: 'CERTIFICATE_TRUNCATED',
  unreadable: 'CERTIFICATE_UNREADABLE',
  expired: 'CERTIFICATE_EXPIRED',
  notYetValid: 'CERTIFICATE_NOT_YET_VALID',
  /** A bundle whose certificates do not each issue the one before (unrelated ones, wrong order, two leaves). */
  chainBroken: 'CERTIFICATE_CHAIN_BROKEN',
  /** A bundle that starts with a CA: the dialer's own certificate must come first. */
  chainStartsWithCa: 'CERTIFICATE_CHAIN_STARTS_WITH_CA',
  /** The same certificate twice in a bundle. */
  chainDuplicate: 'CERTIFICATE_CHAIN_DUPLICATE',
} as const;

export type CertificateErrorCode = (typeof CERTIFICATE_ERRORS)[keyof typeof CERTIFICATE_ERRORS];

const UPLOAD_HINT =
  'Upload the X.509 certificate in Base64 (PEM) form: a .crt, .cer or .pem file whose text starts with ' +
  '"-----BEGIN CERTIFICATE-----".';

const fail = (code: CertificateErrorCode, message: string, details?: Record<string, unknown>) =>
  new AppError(code, 422, message, details);

/** What a file holds: its certificates in file order (one for DER and bare Base64, every block of a PEM bundle). */
type Decoded =
  | { format: 'pem'; certs: X509Certificate[] }
  | { format: 'der'; certs: [X509Certificate] }
  | { format: 'der-unparseable'; bytes: Buffer };

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 #]+)-----([\s\S]*?)(?:-----END \1-----|$)/g;
const BASE64_BODY = /^[A-Za-z0-9+/=\s]+$/;
/** A line of a bare Base64 body: no spaces inside, so plain words are not mistaken for Base64. */
const BASE64_LINE = /^[A-Za-z0-9+/=]*$/;

/** Decodes text to a string, honouring UTF-8 and UTF-16 byte-order marks (Windows "Unicode" saves). */
function toText(buf: Buffer): string {
  if (buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  if (buf[0] === 0xfe && buf[1] === 0xff) {
    const swapped = Buffer.from(buf.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.subarray(3).toString('utf8');
  return buf.toString('utf8');
}

/**
 * True for PEM (armour found, whatever else the file holds) and for printable ASCII such as bare Base64; DER always
 * holds control bytes.
 */
function looksLikeText(buf: Buffer): boolean {
  if (buf.includes('-----BEGIN ')) return true;
  const hasBom =
    (buf[0] === 0xff && buf[1] === 0xfe) ||
    (buf[0] === 0xfe && buf[1] === 0xff) ||
    (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf);
  if (hasBom) return true;
  for (const b of buf) {
    if (b === 0x09 || b === 0x0a || b === 0x0d) continue;
    if (b < 0x20 || b > 0x7e) return false;
  }
  return true;
}

function tryCertificate(der: Buffer): X509Certificate | undefined {
  if (der.length === 0) return undefined;
  try {
    return new X509Certificate(der);
  } catch {
    return undefined;
  }
}

function isPrivateKeyDer(der: Buffer): boolean {
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      createPrivateKey({ key: der, format: 'der', type });
      return true;
    } catch {
      // not this shape
    }
  }
  return false;
}

/** For an ASN.1 SEQUENCE header, the length it announces (header included); undefined when it is not one. */
function announcedDerLength(der: Buffer): number | undefined {
  if (der.length < 2 || der[0] !== 0x30) return undefined;
  const first = der[1]!;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || der.length < 2 + n) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + der[2 + i]!;
  return 2 + n + len;
}

const privateKeyError = () =>
  fail(
    CERTIFICATE_ERRORS.privateKey,
    'This file contains a private key, not (only) a certificate. Never upload a private key: keep it on the dialer. ' +
      `${UPLOAD_HINT} For the Discador DS that is server.crt (or server.cer/server.pem), not server.key.`,
  );

const derError = (fileName: string | undefined) => {
  const name = fileName ?? 'file.cer';
  const out = `${name.replace(/\.(cer|crt|der|pem)$/i, '')}.pem`;
  return fail(
    CERTIFICATE_ERRORS.der,
    'This is a binary (DER) certificate; Omni accepts only the Base64 (PEM) form. Convert it with ' +
      `"openssl x509 -inform der -in ${name} -out ${out}" (on Windows: "certutil -encode ${name} ${out}", or ` +
      'export again choosing "Base-64 encoded X.509 (.CER)") and upload the result.',
    { expectedFormat: 'pem' },
  );
};

/** Finds the certificate in the input, classifying every way it can be wrong. */
function decode(input: Buffer | string): Decoded {
  let text: string;
  if (typeof input === 'string') {
    // A binary file read with 'latin1'/'binary' still carries its bytes; one read as UTF-8 does not.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting binary content is the point
    if (/[\u0000-\u0008\u000e-\u001f]/.test(input) && !/[^\u0000-\u00ff]/.test(input)) {
      return decodeBinary(Buffer.from(input, 'latin1'));
    }
    text = input.replace(/^\uFEFF/, '');
  } else {
    if (!looksLikeText(input)) return decodeBinary(input);
    text = toText(input);
  }

  if (text.trim() === '') {
    throw fail(CERTIFICATE_ERRORS.empty, `The file is empty. ${UPLOAD_HINT}`);
  }

  const blocks = [...text.matchAll(PEM_BLOCK)].map((m) => ({
    label: m[1]!.trim(),
    body: m[2]!,
    closed: m[0].includes('-----END '),
  }));
  if (blocks.length > 0) return decodeArmoured(blocks);

  const bare = text.trim();
  if (bare.split(/\r\n|\r|\n/).every((line) => BASE64_LINE.test(line.trim()))) {
    const der = Buffer.from(bare.replace(/\s+/g, ''), 'base64');
    const cert = tryCertificate(der);
    if (cert) return { format: 'pem', certs: [cert] };
    if (isPrivateKeyDer(der)) throw privateKeyError();
    const announced = announcedDerLength(der);
    if (announced !== undefined && announced > der.length) {
      throw fail(
        CERTIFICATE_ERRORS.truncated,
        `The Base64 text is the start of a certificate but is cut off (${der.length} of ${announced} bytes). ` +
          `Copy the whole file again. ${UPLOAD_HINT}`,
        { decodedBytes: der.length, expectedBytes: announced },
      );
    }
    throw fail(
      CERTIFICATE_ERRORS.unreadable,
      `The Base64 text does not decode to an X.509 certificate. ${UPLOAD_HINT}`,
    );
  }

  if (/-----BEGIN /.test(text)) {
    throw fail(
      CERTIFICATE_ERRORS.truncated,
      `The file has a "-----BEGIN" line but the armour is damaged. Copy the whole file again. ${UPLOAD_HINT}`,
    );
  }
  throw fail(CERTIFICATE_ERRORS.unreadable, `The file is not a certificate. ${UPLOAD_HINT}`);
}

function decodeArmoured(blocks: { label: string; body: string; closed: boolean }[]): Decoded {
  if (blocks.some((b) => b.label.includes('PRIVATE KEY'))) throw privateKeyError();
  const certBlocks = blocks.filter((b) => b.label === 'CERTIFICATE' || b.label === 'X509 CERTIFICATE');
  if (certBlocks.length === 0) {
    const label = blocks[0]!.label;
    const what: Record<string, string> = {
      'CERTIFICATE REQUEST':
        'a certificate signing request (CSR), not a certificate: upload the certificate issued for it',
      'NEW CERTIFICATE REQUEST':
        'a certificate signing request (CSR), not a certificate: upload the certificate issued for it',
      'PUBLIC KEY': 'a bare public key, not a certificate',
      'RSA PUBLIC KEY': 'a bare public key, not a certificate',
      PKCS7:
        'a PKCS#7 bundle; extract the certificate with "openssl pkcs7 -print_certs -in file.p7b -out file.pem" and upload that',
      'TRUSTED CERTIFICATE':
        'an OpenSSL "TRUSTED CERTIFICATE"; convert it with "openssl x509 -in file.pem -out plain.pem" and upload that',
    };
    throw fail(
      CERTIFICATE_ERRORS.unreadable,
      `The file holds "${label}": ${what[label] ?? 'not a certificate'}. ${UPLOAD_HINT}`,
      { pemLabel: label },
    );
  }
  const count = certBlocks.length;
  return { format: 'pem', certs: certBlocks.map((b, i) => decodeBlock(b, count > 1 ? i + 1 : undefined)) };
}

/** One CERTIFICATE block; `position` (1-based) names it in the message when the file holds several. */
function decodeBlock(certBlock: { body: string; closed: boolean }, position: number | undefined): X509Certificate {
  const body = certBlock.body.trim();
  const which = position === undefined ? 'The certificate' : `Certificate ${position} of the file`;
  const cut = (reason: string, details?: Record<string, unknown>) =>
    fail(
      CERTIFICATE_ERRORS.truncated,
      `${which} is incomplete: ${reason}. Copy the whole file again, from "-----BEGIN CERTIFICATE-----" to ` +
        `"-----END CERTIFICATE-----" inclusive. ${UPLOAD_HINT}`,
      position === undefined ? details : { ...details, position },
    );
  if (!BASE64_BODY.test(body)) {
    throw cut('the text between the BEGIN and END lines is not Base64');
  }
  const der = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  const cert = tryCertificate(der);
  if (cert) return cert;
  const announced = announcedDerLength(der);
  if (announced !== undefined && announced > der.length) {
    throw cut(`the Base64 body stops after ${der.length} of ${announced} bytes`, {
      decodedBytes: der.length,
      expectedBytes: announced,
    });
  }
  if (!certBlock.closed) throw cut('the "-----END CERTIFICATE-----" line is missing');
  throw cut('the Base64 body is damaged and does not decode to a certificate');
}

function decodeBinary(bytes: Buffer): Decoded {
  if (bytes.length === 0) throw fail(CERTIFICATE_ERRORS.empty, `The file is empty. ${UPLOAD_HINT}`);
  const cert = tryCertificate(bytes);
  if (cert) return { format: 'der', certs: [cert] };
  if (isPrivateKeyDer(bytes)) throw privateKeyError();
  return { format: 'der-unparseable', bytes };
}

const unreadableBinary = () =>
  fail(
    CERTIFICATE_ERRORS.unreadable,
    'The file is binary and not an X.509 certificate (a .pfx/.p12 keystore, a .p7b bundle, a cut-off DER file or ' +
      `something else). ${UPLOAD_HINT}`,
  );

const isoDate = (cert: X509Certificate, which: 'validFrom' | 'validTo'): string => {
  const asDate = (cert as unknown as Record<string, unknown>)[`${which}Date`];
  if (asDate instanceof Date) return asDate.toISOString();
  return new Date(cert[which]).toISOString();
};

/** Splits node's "DNS:a, IP Address:b" (values with special characters come JSON-quoted) into entries. */
export function parseSubjectAltNames(raw: string | undefined): string[] {
  if (!raw) return [];
  const out: string[] = [];
  let i = 0;
  while (i < raw.length) {
    const colon = raw.indexOf(':', i);
    if (colon < 0) break;
    const kind = raw.slice(i, colon);
    let j = colon + 1;
    let value: string;
    if (raw[j] === '"') {
      let k = j + 1;
      while (k < raw.length && raw[k] !== '"') k += raw[k] === '\\' ? 2 : 1;
      const quoted = raw.slice(j, k + 1);
      try {
        value = JSON.parse(quoted) as string;
      } catch {
        value = quoted.slice(1, -1);
      }
      j = k + 1;
    } else {
      const end = raw.indexOf(', ', j);
      j = end < 0 ? raw.length : end;
      value = raw.slice(colon + 1, j);
    }
    out.push(`${kind}:${value}`);
    i = raw.startsWith(', ', j) ? j + 2 : j + 1;
  }
  return out;
}

function describe(format: 'pem' | 'der', cert: X509Certificate): CertificateInspection {
  return {
    format,
    subject: cert.subject.split('\n').join(', '),
    issuer: cert.issuer.split('\n').join(', '),
    subjectAltNames: parseSubjectAltNames(cert.subjectAltName),
    validFrom: isoDate(cert, 'validFrom'),
    validTo: isoDate(cert, 'validTo'),
    fingerprintSha256: cert.fingerprint256,
    serialNumber: cert.serialNumber,
    isCA: cert.ca,
    pem: cert.toString(),
  };
}

/**
 * Reads an X.509 certificate in PEM (armoured or bare Base64, LF or CRLF) or DER form. For a file with several
 * certificates (a bundle), the first one. Throws an AppError (422, codes in CERTIFICATE_ERRORS) when the input is not a
 * readable certificate.
 */
export function inspectCertificate(input: Buffer | string): CertificateInspection {
  const decoded = decode(input);
  if (decoded.format === 'der-unparseable') throw unreadableBinary();
  return describe(decoded.format, decoded.certs[0]!);
}

/** Every certificate of the input in file order (one for DER or a single PEM block); throws like inspectCertificate. */
export function inspectCertificateChain(input: Buffer | string): CertificateInspection[] {
  const decoded = decode(input);
  if (decoded.format === 'der-unparseable') throw unreadableBinary();
  const format = decoded.format;
  return decoded.certs.map((c) => describe(format, c));
}

export interface UploadOptions {
  /** The uploaded file's name, only used to make the conversion hint concrete. */
  fileName?: string;
}

/** One certificate of an uploaded file, as the answer shows it. */
export type ChainLink = Omit<CertificateInspection, 'format' | 'pem'>;

/** What Omni keeps of an accepted upload: the one certificate it trusts the dialer with, and the file it came in. */
export interface CertificateUpload extends CertificateInspection {
  /**
   * How Omni trusts the dialer with `pem`: 'pinned' when it is the dialer's own certificate (alone or first of its
   * chain: the dialer must present exactly it), 'ca' when a CA certificate was uploaded alone (any certificate it
   * issued for the dialer's host is trusted).
   */
  trust: 'pinned' | 'ca';
  /** Every certificate of the file in order, the trusted one first (one entry when the file held one). */
  chain: ChainLink[];
}

const link = ({ format: _f, pem: _p, ...rest }: CertificateInspection): ChainLink => rest;
const named = (i: number, c: X509Certificate) => `certificate ${i + 1} (${c.subject.split('\n').join(', ')})`;
const CHAIN_HINT =
  "Upload the dialer's own certificate alone, or followed by the certificates that issued it, in order: first the " +
  "dialer's, then the CA that signed it, then the one that signed that CA, and so on. To trust a CA instead of " +
  "pinning the dialer's certificate, upload that CA certificate alone.";

/** True when `issuer` signed `cert`: names and key identifiers match (OpenSSL) and the signature verifies. */
const issued = (issuer: X509Certificate, cert: X509Certificate) =>
  cert.checkIssued(issuer) && cert.verify(issuer.publicKey);

/**
 * Checks a bundle: the dialer's certificate first, each next certificate a CA that issued the one before it. Refuses
 * unrelated certificates, a wrong order, two leaves, a CA first, the same certificate twice, naming which to upload.
 */
function checkChain(certs: readonly X509Certificate[]): void {
  const summary = () => ({
    certificates: certs.map((c, i) => ({
      position: i + 1,
      subject: c.subject.split('\n').join(', '),
      issuer: c.issuer.split('\n').join(', '),
      isCA: c.ca,
    })),
  });
  const seen = new Map<string, number>();
  certs.forEach((c, i) => {
    const first = seen.get(c.fingerprint256);
    if (first !== undefined)
      throw fail(
        CERTIFICATE_ERRORS.chainDuplicate,
        `The file holds the same certificate twice: ${named(i, c)} is certificate ${first + 1}. Remove the copy. ${CHAIN_HINT}`,
        { position: i + 1, samePosition: first + 1, ...summary() },
      );
    seen.set(c.fingerprint256, i);
  });
  const leaves = certs.map((c, i) => ({ c, i })).filter(({ c }) => !c.ca);
  if (certs[0]!.ca) {
    const leaf = leaves[0];
    throw fail(
      CERTIFICATE_ERRORS.chainStartsWithCa,
      `The file starts with a CA certificate, ${named(0, certs[0]!)}, followed by ${certs.length - 1} more. ` +
        (leaf
          ? `The dialer's own certificate looks like ${named(leaf.i, leaf.c)}: put it first, then its issuers. `
          : '') +
        CHAIN_HINT,
      { position: 1, ...summary() },
    );
  }
  if (leaves.length > 1) {
    const [a, b] = leaves as [{ c: X509Certificate; i: number }, { c: X509Certificate; i: number }];
    throw fail(
      CERTIFICATE_ERRORS.chainBroken,
      `The file holds ${leaves.length} server certificates, ${named(a.i, a.c)} and ${named(b.i, b.c)}; Omni pins ` +
        `one. Upload only the dialer's (the one for the host in "Servidor do discador"), with its issuers if you like. ` +
        CHAIN_HINT,
      { position: b.i + 1, reason: 'several_leaves', ...summary() },
    );
  }
  for (let i = 0; i + 1 < certs.length; i++) {
    const cert = certs[i]!;
    const next = certs[i + 1]!;
    if (issued(next, cert)) continue;
    const actual = certs.findIndex((other, j) => j !== i && issued(other, cert));
    const why =
      actual >= 0
        ? `it was issued by certificate ${actual + 1}: the certificates are out of order`
        : `no certificate of the file issued it (its issuer is ${cert.issuer.split('\n').join(', ')}): the file mixes unrelated certificates`;
    throw fail(
      CERTIFICATE_ERRORS.chainBroken,
      `${named(i + 1, next)} did not issue ${named(i, cert)}; ${why}. ${CHAIN_HINT}`,
      { position: i + 2, reason: actual >= 0 ? 'order' : 'unrelated', ...summary() },
    );
  }
}

/**
 * Checks a certificate an organization uploads into Omni for the dialer. Accepts only Base64 (PEM) text, armoured or
 * bare, with LF or CRLF line endings: one certificate (the dialer's, pinned; or a CA, trusted as the only CA), or the
 * dialer's certificate followed by its issuers in order (each checked to have signed the one before; the dialer's is
 * pinned). Refuses DER, private keys, cut or damaged files, any other bundle, and a trusted certificate outside its
 * validity window at `now` (epoch ms). Returns what is trusted (`pem` is that one certificate) and the whole chain;
 * throws an AppError (422) otherwise.
 */
export function validateCertificateUpload(
  input: Buffer | string,
  now: number,
  options: UploadOptions = {},
): CertificateUpload {
  const decoded = decode(input);
  if (decoded.format === 'der') throw derError(options.fileName);
  if (decoded.format === 'der-unparseable') throw unreadableBinary();
  if (decoded.certs.length > 1) checkChain(decoded.certs);
  const chain = decoded.certs.map((c) => describe('pem', c));
  const info = chain[0]!;
  const from = Date.parse(info.validFrom);
  const to = Date.parse(info.validTo);
  const at = new Date(now).toISOString();
  const window = { validFrom: info.validFrom, validTo: info.validTo, now: at, subject: info.subject };
  if (now > to) {
    throw fail(
      CERTIFICATE_ERRORS.expired,
      `The certificate "${info.subject}" expired on ${info.validTo} (now is ${at}). Upload the dialer's current ` +
        'certificate (renew it first; with this harness: "ds-harness certs init --force").',
      window,
    );
  }
  if (now < from) {
    throw fail(
      CERTIFICATE_ERRORS.notYetValid,
      `The certificate "${info.subject}" is not valid before ${info.validFrom} (now is ${at}). Check the clock of the ` +
        'machine that issued it, or upload a certificate that is valid now.',
      window,
    );
  }
  const trust = chain.length === 1 && info.isCA ? 'ca' : 'pinned';
  return { ...info, trust, chain: chain.map(link) };
}
