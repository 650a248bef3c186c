import { Command } from 'commander';
import { isAppError } from '../core/errors.ts';
import { registerBenchCommand } from './bench.ts';
import { registerCertsCommand } from './certs.ts';
import { registerMailingCommand } from './mailing.ts';
import { registerStartCommand } from './start.ts';

const program = new Command()
  .name('ds-harness')
  .description('A fake Discador DS dialer, the Omni-side integration and a conformance harness')
  .showHelpAfterError()
  .version('0.1.0');

registerStartCommand(program);
registerCertsCommand(program);
registerMailingCommand(program);
registerBenchCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Expected failures (a port in use, a bad certificate) print one line with their code, not a stack.
  if (isAppError(err)) {
    process.stderr.write(`error: ${err.message} [${err.code}]\n`);
    process.exit(1);
  }
  throw err;
}
