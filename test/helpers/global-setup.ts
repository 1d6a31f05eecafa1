// Runs once before the test files: brings dist/ up to date with src/ (scripts/build.mjs --if-stale, which
// compares a fingerprint of the sources and rebuilds only when they changed). The tests that start the bot
// or the CLI as a child process run bin/cyberbrief, that is the build, as users do; this is what keeps them
// from ever running a stale one. Types are not checked here (npm run typecheck does that), so a rebuild
// takes seconds. Tests that import src/ directly run the sources through vitest.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export default function buildDist(): void {
  const root = path.resolve(import.meta.dirname, '../..');
  const r = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--if-stale', '--no-check'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`test setup: building dist/ failed (exit ${r.status ?? r.signal}); see the tsc errors above, or run \`npm run build\`.`);
}
