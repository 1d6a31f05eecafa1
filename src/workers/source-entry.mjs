// Worker thread entry when the pool runs from the TypeScript sources (the test suite, benchmarks): a worker
// does not inherit the module hooks its parent registered, so it registers tsx before loading the jobs.
// The built program (dist/) starts dist/workers/worker.js directly and never loads this file or tsx.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
