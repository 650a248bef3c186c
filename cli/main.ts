import { Command } from 'commander';
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

await program.parseAsync(process.argv);
