import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { RealClock } from '../core/clock.ts';
import { isAppError } from '../core/errors.ts';
import {
  type CertificateInspection,
  type CertificateUpload,
  inspectCertificateChain,
  validateCertificateUpload,
} from '../core/x509.ts';
import {
  type CertificateMaterial,
  defaultCertsDir,
  initCertificates,
  issueClientCertificate,
  writeBrokenCertificates,
} from '../simulator/certs/index.ts';
import { fail, guarded, out } from './output.ts';

const DIR_HELP = 'certificates folder (default: $DS_HARNESS_CERTS_DIR, else ./certs)';

const parseDays = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of days, e.g. 825');
  return n;
};

const collectHosts = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h.length > 0),
];

const printMaterial = (cmd: Command, label: string, m: CertificateMaterial) => {
  out(cmd, `${label} (${m.status}${m.reason ? `: ${m.reason}` : ''})`);
  out(cmd, `  certificate  ${m.files.crt}  (same Base64 PEM in ${m.files.cer} and ${m.files.pem})`);
  out(cmd, `  private key  ${m.files.key}  (mode 0600, never upload it)`);
  out(cmd, `  subject      ${m.subject}`);
  if (m.subjectAltNames.length > 0) out(cmd, `  SANs         ${m.subjectAltNames.join(', ')}`);
  out(cmd, `  valid        ${m.validFrom} → ${m.validTo}`);
  out(cmd, `  SHA-256      ${m.fingerprintSha256}`);
};

const materialJson = (m: CertificateMaterial) => {
  const { keyPem: _key, ...rest } = m;
  return rest;
};

/** Omni's verdict on the file as an upload: the same check the certificate route runs, at the same clock's now. */
type UploadVerdict =
  | { accepted: true; trust: CertificateUpload['trust']; pinnedFingerprintSha256: string }
  | { accepted: false; code: string; message: string };

function uploadVerdict(data: Buffer, now: number, fileName: string): UploadVerdict {
  try {
    const up = validateCertificateUpload(data, now, { fileName });
    return { accepted: true, trust: up.trust, pinnedFingerprintSha256: up.fingerprintSha256 };
  } catch (e) {
    if (isAppError(e)) return { accepted: false, code: e.code, message: e.message };
    throw e;
  }
}

function validityState(info: CertificateInspection, now: number): string {
  if (now > Date.parse(info.validTo)) return 'EXPIRED';
  if (now < Date.parse(info.validFrom)) return 'NOT YET VALID';
  return 'valid now';
}

/** `ds-harness certs ...`: create, issue, inspect and break certificates for the dialer's TLS and mTLS. */
export function registerCertsCommand(program: Command): Command {
  const certs = program
    .command('certs')
    .description(
      'Manage the Discador DS certificates: a local CA, the dialer server certificate, mTLS client certificates ' +
        'and broken variants for negative tests',
    );

  certs
    .command('init')
    .description(
      'Create a CA and a server certificate signed by it (ca.* and server.*: .crt, .cer and .pem hold the same ' +
        'Base64 PEM an organization uploads into Omni; .key is the private key, mode 0600). Refuses to overwrite ' +
        'existing files without --force.',
    )
    .option('--dir <dir>', DIR_HELP)
    .option(
      '--host <host...>',
      'extra DNS name or IP address the dialer is reached at (repeatable, or comma-separated); ' +
        'localhost, 127.0.0.1 and ::1 are always included',
      collectHosts,
    )
    .option('--days <days>', 'server certificate validity in days (default: 825; the CA gets at least 3650)', parseDays)
    .option('--force', 'replace existing certificates (organizations must then upload the new ones)')
    .option('--json', 'print machine-readable JSON')
    .addHelpText('after', '\nExample:\n  ds-harness certs init --dir ./certs --host dialer.lan --host 10.0.0.5\n')
    .action(
      guarded(
        async (
          opts: { dir?: string; host?: string[]; days?: number; force?: boolean; json?: boolean },
          cmd: Command,
        ) => {
          const dir = opts.dir ?? defaultCertsDir();
          const set = await initCertificates(dir, {
            ...(opts.host ? { hosts: opts.host } : {}),
            ...(opts.days ? { days: opts.days } : {}),
            force: opts.force === true,
          });
          if (opts.json) {
            out(cmd, JSON.stringify({ dir, ca: materialJson(set.ca), server: materialJson(set.server) }, null, 2));
            return;
          }
          printMaterial(cmd, 'CA certificate', set.ca);
          printMaterial(cmd, 'Server certificate', set.server);
          out(cmd);
          out(cmd, `Upload into Omni: ${set.server.files.crt} (Base64 PEM; or ${set.ca.files.crt} to trust the CA).`);
        },
      ),
    );

  certs
    .command('issue')
    .description(
      'Issue a client certificate (extKeyUsage clientAuth) signed by the CA, for mTLS, into DIR/clients/NAME.{crt,cer,pem,key}',
    )
    .requiredOption('--client <name>', 'client name: letters, digits, dash, underscore and dot (becomes the CN)')
    .option('--dir <dir>', DIR_HELP)
    .option('--days <days>', 'validity in days (default: 825)', parseDays)
    .option('--force', 'replace an existing client certificate of that name')
    .option('--json', 'print machine-readable JSON')
    .addHelpText('after', '\nExample:\n  ds-harness certs issue --client omni-org-42\n')
    .action(
      guarded(
        async (
          opts: { client: string; dir?: string; days?: number; force?: boolean; json?: boolean },
          cmd: Command,
        ) => {
          const dir = opts.dir ?? defaultCertsDir();
          const m = await issueClientCertificate(dir, opts.client, {
            ...(opts.days ? { days: opts.days } : {}),
            force: opts.force === true,
          });
          if (opts.json) {
            out(cmd, JSON.stringify(materialJson(m), null, 2));
            return;
          }
          printMaterial(cmd, `Client certificate "${m.name}"`, m);
        },
      ),
    );

  certs
    .command('inspect')
    .description(
      'Show what a certificate file holds: Base64 PEM or binary DER, subject, issuer, SANs, validity, SHA-256 ' +
        'fingerprint (each certificate of a bundle), and whether Omni would accept it as an upload, by running the ' +
        "same check Omni runs. Exits 1 with Omni's error code and message when Omni would refuse the file (or it is " +
        'not a readable certificate).',
    )
    .argument('<file>', 'certificate file (.crt, .cer, .pem or .der)')
    .option('--json', 'print machine-readable JSON (with the verdict as omniUpload)')
    .action(
      guarded(async (file: string, opts: { json?: boolean }, cmd: Command) => {
        let data: Buffer;
        try {
          data = readFileSync(file);
        } catch (e) {
          const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
          return fail(cmd, `cannot read ${file}: ${reason}`, 'FILE_UNREADABLE');
        }
        const now = new RealClock().now();
        let chain: CertificateInspection[];
        try {
          chain = inspectCertificateChain(data);
        } catch (e) {
          if (isAppError(e) && opts.json) out(cmd, JSON.stringify({ file, ...e.toBody() }, null, 2));
          if (isAppError(e)) return fail(cmd, `${file}: ${e.message} [${e.code}]`, e.code);
          throw e;
        }
        const info = chain[0]!;
        const upload = uploadVerdict(data, now, file);
        const refused = (u: UploadVerdict): u is Extract<UploadVerdict, { accepted: false }> => !u.accepted;
        if (opts.json) {
          const { pem: _pem, ...first } = info;
          const links = chain.map(({ pem: _p, format: _f, ...rest }) => rest);
          out(
            cmd,
            JSON.stringify(
              { file, ...first, ...(chain.length > 1 ? { chain: links } : {}), omniUpload: upload },
              null,
              2,
            ),
          );
        } else {
          out(cmd, `File         ${file}`);
          out(
            cmd,
            `Encoding     ${info.format === 'pem' ? 'Base64 PEM (X.509)' : 'binary DER (X.509) — Omni needs Base64 PEM'}`,
          );
          if (chain.length > 1)
            out(cmd, `Bundle       ${chain.length} certificates; the first is shown, then the others`);
          chain.forEach((c, i) => {
            if (i > 0) out(cmd, `Certificate ${i + 1}`);
            out(cmd, `Subject      ${c.subject}`);
            out(cmd, `Issuer       ${c.issuer}${c.subject === c.issuer ? ' (self-signed)' : ''}`);
            out(cmd, `SANs         ${c.subjectAltNames.length > 0 ? c.subjectAltNames.join(', ') : '(none)'}`);
            out(cmd, `Valid from   ${c.validFrom}`);
            out(cmd, `Valid to     ${c.validTo}  (${validityState(c, now)})`);
            out(cmd, `CA           ${c.isCA ? 'yes' : 'no'}`);
            out(cmd, `Serial       ${c.serialNumber}`);
            out(cmd, `SHA-256      ${c.fingerprintSha256}`);
          });
          out(
            cmd,
            `Omni upload  ${
              upload.accepted
                ? `accepted; ${upload.trust === 'ca' ? 'trusted as the only CA' : `pins ${upload.pinnedFingerprintSha256}`}`
                : `refused [${upload.code}]`
            }`,
          );
        }
        if (refused(upload))
          return fail(cmd, `Omni would refuse ${file}: ${upload.message} [${upload.code}]`, upload.code);
      }),
    );

  certs
    .command('broken')
    .description(
      'Write negative certificate variants into DIR/broken/ (expired, not yet valid, other CA, wrong host, DER, ' +
        'truncated, private key, garbage, empty) plus manifest.json with the upload error each must produce. ' +
        'Creates the CA first when missing.',
    )
    .option('--dir <dir>', DIR_HELP)
    .option('--json', 'print the manifest as JSON')
    .action(
      guarded(async (opts: { dir?: string; json?: boolean }, cmd: Command) => {
        const dir = opts.dir ?? defaultCertsDir();
        const manifest = await writeBrokenCertificates(dir);
        if (opts.json) {
          out(cmd, JSON.stringify(manifest, null, 2));
          return;
        }
        const width = Math.max(...manifest.map((e) => e.file.length));
        for (const e of manifest) {
          out(
            cmd,
            `${e.file.padEnd(width)}  ${(e.expectedError ?? 'accepted as upload').padEnd(30)}  ${e.description}`,
          );
        }
      }),
    );

  return certs;
}
