import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RealClock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import { inspectCertificate } from '../../core/x509.ts';
import {
  type AltName,
  CA_COMMON_NAME,
  canonicalIp,
  createAuthority,
  issueCertificate,
  type KeyedCertificate,
  SERVER_COMMON_NAME,
  serverAltNames,
  validityWindow,
} from './authority.ts';

/** Every certificate is written three times with the same Base64 PEM body — the names organizations look for. */
export const CERT_EXTENSIONS = ['crt', 'cer', 'pem'] as const;

export const DEFAULT_CA_DAYS = 3650;
export const DEFAULT_LEAF_DAYS = 825;

export interface CertificateFiles {
  crt: string;
  cer: string;
  pem: string;
  key: string;
}

export type CertificateStatus = 'created' | 'reused' | 'reissued';

export interface CertificateMaterial {
  /** 'ca', 'server' or a client's name. */
  name: string;
  files: CertificateFiles;
  certPem: string;
  keyPem: string;
  fingerprintSha256: string;
  subject: string;
  subjectAltNames: string[];
  validFrom: string;
  validTo: string;
  status: CertificateStatus;
  /** Why it was (re)created, when it was. */
  reason?: string;
}

export interface CertificateSet {
  dir: string;
  ca: CertificateMaterial;
  server: CertificateMaterial;
  /** One human line per thing done ("created", "reused", "reissued because ..."). */
  messages: string[];
}

export interface CertificateOptions {
  /** Extra names/addresses the dialer is reached at; each becomes a DNS or IP SAN on the server certificate. */
  hosts?: string[];
  /** Validity of the server certificate in days (the CA lives at least ten years). */
  days?: number;
  /** Epoch ms used as "now" for validity windows; defaults to the real clock. */
  now?: number;
}

/** `DS_HARNESS_CERTS_DIR` or ./certs. */
export const defaultCertsDir = (): string => process.env.DS_HARNESS_CERTS_DIR ?? './certs';

export const certificateFiles = (dir: string, name: string): CertificateFiles => ({
  crt: join(dir, `${name}.crt`),
  cer: join(dir, `${name}.cer`),
  pem: join(dir, `${name}.pem`),
  key: join(dir, `${name}.key`),
});

const allFiles = (f: CertificateFiles) => [f.crt, f.cer, f.pem, f.key];

/** Writes through a temporary file and a rename, so a concurrent reader never sees half a certificate. */
function writeAtomic(file: string, data: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

export function writeCertificateFiles(dir: string, name: string, pair: KeyedCertificate): CertificateFiles {
  mkdirSync(dir, { recursive: true });
  const files = certificateFiles(dir, name);
  writeAtomic(files.key, pair.keyPem, 0o600);
  for (const ext of CERT_EXTENSIONS) writeAtomic(files[ext], pair.certPem, 0o644);
  return files;
}

const resolveNow = (now: number | undefined): number => now ?? new RealClock().now();

function checkDays(days: number | undefined): number | undefined {
  if (days === undefined) return undefined;
  if (!Number.isInteger(days) || days < 1 || days > 36_500) {
    throw new AppError('CERTIFICATE_INVALID_DAYS', 400, `days must be a whole number from 1 to 36500, got ${days}`);
  }
  return days;
}

function material(
  name: string,
  files: CertificateFiles,
  pair: KeyedCertificate,
  status: CertificateStatus,
  reason?: string,
): CertificateMaterial {
  const info = inspectCertificate(pair.certPem);
  return {
    name,
    files,
    certPem: info.pem,
    keyPem: pair.keyPem,
    fingerprintSha256: info.fingerprintSha256,
    subject: info.subject,
    subjectAltNames: info.subjectAltNames,
    validFrom: info.validFrom,
    validTo: info.validTo,
    status,
    ...(reason ? { reason } : {}),
  };
}

type Loaded = { ok: true; pair: KeyedCertificate; cert: X509Certificate } | { ok: false; reason: string };

/** Reads NAME.crt + NAME.key and checks they belong together and are valid at `now`. */
function loadPair(files: CertificateFiles, label: string, now: number): Loaded {
  if (!existsSync(files.crt)) return { ok: false, reason: `${label}.crt is missing` };
  if (!existsSync(files.key)) return { ok: false, reason: `${label}.key is missing` };
  let cert: X509Certificate;
  const certPem = readFileSync(files.crt, 'utf8');
  const keyPem = readFileSync(files.key, 'utf8');
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return { ok: false, reason: `${label}.crt is not a readable certificate` };
  }
  try {
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) {
      return { ok: false, reason: `${label}.key does not belong to ${label}.crt` };
    }
  } catch {
    return { ok: false, reason: `${label}.key is not a readable private key` };
  }
  const info = inspectCertificate(certPem);
  if (now > Date.parse(info.validTo)) return { ok: false, reason: `${label}.crt expired on ${info.validTo}` };
  if (now < Date.parse(info.validFrom)) {
    return { ok: false, reason: `${label}.crt is not valid before ${info.validFrom}` };
  }
  return { ok: true, pair: { certPem, keyPem }, cert };
}

/** The requested SANs the certificate does not carry. */
function missingAltNames(cert: X509Certificate, wanted: readonly AltName[]): AltName[] {
  const dns = new Set(
    inspectCertificate(cert.raw)
      .subjectAltNames.filter((s) => s.startsWith('DNS:'))
      .map((s) => s.slice(4).toLowerCase()),
  );
  return wanted.filter((alt) => (alt.type === 'dns' ? !dns.has(alt.value) : cert.checkIP(alt.value) === undefined));
}

const describeAlt = (alt: AltName) => (alt.type === 'dns' ? `DNS:${alt.value}` : `IP:${alt.value}`);

/** Restores missing .cer/.pem copies and a too-open key mode on reused files; returns what it fixed. */
function repairCopies(files: CertificateFiles, certPem: string, label: string): string[] {
  const fixed: string[] = [];
  for (const ext of ['cer', 'pem'] as const) {
    const file = files[ext];
    if (!existsSync(file) || readFileSync(file, 'utf8') !== certPem) {
      writeAtomic(file, certPem, 0o644);
      fixed.push(`rewrote ${label}.${ext} from ${label}.crt`);
    }
  }
  if (process.platform !== 'win32' && (statSync(files.key).mode & 0o077) !== 0) {
    chmodSync(files.key, 0o600);
    fixed.push(`tightened ${label}.key to mode 0600`);
  }
  return fixed;
}

async function mintCa(now: number, days: number | undefined): Promise<KeyedCertificate> {
  return createAuthority(CA_COMMON_NAME, validityWindow(now, Math.max(DEFAULT_CA_DAYS, days ?? 0)));
}

async function mintServer(ca: KeyedCertificate, altNames: AltName[], now: number, days: number | undefined) {
  return issueCertificate({
    commonName: SERVER_COMMON_NAME,
    ca,
    validity: validityWindow(now, days ?? DEFAULT_LEAF_DAYS),
    usage: 'server',
    altNames,
  });
}

function summary(m: CertificateMaterial, label: string): string {
  const verb = { created: 'created', reused: 'reused', reissued: 'reissued' }[m.status];
  return `${label} ${verb}: ${m.files.crt}${m.reason ? ` (${m.reason})` : ''}`;
}

/**
 * Creates a fresh CA and dialer server certificate in `dir` (ca.* and server.*: .crt/.cer/.pem are the same Base64
 * PEM, .key is mode 0600). Refuses when any of those files exists unless `force` is set.
 */
export async function initCertificates(
  dir: string,
  options: CertificateOptions & { force?: boolean } = {},
): Promise<CertificateSet> {
  const now = resolveNow(options.now);
  const days = checkDays(options.days);
  const altNames = serverAltNames(options.hosts);
  const caFiles = certificateFiles(dir, 'ca');
  const serverFiles = certificateFiles(dir, 'server');
  const existing = [...allFiles(caFiles), ...allFiles(serverFiles)].filter((f) => existsSync(f));
  if (existing.length > 0 && !options.force) {
    throw new AppError(
      'CERTIFICATE_FILES_EXIST',
      409,
      `Certificates already exist in ${resolve(dir)} (${existing.length} files, e.g. ${existing[0]}). Pass --force ` +
        '(force: true) to replace them — the CA changes, so organizations must upload the new certificate — or ' +
        'just run start, which reuses them.',
      { existing },
    );
  }
  const ca = await mintCa(now, days);
  const server = await mintServer(ca, altNames, now, days);
  const caMaterial = material('ca', writeCertificateFiles(dir, 'ca', ca), ca, 'created');
  const serverMaterial = material('server', writeCertificateFiles(dir, 'server', server), server, 'created');
  return {
    dir,
    ca: caMaterial,
    server: serverMaterial,
    messages: [summary(caMaterial, 'CA certificate'), summary(serverMaterial, 'server certificate')],
  };
}

/**
 * What `start` calls: creates what is missing and reuses what is there. The server certificate is reissued (CA kept)
 * when it lacks a requested host, is not signed by the CA, is outside its validity window or has lost its key; the
 * CA is recreated only when unusable, which also reissues the server certificate.
 */
export async function ensureCertificates(dir: string, options: CertificateOptions = {}): Promise<CertificateSet> {
  const now = resolveNow(options.now);
  const days = checkDays(options.days);
  const wanted = serverAltNames(options.hosts);
  const caFiles = certificateFiles(dir, 'ca');
  const serverFiles = certificateFiles(dir, 'server');
  const messages: string[] = [];

  let caMaterial: CertificateMaterial;
  let caPair: KeyedCertificate;
  let caCert: X509Certificate;
  const loadedCa = loadPair(caFiles, 'ca', now);
  if (loadedCa.ok && loadedCa.cert.ca) {
    caPair = loadedCa.pair;
    caCert = loadedCa.cert;
    caMaterial = material('ca', caFiles, caPair, 'reused');
    messages.push(summary(caMaterial, 'CA certificate'), ...repairCopies(caFiles, caPair.certPem, 'ca'));
  } else {
    const anyCaFile = allFiles(caFiles).some((f) => existsSync(f));
    const reason = loadedCa.ok ? 'ca.crt is not a CA certificate' : loadedCa.reason;
    caPair = await mintCa(now, days);
    caCert = new X509Certificate(caPair.certPem);
    caMaterial = material(
      'ca',
      writeCertificateFiles(dir, 'ca', caPair),
      caPair,
      anyCaFile ? 'reissued' : 'created',
      anyCaFile ? `${reason}; organizations must upload the new CA/server certificate` : undefined,
    );
    messages.push(summary(caMaterial, 'CA certificate'));
  }

  let reason: string | undefined;
  const loadedServer = loadPair(serverFiles, 'server', now);
  if (caMaterial.status !== 'reused' && loadedServer.ok) {
    reason = 'the CA was recreated';
  } else if (!loadedServer.ok) {
    reason = loadedServer.reason;
  } else if (!loadedServer.cert.checkIssued(caCert) || !loadedServer.cert.verify(caCert.publicKey)) {
    reason = 'server.crt is not signed by ca.crt';
  } else {
    const missing = missingAltNames(loadedServer.cert, wanted);
    if (missing.length > 0) reason = `server.crt lacks ${missing.map(describeAlt).join(', ')}; CA kept`;
  }

  let serverMaterial: CertificateMaterial;
  if (reason === undefined && loadedServer.ok) {
    serverMaterial = material('server', serverFiles, loadedServer.pair, 'reused');
    messages.push(
      summary(serverMaterial, 'server certificate'),
      ...repairCopies(serverFiles, loadedServer.pair.certPem, 'server'),
    );
  } else {
    // Keep the SANs the old certificate had, so hosts asked for by an earlier start stay covered.
    const previous = loadedServer.ok ? previousAltNames(loadedServer.cert) : [];
    const server = await mintServer(caPair, mergeAltNames(wanted, previous), now, days);
    const fresh = !allFiles(serverFiles).some((f) => existsSync(f));
    serverMaterial = material(
      'server',
      writeCertificateFiles(dir, 'server', server),
      server,
      fresh ? 'created' : 'reissued',
      fresh ? undefined : reason,
    );
    messages.push(summary(serverMaterial, 'server certificate'));
  }

  return { dir, ca: caMaterial, server: serverMaterial, messages };
}

function previousAltNames(cert: X509Certificate): AltName[] {
  const out: AltName[] = [];
  for (const entry of inspectCertificate(cert.raw).subjectAltNames) {
    if (entry.startsWith('DNS:')) out.push({ type: 'dns', value: entry.slice(4).toLowerCase() });
    else if (entry.startsWith('IP Address:')) out.push({ type: 'ip', value: canonicalIp(entry.slice(11)) });
  }
  return out;
}

function mergeAltNames(first: AltName[], second: AltName[]): AltName[] {
  const seen = new Set(first.map((a) => `${a.type}:${a.value}`));
  return [...first, ...second.filter((a) => !seen.has(`${a.type}:${a.value}`))];
}

const CLIENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkClientName(name: string): string {
  if (!CLIENT_NAME.test(name)) {
    throw new AppError(
      'CERTIFICATE_INVALID_NAME',
      400,
      `Client name "${name}" is not allowed: use 1 to 64 letters, digits, dashes, underscores or dots, starting with ` +
        'a letter or digit (for example "omni-org-42").',
      { name },
    );
  }
  return name;
}

/**
 * A client certificate (extKeyUsage clientAuth, CN = name) signed by the CA in `dir`, written to
 * `dir/clients/NAME.{crt,cer,pem,key}`. Needs the CA (run initCertificates/ensureCertificates first).
 */
export async function issueClientCertificate(
  dir: string,
  name: string,
  options: { days?: number; now?: number; force?: boolean } = {},
): Promise<CertificateMaterial> {
  checkClientName(name);
  const now = resolveNow(options.now);
  const days = checkDays(options.days);
  const loadedCa = loadPair(certificateFiles(dir, 'ca'), 'ca', now);
  if (!loadedCa.ok) {
    throw new AppError(
      'CERTIFICATE_CA_MISSING',
      409,
      `Cannot issue a client certificate: ${loadedCa.reason} in ${resolve(dir)}. Run "ds-harness certs init --dir ` +
        `${dir}" first.`,
    );
  }
  const clientsDir = join(dir, 'clients');
  const files = certificateFiles(clientsDir, name);
  const existing = allFiles(files).filter((f) => existsSync(f));
  if (existing.length > 0 && !options.force) {
    throw new AppError(
      'CERTIFICATE_FILES_EXIST',
      409,
      `A client certificate named "${name}" already exists (${existing[0]}); pass --force to replace it or pick ` +
        'another name.',
      { existing },
    );
  }
  const pair = await issueCertificate({
    commonName: name,
    ca: loadedCa.pair,
    validity: validityWindow(now, days ?? DEFAULT_LEAF_DAYS),
    usage: 'client',
  });
  return material(name, writeCertificateFiles(clientsDir, name, pair), pair, 'created');
}
