import type { Command } from 'commander';
import { isAppError } from '../core/errors.ts';

/** Writes to the command's stdout (tests capture it through configureOutput). */
export const write = (cmd: Command, text: string) => {
  const writeOut = cmd.configureOutput().writeOut ?? ((s: string) => process.stdout.write(s));
  writeOut(text);
};

export const out = (cmd: Command, line = '') => write(cmd, `${line}\n`);

/** Reports a failure on stderr and exits 1 (or throws a CommanderError under exitOverride), without the usage text. */
export function fail(cmd: Command, message: string, code: string): never {
  cmd.showHelpAfterError(false);
  return cmd.error(`error: ${message}`, { exitCode: 1, code: `ds-harness.${code}` });
}

/** Runs an action, turning AppErrors into a clean message and exit code 1. */
export function guarded<A extends unknown[]>(fn: (...args: A) => Promise<void>) {
  return async (...args: A): Promise<void> => {
    const cmd = args[args.length - 1] as Command;
    try {
      await fn(...args);
    } catch (e) {
      if (isAppError(e)) fail(cmd, `${e.message} [${e.code}]`, e.code);
      throw e;
    }
  };
}
