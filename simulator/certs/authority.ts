import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { generate } from 'selfsigned';
import { AppError } from '../../core/errors.ts';

/**
 * Certificate minting on top of selfsigned v5 (async, WebCrypto, RSA 2048, always SHA-256). Dates are always passed
 * explicitly so nothing here reads the wall clock.
 */
type GenerateOptions = NonNullable<Parameters<typeof generate>[1]>;
type Extension = NonNullable<GenerateOptions['extensions']>[number];
type Attributes = NonNullable<Parameters<typeof generate>[0]>;

export type AltName = { type: 'dns'; value: string } | { type: 'ip'; value: string };

export interface KeyedCertificate {
  certPem: string;
  keyPem: string;
}

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

export const DAY_MS = 86_400_000;
/** Certificates start a little in the past so a peer whose clock lags a few minutes still accepts them. */
export const BACKDATE_MS = 5 * 60_000;

export const CA_COMMON_NAME = 'ds-harness Discador DS CA';
export const SERVER_COMMON_NAME = 'discador-ds.local';
export const ORGANIZATION = 'ds-harness';

/** The SANs every dialer server certificate carries, before any requested hosts. */
export const DEFAULT_SERVER_ALT_NAMES: readonly AltName[] = [
  { type: 'dns', value: SERVER_COMMON_NAME },
  { type: 'dns', value: 'localhost' },
  { type: 'ip', value: '127.0.0.1' },
  { type: 'ip', value: '::1' },
];

export const validityWindow = (now: number, days: number): Validity => ({
  notBefore: new Date(now - BACKDATE_MS),
  notAfter: new Date(now + days * DAY_MS),
});

/** "0:0:0:0:0:0:0:1" and "::1" are the same address: IPv6 is compressed the way URLs do it. */
export const canonicalIp = (ip: string): string =>
  isIP(ip) === 6 ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;

const DNS_NAME = /^(\*\.)?[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** "10.0.0.5" and "[::1]" become IP SANs, "dialer.lan" a DNS SAN; anything else is refused with a clear error. */
export function parseHost(host: string): AltName {
  const trimmed = host.trim();
  const unbracketed = trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
  if (isIP(unbracketed)) return { type: 'ip', value: canonicalIp(unbracketed) };
  const dns = trimmed.toLowerCase().replace(/\.$/, '');
  if (dns.length > 0 && dns.length <= 253 && DNS_NAME.test(dns)) return { type: 'dns', value: dns };
  throw new AppError(
    'CERTIFICATE_INVALID_HOST',
    400,
    `"${host}" is neither an IP address nor a DNS name; pass a host such as "dialer.lan", "10.0.0.5" or "::1"`,
    { host },
  );
}

/** Requested hosts plus the defaults, without duplicates, in a stable order. */
export function serverAltNames(hosts: readonly string[] = []): AltName[] {
  const out: AltName[] = [];
  const seen = new Set<string>();
  for (const alt of [...DEFAULT_SERVER_ALT_NAMES, ...hosts.map(parseHost)]) {
    const key = `${alt.type}:${alt.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(alt);
  }
  return out;
}

const attributes = (commonName: string): Attributes => [
  { name: 'commonName', value: commonName },
  { name: 'organizationName', value: ORGANIZATION },
];

/** Node's PEM rendering: LF line endings and a final newline, which selfsigned leaves out. */
const toKeyed = (r: { cert: string; private: string }): KeyedCertificate => ({
  certPem: new X509Certificate(r.cert).toString(),
  keyPem: r.private,
});

/** A self-signed certificate authority (basicConstraints CA, keyCertSign). */
export async function createAuthority(commonName: string, validity: Validity): Promise<KeyedCertificate> {
  const result = await generate(attributes(commonName), {
    algorithm: 'sha256',
    keyType: 'rsa',
    keySize: 2048,
    notBeforeDate: validity.notBefore,
    notAfterDate: validity.notAfter,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return toKeyed(result);
}

export type Usage = 'server' | 'client' | 'server+client';

export interface IssueParams {
  commonName: string;
  ca: KeyedCertificate;
  validity: Validity;
  usage: Usage;
  altNames?: readonly AltName[];
}

/** An end-entity certificate signed by `ca`. */
export async function issueCertificate(params: IssueParams): Promise<KeyedCertificate> {
  const extensions: Extension[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    {
      name: 'keyUsage',
      digitalSignature: true,
      keyEncipherment: params.usage !== 'client',
      critical: true,
    },
    {
      name: 'extKeyUsage',
      serverAuth: params.usage !== 'client',
      clientAuth: params.usage !== 'server',
    },
  ];
  if (params.altNames && params.altNames.length > 0) {
    extensions.push({
      name: 'subjectAltName',
      altNames: params.altNames.map((a) => (a.type === 'ip' ? { type: 7, ip: a.value } : { type: 2, value: a.value })),
    });
  }
  const result = await generate(attributes(params.commonName), {
    algorithm: 'sha256',
    keyType: 'rsa',
    keySize: 2048,
    notBeforeDate: params.validity.notBefore,
    notAfterDate: params.validity.notAfter,
    ca: { key: params.ca.keyPem, cert: params.ca.certPem },
    extensions,
  });
  return toKeyed(result);
}
