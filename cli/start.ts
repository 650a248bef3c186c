import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_PAUSE_CATALOGUE } from '../contract/organizations.ts';
import { type Clock, RealClock, VirtualClock } from '../core/clock.ts';
import { ensurePrivateDir, PRIVATE_FILE_MODE, type PrivateDir, removeCreated, restrictFile } from '../core/data-dir.ts';
import { AppError } from '../core/errors.ts';
import { createLogger } from '../core/log.ts';
import { SecretBox } from '../core/secrets.ts';
import { assertCanListen, type Listening, serveHttps } from '../core/serve.ts';
import { loadOperatorToken, OPERATOR_HEADER } from '../integration/auth/operator.ts';
import {
  DEMO_OMNI_ORG,
  DEMO_PASSWORDS,
  type DemoAgentsOutcome,
  ensureDemoOmni,
  startDemoAgents,
} from '../integration/demo.ts';
import { createIntegration } from '../integration/server.ts';
import { defaultCertsDir, ensureCertificates } from '../simulator/certs/index.ts';
import { DEMO_ORG_ID, ensureDemoOrganization } from '../simulator/demo.ts';
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
  if (!existsSync(file)) writeFileSync(file, randomBytes(24).toString('base64url'), { mode: PRIVATE_FILE_MODE });
  restrictFile(file);
  return readFileSync(file, 'utf8').trim();
}

/** What `start` keeps in the data folder: the databases (with SQLite's side files), the secrets key, the token. */
export const isDataFile = (name: string): boolean =>
  /^(?:(?:simulator|omni)\.sqlite(?:-wal|-shm|-journal)?|secret\.key|admin-token|operator-token)$/.test(name);

/** What the certificates folder holds (see certs/README.md); only the private keys are secret. */
export const isCertsEntry = (name: string): boolean =>
  /^(?:(?:ca|server)\.(?:crt|cer|pem|key)|clients|broken|README\.md|.+\.tmp)$/.test(name);

/** The data and certificates folders, private (0700, secrets 0600, a .gitignore of `*` in each folder made). */
function prepareFolders(o: StartOptions, into: PrivateDir[]): void {
  into.push(ensurePrivateDir(o.data, { owns: isDataFile }));
  into.push(ensurePrivateDir(o.certs, { owns: isCertsEntry, secret: (n) => n.endsWith('.key') }));
  const clients = join(o.certs, 'clients');
  if (existsSync(clients))
    for (const name of readdirSync(clients)) if (name.endsWith('.key')) restrictFile(join(clients, name));
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

/** The ports this start listens on: checked before anything is created, so a busy one leaves nothing behind. */
const portsOf = (o: StartOptions): number[] => [
  ...(o.only !== 'integration' ? [o.port] : []),
  ...(o.only !== 'simulator' ? [o.omniPort] : []),
];

/**
 * Starts the dialer simulator, the Omni side, or both (the default), with the demo organization on each. Checks the
 * ports first; if anything fails after that, closes what it opened and removes the folders it created.
 */
export async function start(o: StartOptions) {
  await assertCanListen(o.host, portsOf(o));
  const closers: Array<() => Promise<void> | void> = [];
  const folders: PrivateDir[] = [];
  try {
    prepareFolders(o, folders);
    return await run(o, folders, closers);
  } catch (err) {
    for (const close of closers) {
      try {
        await close();
      } catch {
        // cleaning up after the first error: that one is what the user needs to see
      }
    }
    for (const f of folders) removeCreated(f.created);
    throw err;
  }
}

async function run(o: StartOptions, folders: PrivateDir[], closers: Array<() => Promise<void> | void>) {
  const log = createLogger('ds-harness');
  const certs = await ensureCertificates(o.certs, { hosts: o.publicHost });
  const secrets = SecretBox.fromKeyFile(join(o.data, 'secret.key'));
  const clock: Clock = o.clock === 'virtual' ? new VirtualClock() : new RealClock();
  const tls = { key: certs.server.keyPem, cert: certs.server.certPem };
  const rel = (p: string) => relative(process.cwd(), p) || p;
  const shown = (l: Listening) => l.url.replace('127.0.0.1', 'localhost');
  const lines: string[] = [];
  let dialer: { url: string; key: string; certificatePem: string } | undefined;
  let sim: ReturnType<typeof createSimulator> | undefined;

  if (o.only !== 'integration') {
    const token = adminToken(o.data);
    sim = createSimulator({
      database: join(o.data, 'simulator.sqlite'),
      clock,
      secrets,
      adminToken: token,
      allowRemoteAdmin: o.adminRemote,
      seed: o.seed,
      log: createLogger('simulator'),
    });
    const running = sim;
    closers.push(() => running.close());
    const demo = o.demo ? ensureDemoOrganization(sim) : undefined;
    sim.start();
    const listening = await serveHttps(sim.app.fetch, {
      port: o.port,
      host: o.host,
      tls: { ...tls, ca: certs.ca.certPem, requireClientCert: o.mtls },
    });
    closers.unshift(() => listening.close());
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
    const operator = loadOperatorToken(o.data);
    const omni = createIntegration({
      database: join(o.data, 'omni.sqlite'),
      clock,
      secrets,
      log: createLogger('omni'),
      operatorToken: operator.token,
    });
    closers.unshift(() => omni.close());
    const demo =
      o.demo && dialer ? await ensureDemoOmni(omni, { ...dialer, pauses: DEFAULT_PAUSE_CATALOGUE }) : undefined;
    omni.start();
    const listening = await serveHttps(omni.app.fetch, { port: o.omniPort, host: o.host, tls });
    closers.unshift(() => listening.close());
    const base = shown(listening);
    lines.push(
      '',
      'Omni (integration)',
      `  API           ${base}/api/v1   (docs: ${base}/docs)   data: ${rel(o.data)}/omni.sqlite`,
      `  Operator      creates organizations with the header ${OPERATOR_HEADER}: the token is ${
        'file' in operator.source ? `in ${rel(operator.source.file)} (mode 0600)` : `$${operator.source.env}`
      }`,
    );
    if (demo) {
      const running = sim;
      // With the dialer in this process, ask it who is logged in: a dialer login Omni did not make is someone else's.
      const agents = o.demoAgents
        ? await startDemoAgents(omni, running ? { loggedInAtDialer: dialerLoginsOf(running) } : {})
        : undefined;
      const login = (user: string, pw: string) =>
        `curl -s --cacert ${rel(certs.ca.files.pem)} -H content-type:application/json -d '{"organization":"${DEMO_OMNI_ORG}","username":"${user}","password":"${pw}"}' ${base}/api/v1/sessions`;
      lines.push(
        `  Demo org      ${DEMO_OMNI_ORG}   logins: admin / ${DEMO_PASSWORDS.admin}, supervisor / ${DEMO_PASSWORDS.supervisor}, agente1..3 / ${DEMO_PASSWORDS.agents}`,
        ...demoAgentLines(agents),
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
    ...folders
      .filter((f) => !f.owned)
      .map(
        (f) => `note: ${rel(f.dir)} holds other files too: its mode was left as it is (the program's files are 0600)`,
      ),
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

/** Whether the in-process dialer has a demo dialer user logged in (an unknown user is not). */
const dialerLoginsOf =
  (sim: ReturnType<typeof createSimulator>) =>
  (dialerUser: string): boolean => {
    try {
      return sim.sessions.runtime(DEMO_ORG_ID, dialerUser).state !== 'logged_out';
    } catch {
      return false;
    }
  };

/** What the start output says about the demo agents: who works, and who was left alone and why. */
function demoAgentLines(agents: DemoAgentsOutcome | undefined): string[] {
  if (!agents)
    return ['  Demo agents   none working (start without --no-demo-agents to have calls flow by themselves)'];
  const lines = agents.started.length
    ? [
        `  Demo agents   ${agents.started.join(', ')} logged in and available: calls flow; auto-tabulation finalizes each after 30 s`,
      ]
    : ['  Demo agents   none logged in by this start (a restart never ends a session someone holds):'];
  for (const s of agents.skipped) lines.push(`                ${s.username} left alone: ${s.reason}`);
  return lines;
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
