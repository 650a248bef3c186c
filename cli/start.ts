import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_PAUSE_CATALOGUE } from '../contract/organizations.ts';
import { type Clock, RealClock, VirtualClock } from '../core/clock.ts';
import { AppError } from '../core/errors.ts';
import { createLogger } from '../core/log.ts';
import { SecretBox } from '../core/secrets.ts';
import { type Listening, serveHttps } from '../core/serve.ts';
import { DEMO_OMNI_ORG, DEMO_PASSWORDS, ensureDemoOmni, startDemoAgents } from '../integration/demo.ts';
import { createIntegration } from '../integration/server.ts';
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
  only?: 'simulator' | 'integration';
  port: number;
  omniPort: number;
  host: string;
  data: string;
  certs: string;
  publicHost: string[];
  clock: 'real' | 'virtual';
  mtls: boolean;
  adminRemote: boolean;
  demo: boolean;
  demoAgents: boolean;
  seed: string;
  dialerUrl?: string;
  dialerKey?: string;
  dialerCert?: string;
};

/** Starts the dialer simulator, the Omni side, or both (the default), with the demo organization on each. */
export async function start(o: StartOptions) {
  const log = createLogger('ds-harness');
  const certs = await ensureCertificates(o.certs, { hosts: o.publicHost });
  const secrets = SecretBox.fromKeyFile(join(o.data, 'secret.key'));
  const clock: Clock = o.clock === 'virtual' ? new VirtualClock() : new RealClock();
  const tls = { key: certs.server.keyPem, cert: certs.server.certPem };
  const rel = (p: string) => relative(process.cwd(), p) || p;
  const shown = (l: Listening) => l.url.replace('127.0.0.1', 'localhost');
  const lines: string[] = [];
  const closers: Array<() => Promise<void> | void> = [];
  let dialer: { url: string; key: string; certificatePem: string } | undefined;

  if (o.only !== 'integration') {
    const token = adminToken(o.data);
    const sim = createSimulator({
      database: join(o.data, 'simulator.sqlite'),
      clock,
      secrets,
      adminToken: token,
      allowRemoteAdmin: o.adminRemote,
      seed: o.seed,
      log: createLogger('simulator'),
    });
    const demo = o.demo ? ensureDemoOrganization(sim) : undefined;
    sim.start();
    const listening = await serveHttps(sim.app.fetch, {
      port: o.port,
      host: o.host,
      tls: { ...tls, ca: certs.ca.certPem, requireClientCert: o.mtls },
    });
    closers.push(
      () => listening.close(),
      () => sim.close(),
    );
    const base = shown(listening);
    if (demo) dialer = { url: base, key: demo.key, certificatePem: certs.server.certPem };
    lines.push(
      'Discador DS (simulator)',
      `  API           ${base}/api/v1   (docs: ${base}/docs)`,
      `  Control API   ${base}/__admin   (loopback only)   admin token: ${token}`,
      `  Clock         ${o.clock}${o.mtls ? '   mutual TLS: on' : ''}   data: ${rel(o.data)}/simulator.sqlite`,
      ...(demo
        ? [`  Demo org      ${demo.orgId}   dialer key: ${demo.key}${demo.created ? '   (created now)' : ''}`]
        : []),
    );
  }

  if (o.only !== 'simulator') {
    if (o.only === 'integration' && o.dialerUrl && o.dialerKey && o.dialerCert)
      dialer = { url: o.dialerUrl, key: o.dialerKey, certificatePem: readFileSync(o.dialerCert, 'utf8') };
    const omni = createIntegration({
      database: join(o.data, 'omni.sqlite'),
      clock,
      secrets,
      log: createLogger('omni'),
    });
    const demo = o.demo && dialer ? ensureDemoOmni(omni, { ...dialer, pauses: DEFAULT_PAUSE_CATALOGUE }) : undefined;
    omni.start();
    const listening = await serveHttps(omni.app.fetch, { port: o.omniPort, host: o.host, tls });
    closers.unshift(
      () => listening.close(),
      () => omni.close(),
    );
    const base = shown(listening);
    lines.push(
      '',
      'Omni (integration)',
      `  API           ${base}/api/v1   (docs: ${base}/docs)   data: ${rel(o.data)}/omni.sqlite`,
    );
    if (demo) {
      const agents = o.demoAgents ? await startDemoAgents(omni) : [];
      const login = (user: string, pw: string) =>
        `curl -s --cacert ${rel(certs.ca.files.pem)} -H content-type:application/json -d '{"organization":"${DEMO_OMNI_ORG}","username":"${user}","password":"${pw}"}' ${base}/api/v1/sessions`;
      lines.push(
        `  Demo org      ${DEMO_OMNI_ORG}   logins: admin / ${DEMO_PASSWORDS.admin}, supervisor / ${DEMO_PASSWORDS.supervisor}, agente1..3 / ${DEMO_PASSWORDS.agents}`,
        agents.length
          ? `  Demo agents   ${agents.join(', ')} are logged in and available: calls flow; auto-tabulation finalizes each after 30 s`
          : '  Demo agents   none working (start without --no-demo-agents to have calls flow by themselves)',
        '',
        'Log in (the answer has a token; send it as Authorization: Bearer <token>):',
        `  ${login('supervisor', DEMO_PASSWORDS.supervisor)}`,
        `  ${login('admin', DEMO_PASSWORDS.admin)}`,
        `  ${login('agente1', DEMO_PASSWORDS.agents)}`,
      );
    } else if (o.only === 'integration' && !dialer)
      lines.push(
        '  No demo: pass --dialer-url, --dialer-key and --dialer-cert to point the demo organization at a dialer.',
      );
  }
  if (dialer && o.only !== 'integration')
    lines.push(
      '',
      'Try the dialer directly:',
      `  curl --cacert ${rel(certs.ca.files.pem)} -H 'X-Dialer-Key: ${dialer.key}' ${dialer.url}/api/v1/organization`,
    );
  lines.push(
    ...certs.messages.map((m) => `certs: ${m}`),
    `CA: ${rel(certs.ca.files.pem)} (curl --cacert); dialer certificate for Omni: ${rel(certs.server.files.pem)}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);

  const stop = async (signal: string) => {
    log.info({ signal }, 'stopping');
    for (const close of closers) await close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  return {
    close: async () => {
      for (const close of closers) await close();
    },
  };
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'Start the fake Discador DS and the Omni side over HTTPS (certificates and a demo organization on each are created on first run)',
    )
    .addOption(new Option('--only <side>', 'run one side only').choices(['simulator', 'integration']))
    .addOption(
      new Option('--port <port>', 'dialer HTTPS port (0 = any free port)')
        .env('DS_HARNESS_PORT')
        .default(8443)
        .argParser(port),
    )
    .addOption(
      new Option('--omni-port <port>', 'Omni HTTPS port').env('DS_HARNESS_OMNI_PORT').default(8444).argParser(port),
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
    .option('--mtls', 'the dialer requires client certificates issued by the CA (mutual TLS)', false)
    .option('--admin-remote', 'let the control API answer non-loopback clients (token still required)', false)
    .option('--no-demo', 'do not create the demo organizations')
    .option('--no-demo-agents', 'do not log the demo agents in (calls then wait for someone to log in)')
    .addOption(new Option('--seed <seed>', 'random seed (fault probabilities, generated leads)').default('ds-harness'))
    .option('--dialer-url <url>', 'with --only integration: the dialer the demo organization uses')
    .option('--dialer-key <key>', 'with --only integration: its dialer key')
    .option('--dialer-cert <file>', 'with --only integration: its certificate (X.509 Base64)')
    .action(async (o: StartOptions) => {
      if (o.mtls && o.only !== 'simulator')
        throw new AppError(
          'MTLS_NEEDS_ONLY_SIMULATOR',
          400,
          '--mtls is for the dialer alone for now: add --only simulator',
        );
      await start(o);
    });
}
