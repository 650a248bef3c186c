import { OpenAPIHono } from '@hono/zod-openapi';
import { VirtualClock } from '../core/clock.ts';
import { type Db, migrate, openDatabase } from '../core/db.ts';
import { isAppError } from '../core/errors.ts';
import { errorHandler, notFoundHandler } from '../core/http/errors.ts';
import { defaultHook } from '../core/http/validation.ts';
import { createLogger } from '../core/log.ts';
import { SecretBox } from '../core/secrets.ts';
import { OPERATOR_HEADER, OperatorToken } from '../integration/auth/operator.ts';
import { Sessions } from '../integration/auth/sessions.ts';
import { Configuration, type ConfigurationRoutesOptions, configurationRoutes } from '../integration/configuration.ts';
import type { IntegrationEnv, Role, SessionInfo } from '../integration/http/app.ts';
import { organizationDirectoryRoutes } from '../integration/organizations/routes.ts';
import { integrationMigrations } from '../integration/store/migrations.ts';
import { installContractCheck } from './contract-check.ts';

/**
 * For tests: the configuration on a fresh in-memory database with a virtual clock, and its routes behind a stand-in
 * for the session middleware (the session comes from the `x-test-session` header, JSON), answered in-process. The
 * operator's routes (creating and listing organizations) take `TEST_OPERATOR_TOKEN`.
 */
export type ConfigTestbed = {
  db: Db;
  clock: VirtualClock;
  secrets: SecretBox;
  config: Configuration;
  app: OpenAPIHono<IntegrationEnv>;
  /** An HTTP client acting as this session (none: not logged in). */
  as(session?: { orgId: string; role: Role; userId?: string }): TestClient;
  /** An HTTP client sending the platform operator token (or the given one). */
  asOperator(token?: string): TestClient;
};

export type TestResponse = {
  status: number;
  headers: Headers;
  /** The raw body, to assert that no secret is in it. */
  text: string;
  /** The body as JSON (undefined when it is not JSON). */
  // biome-ignore lint/suspicious/noExplicitAny: tests read into answers freely
  body: any;
};

export type RequestOptions = { json?: unknown; body?: string | Uint8Array; contentType?: string };
export type TestClient = (method: string, path: string, options?: RequestOptions) => Promise<TestResponse>;

/** Cheap scrypt for tests (the cost is stored with each hash, so verification is the same code). */
export const TEST_SCRYPT_COST = 1024;
export const TEST_OPERATOR_TOKEN = 'test-operator-token-0123456789';

export function configTestbed(options: { now?: number } & ConfigurationRoutesOptions = {}): ConfigTestbed {
  const db = openDatabase(':memory:');
  migrate(db, integrationMigrations);
  const clock = new VirtualClock(options.now);
  const secrets = SecretBox.ephemeral();
  const config = new Configuration(db, clock, secrets, { scryptCost: TEST_SCRYPT_COST });

  const app = new OpenAPIHono<IntegrationEnv>({ defaultHook });
  app.onError(errorHandler(createLogger('config-test', 'silent')));
  app.notFound(notFoundHandler);
  app.use('*', async (c, next) => {
    const raw = c.req.header('x-test-session');
    if (raw) c.set('session', JSON.parse(raw) as SessionInfo);
    await next();
  });
  const operator = new OperatorToken(TEST_OPERATOR_TOKEN);
  app.route('/', organizationDirectoryRoutes(config.organizations, operator, new Sessions(db, clock)));
  app.route('/', configurationRoutes(config, clock, { pauseCatalogue: options.pauseCatalogue }));
  // Mounted at / here (at /api/v1 in Omni): checked against the document these same routes generate.
  installContractCheck(app, {
    service: 'omni configuration',
    document: () => app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 'configuration', version: 'test' } }),
  });

  const client =
    (headers: Record<string, string>): TestClient =>
    async (method, path, opts = {}) => {
      const h: Record<string, string> = { ...headers };
      let body: string | Uint8Array | undefined;
      if (opts.json !== undefined) {
        body = JSON.stringify(opts.json);
        h['content-type'] = 'application/json';
      } else if (opts.body !== undefined) body = opts.body;
      if (opts.contentType) h['content-type'] = opts.contentType;
      const res = await app.request(path, { method, headers: h, body });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, text, body: parsed };
    };

  const as = (session?: { orgId: string; role: Role; userId?: string }): TestClient =>
    client(
      session
        ? { 'x-test-session': JSON.stringify({ userId: session.userId ?? 'test-user', token: 't', ...session }) }
        : {},
    );
  const asOperator = (token = TEST_OPERATOR_TOKEN): TestClient => client({ [OPERATOR_HEADER]: token });

  return { db, clock, secrets, config, app, as, asOperator };
}

/**
 * A testbed with two organizations, `acme` (the one under test) and `other` (for cross-organization checks), each with
 * its admin, and clients acting as each role of `acme`, as `other`'s admin, and as nobody.
 */
export async function configTestbedWithOrganizations(options: Parameters<typeof configTestbed>[0] = {}) {
  const t = configTestbed(options);
  for (const [id, name, password] of [
    ['acme', 'ACME', 'senha-admin-1'],
    ['other', 'Other', 'senha-admin-2'],
  ] as const)
    await t.config.organizations.create({ id, name, admin: { username: 'admin', name: 'Admin', password } });
  return {
    t,
    admin: t.as({ orgId: 'acme', role: 'admin' }),
    supervisor: t.as({ orgId: 'acme', role: 'supervisor' }),
    agent: t.as({ orgId: 'acme', role: 'agent' }),
    otherAdmin: t.as({ orgId: 'other', role: 'admin' }),
    anonymous: t.as(),
  };
}

/** The code of the AppError `fn` throws, or undefined when it does not throw (anything else is rethrown). */
export async function thrownCode(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
    return undefined;
  } catch (e) {
    if (isAppError(e)) return e.code;
    throw e;
  }
}
