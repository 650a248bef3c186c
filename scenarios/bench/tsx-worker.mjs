// Worker-thread entry for the integration benchmark's threads: registers tsx in this thread (as cli/bin.mjs does for
// the main one), then runs the TypeScript module named by `workerData.entry` (a file URL).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
