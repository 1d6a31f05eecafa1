// Worker thread entry. The sources are TypeScript run through tsx (no build step), and a worker does not
// inherit the module hooks its parent registered, so it registers them before loading the jobs.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
