#!/usr/bin/env node
// npm run build (npm ci and npm install run it through `prepare`): compiles src/ to JavaScript in dist/ with
// the project's TypeScript (tsconfig.build.json: type-checked, `.ts` import specifiers rewritten to `.js`),
// so bin/cyberbrief runs no compiler; files under src/ that are not code (templates, styles, data a module
// reads beside itself) are copied to the same place in dist/. dist/ is removed first, so a file deleted
// from src/ leaves nothing behind, and nothing is written when the sources do not type-check. The
// fingerprint of what was built (sources, build settings, TypeScript version) is written last, to
// dist/.source-fingerprint.
//
//   node scripts/build.mjs                      build
//   node scripts/build.mjs --if-stale --no-check build only when src/ changed since the last build, and skip
//                                                type-checking (the test run: `npm run typecheck` checks types)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const FINGERPRINT = path.join(DIST, '.source-fingerprint');
const SETTINGS = ['tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs'];
/** Sources tsc compiles, and JavaScript that runs only from the sources (src/workers/source-entry.mjs loads tsx). */
const CODE = /\.(?:[cm]?ts|tsx|[cm]?js)$/;
/** Files served to browsers as they are (the dashboard's static/ folder): copied whatever their type. */
const SERVED = /[\\/]static[\\/]/;

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
    .sort();
}

function typescriptPackage() {
  try {
    const require = createRequire(path.join(ROOT, 'package.json'));
    const pkgFile = require.resolve('typescript/package.json');
    return { tsc: path.join(path.dirname(pkgFile), 'bin', 'tsc'), version: JSON.parse(readFileSync(pkgFile, 'utf8')).version };
  } catch {
    return null;
  }
}

/** A hash of every file under src/, the build settings and the TypeScript version. */
export function sourceFingerprint(tsVersion = typescriptPackage()?.version ?? 'none') {
  const h = createHash('sha256').update(`typescript ${tsVersion}\n`);
  for (const file of [...filesUnder(path.join(ROOT, 'src')), ...SETTINGS.map((f) => path.join(ROOT, f))]) {
    h.update(`${path.relative(ROOT, file)}\n`).update(readFileSync(file)).update('\n');
  }
  return h.digest('hex');
}

/** Whether dist/ holds a complete build of the current sources. */
export function isBuildFresh() {
  return existsSync(FINGERPRINT) && readFileSync(FINGERPRINT, 'utf8').trim() === sourceFingerprint();
}

/** Builds dist/; returns an exit code (messages go to stderr). */
export function build({ ifStale = false, check = true } = {}) {
  const ts = typescriptPackage();
  if (!ts) {
    process.stderr.write('build: TypeScript is not installed, so dist/ cannot be built; run `npm ci` with dev dependencies (not --omit=dev), then `npm run build`.\n');
    return 1;
  }
  const fingerprint = sourceFingerprint(ts.version);
  if (ifStale && existsSync(FINGERPRINT) && readFileSync(FINGERPRINT, 'utf8').trim() === fingerprint) return 0;
  const started = Date.now();
  rmSync(DIST, { recursive: true, force: true });
  const args = [ts.tsc, '-p', path.join(ROOT, 'tsconfig.build.json'), ...(check ? [] : ['--noCheck'])];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    rmSync(DIST, { recursive: true, force: true });
    process.stderr.write(`build: tsc failed (exit ${r.status ?? r.signal}); dist/ was not written. Fix the errors above and run \`npm run build\` again.\n`);
    return 1;
  }
  const src = path.join(ROOT, 'src');
  for (const file of filesUnder(src).filter((f) => !CODE.test(f) || SERVED.test(f))) {
    const to = path.join(DIST, path.relative(src, file));
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(file, to);
  }
  writeFileSync(FINGERPRINT, `${fingerprint}\n`);
  process.stderr.write(`build: compiled src/ to dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s${check ? '' : ' (types not checked)'}.\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const flags = new Set(process.argv.slice(2));
  const unknown = [...flags].filter((f) => f !== '--if-stale' && f !== '--no-check');
  if (unknown.length) {
    process.stderr.write(`build: unknown option ${unknown[0]}; use --if-stale and/or --no-check.\n`);
    process.exitCode = 2;
  } else {
    process.exitCode = build({ ifStale: flags.has('--if-stale'), check: !flags.has('--no-check') });
  }
}
