/** The logging the dialer layer needs; a pino Logger fits. Silent by default. */
export type DialerLog = {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
};

const noop = () => {};
export const silentLog: DialerLog = { debug: noop, info: noop, warn: noop, error: noop };

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
