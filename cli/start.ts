import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { RealClock, VirtualClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import { SecretBox } from '../core/secrets.ts';
import { serveHttps } from '../core/serve.ts';
import { defaultCertsDir, ensureCertificates } from '../simulator/certs/index.ts';
import { ensureDemoOrganization } from '../simulator/demo.ts';
import { createSimulator } from '../simulator/server.ts';

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is a whole number 0-65535');
  return n;
};

/** The admin token: DS_HARNESS_ADMIN_TOKEN, else the one kept in the data folder (created on first start). */
function adminToken(dataDir: string): string {
  if (process.env.DS_HARNESS_ADMIN_TOKEN) return process.env.DS_HARNESS_ADMIN_TOKEN;
  const file = join(dataDir, 'admin-token');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(24).toString('base64url'), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return readFileSync(file, 'utf8').trim();
}

export type StartOptions = {
  port: number;
  host: string;
  data: string;
  certs: string;
  publicHost: string[];
  clock: 'real' | 'virtual';
  mtls: boolean;
  adminRemote: boolean;
  demo: boolean;
  seed: string;
};

export async function start(o: StartOptions) {
  const log = createLogger('ds-harness');
  const certs = await ensureCertificates(o.certs, { hosts: o.publicHost });
  const token = adminToken(o.data);
  const sim = createSimulator({
    database: join(o.data, 'simulator.sqlite'),
    clock: o.clock === 'virtual' ? new VirtualClock() : new RealClock(),
    secrets: SecretBox.fromKeyFile(join(o.data, 'secret.key')),
    adminToken: token,
    allowRemoteAdmin: o.adminRemote,
    seed: o.seed,
    log,
  });
  const demo = o.demo ? ensureDemoOrganization(sim) : undefined;
  sim.start();
  const listening = await serveHttps(sim.app.fetch, {
    port: o.port,
    host: o.host,
    tls: {
      key: certs.server.keyPem,
      cert: certs.server.certPem,
      ca: certs.ca.certPem,
      requireClientCert: o.mtls,
    },
  });
  const rel = (p: string) => relative(process.cwd(), p) || p;
  const base = listening.url.replace('127.0.0.1', 'localhost');
  const lines = [
    'ds-harness: the Discador DS simulator is running',
    `  API           ${base}/api/v1`,
    `  API docs      ${base}/docs   (OpenAPI: ${base}/openapi.json)`,
    `  Control API   ${base}/__admin   (loopback only; admin token below)`,
    `  Clock         ${o.clock}${o.mtls ? '   mutual TLS: on (client certificates from this CA only)' : ''}`,
    `  Data          ${rel(o.data)}/simulator.sqlite`,
    `  CA            ${rel(certs.ca.files.pem)}   (trust it: curl --cacert)`,
    `  Dialer cert   ${rel(certs.server.files.pem)}   (the X.509 Base64 certificate to upload into Omni)`,
    `  Admin token   ${token}`,
    ...certs.messages.map((m) => `  certs: ${m}`),
  ];
  if (demo) {
    lines.push(
      `  Demo org      ${demo.orgId}   dialer key: ${demo.key}${demo.created ? '   (created now)' : ''}`,
      '',
      'Try:',
      `  curl --cacert ${rel(certs.ca.files.pem)} -H 'X-Dialer-Key: ${demo.key}' ${base}/api/v1/organization`,
      `  curl --cacert ${rel(certs.ca.files.pem)} -H 'Authorization: Bearer ${token}' ${base}/__admin/clock`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  const stop = async (signal: string) => {
    log.info({ signal }, 'stopping');
    await listening.close();
    sim.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  return { sim, listening };
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'Start the fake Discador DS over HTTPS (certificates and a demo organization are created on first run)',
    )
    .addOption(
      new Option('--port <port>', 'HTTPS port (0 = any free port)')
        .env('DS_HARNESS_PORT')
        .default(8443)
        .argParser(port),
    )
    .addOption(new Option('--host <address>', 'address to listen on').env('DS_HARNESS_HOST').default('127.0.0.1'))
    .addOption(
      new Option('--data <dir>', 'data folder (SQLite, keys, admin token)')
        .env('DS_HARNESS_DATA_DIR')
        .default('./data'),
    )
    .addOption(new Option('--certs <dir>', 'certificates folder').default(defaultCertsDir()))
    .addOption(
      new Option('--public-host <host...>', 'extra names/addresses for the server certificate').default([] as string[]),
    )
    .addOption(
      new Option('--clock <kind>', 'real, or virtual (moved only by the control API)')
        .choices(['real', 'virtual'])
        .default('real'),
    )
    .option('--mtls', 'require client certificates issued by the CA (mutual TLS)', false)
    .option('--admin-remote', 'let the control API answer non-loopback clients (token still required)', false)
    .option('--no-demo', 'do not create the demo organization')
    .addOption(new Option('--seed <seed>', 'random seed (fault probabilities, generated leads)').default('ds-harness'))
    .action(async (o: StartOptions) => {
      await start(o);
    });
}
