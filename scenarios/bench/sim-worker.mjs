// Worker-thread entry of the dialer simulator for the integration benchmark: registers tsx in this thread (as
// cli/bin.mjs does for the main one), then runs the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./sim-worker.ts');
