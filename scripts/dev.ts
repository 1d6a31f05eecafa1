// npm run dev -- <command> [options]: the CLI straight from the TypeScript sources through tsx, for
// development without a build (bin/cyberbrief runs the build in dist/). Also the benchmark's baseline.
import { main } from '../src/cli/index.ts';

process.exitCode = await main(process.argv.slice(2));
