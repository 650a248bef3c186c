import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../core/errors.ts';
import type { IntegrationEnv } from '../http/app.ts';
import { type Sessions, sessionAuth } from './sessions.ts';

/**
 * The platform operator: whoever runs this Omni installation, above every organization. Creating an organization (a
 * tenant) and listing all of them need the operator token, sent in its own header; an organization's administrator
 * cannot do either. Like the dialer's admin token: generated at first start into the data folder (mode 0600) or given
 * by an environment variable, compared in constant time, never logged.
 */
export const OPERATOR_HEADER = 'X-Omni-Operator-Token';
export const OPERATOR_TOKEN_ENV = 'DS_HARNESS_OPERATOR_TOKEN';
export const OPERATOR_TOKEN_FILE = 'operator-token';

const digest = (s: string) => createHash('sha256').update(s).digest();

export class OperatorToken {
  readonly #digest: Buffer;

  constructor(token: string) {
    if (token.trim().length < 16)
      throw new AppError('OPERATOR_TOKEN_WEAK', 500, `the operator token must have at least 16 characters`);
    this.#digest = digest(token.trim());
  }

  /** A fresh random token (32 bytes, base64url). */
  static generate(): string {
    return randomBytes(32).toString('base64url');
  }

  /** Constant time: comparing digests of equal length. */
  matches(given: string): boolean {
    return timingSafeEqual(digest(given.trim()), this.#digest);
  }
}

/**
 * The operator token of an installation: `$DS_HARNESS_OPERATOR_TOKEN`, else `<dataDir>/operator-token` (created with
 * a random token, mode 0600, on first use). Says where it came from, so that start can print where to find it.
 */
export function loadOperatorToken(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): { token: string; source: { env: string } | { file: string } } {
  const fromEnv = env[OPERATOR_TOKEN_ENV];
  if (fromEnv) return { token: fromEnv, source: { env: OPERATOR_TOKEN_ENV } };
  const file = join(dataDir, OPERATOR_TOKEN_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${OperatorToken.generate()}\n`, { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  return { token: readFileSync(file, 'utf8').trim(), source: { file } };
}

/** True when the request carries the operator header (checked already by `operatorOrSession`). */
export const isOperatorRequest = (c: { req: { header(name: string): string | undefined } }) =>
  c.req.header(OPERATOR_HEADER) !== undefined;

/**
 * For the routes an operator may call: with the operator header, its token must match (401 OPERATOR_TOKEN_INVALID
 * otherwise) and no session is needed; without it, the usual session (Authorization: Bearer).
 */
export function operatorOrSession(operator: OperatorToken, sessions: Sessions): MiddlewareHandler<IntegrationEnv> {
  const session = sessionAuth(sessions);
  return async (c, next) => {
    const given = c.req.header(OPERATOR_HEADER);
    if (given === undefined) return c.var.session ? next() : session(c, next); // a session set upstream (tests) stands
    if (!operator.matches(given))
      throw new AppError(
        'OPERATOR_TOKEN_INVALID',
        401,
        `wrong operator token in ${OPERATOR_HEADER}; it is in the data folder (${OPERATOR_TOKEN_FILE}) or ` +
          `$${OPERATOR_TOKEN_ENV}, and ds-harness start prints where`,
      );
    await next();
  };
}

/** 403 OPERATOR_REQUIRED for a session (an organization's user), 401 when there is neither. */
export function requireOperator(what: string): MiddlewareHandler<IntegrationEnv> {
  return async (c, next) => {
    if (!isOperatorRequest(c))
      throw new AppError(
        'OPERATOR_REQUIRED',
        403,
        `${what} needs the platform operator token (header ${OPERATOR_HEADER}); an organization's administrator ` +
          'cannot do it. Ask whoever runs this Omni installation.',
      );
    await next();
  };
}
