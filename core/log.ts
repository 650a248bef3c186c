import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs on stderr (stdout stays for what a command prints for people or pipes).
 * LOG_LEVEL sets the level; under vitest the default is silent.
 */
export function createLogger(
  name: string,
  level = process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
): Logger {
  return pino({ name, level, base: { name } }, pino.destination({ fd: 2, sync: false }));
}
