// `node --import <this file>`: appends the URL of every module the ES module loader resolves (packages
// included: a CommonJS package imported from ESM is resolved here too) to the file named by
// RECORD_IMPORTS_TO, one per line. Preloads run in worker threads as well, so their modules are listed.
// Used to check what a command loads (no chat SDK without its token, no compiler in the build).
import { register } from 'node:module';

if (process.env.RECORD_IMPORTS_TO) register('./record-imports-hooks.mjs', import.meta.url, { data: { file: process.env.RECORD_IMPORTS_TO } });
