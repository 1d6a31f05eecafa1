#!/usr/bin/env node
// npm run build (npm ci and npm install run it through `prepare`): compiles src/ to JavaScript in dist/ with
// the project's TypeScript (tsconfig.build.json: type-checked, `.ts` import specifiers rewritten to `.js`),
// so bin/cyberbrief runs no compiler; files under src/ that are not code (templates, styles, data a module
// reads beside itself) are copied to the same place in dist/. Then esbuild bundles that JavaScript into
// dist/bundle/, which bin/cyberbrief runs: a few files instead of about 600 modules (ours and those of the
// packages made of hundreds of small files), which the ES module loader resolved, read and linked one by one
// on every command. dist/ is removed first, so a file deleted from src/ leaves nothing behind, and nothing is
// written when the sources do not type-check. The fingerprint of what was built (sources, build settings,
// TypeScript and esbuild versions) is written last, to dist/.source-fingerprint.
//
//   node scripts/build.mjs                      build
//   node scripts/build.mjs --if-stale --no-check build only when src/ changed since the last build, and skip
//                                                type-checking (the test run: `npm run typecheck` checks types)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const FINGERPRINT = path.join(DIST, '.source-fingerprint');
const SETTINGS = ['tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs'];
/** Sources tsc compiles, and JavaScript that runs only from the sources (src/workers/source-entry.mjs loads tsx). */
const CODE = /\.(?:[cm]?ts|tsx|[cm]?js)$/;
/** Files served to browsers as they are (the dashboard's static/ folder): copied whatever their type. */
const SERVED = /[\\/]static[\\/]/;
/** Where the bundle goes; bin/cyberbrief runs `cli.js` there, and the worker pool starts `worker.js` beside it. */
const BUNDLE = path.join(DIST, 'bundle');
/**
 * Packages bundled with our code: plain JavaScript made of hundreds of small modules (kysely about 260, zod 95,
 * yaml 70) that nothing of theirs reads from disk. Every other package stays in node_modules and loads as it
 * does without the bundle: native addons (better-sqlite3), packages that start threads or resolve files beside
 * themselves (pino's transports), and the chat SDKs, loaded only when their platform is configured.
 */
const BUNDLED_PACKAGES = new Set(['kysely', 'zod', 'yaml']);
/**
 * Each output file of the bundle starts with this: esbuild's ES module output turns a bundled CommonJS
 * module's `require('process')` into a call that throws unless a `require` is in scope.
 */
const BUNDLE_BANNER = "import { createRequire as __cyberbriefRequire } from 'node:module'; const require = __cyberbriefRequire(import.meta.url);";

/** Copies `files` (under `from`) to the same places under `to`. */
function copyFiles(files, from, to) {
  for (const file of files) {
    const dest = path.join(to, path.relative(from, file));
    mkdirSync(path.dirname(dest), { recursive: true });
    copyFileSync(file, dest);
  }
}

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
    .sort();
}

/** esbuild's API, or null when it is not installed (dev dependencies left out). */
async function esbuildApi() {
  try {
    return await import(pathToFileURL(createRequire(path.join(ROOT, 'package.json')).resolve('esbuild')).href);
  } catch {
    return null;
  }
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

/** The version of esbuild in node_modules, 'none' when it is not installed. */
function esbuildVersion() {
  try {
    return JSON.parse(readFileSync(createRequire(path.join(ROOT, 'package.json')).resolve('esbuild/package.json'), 'utf8')).version;
  } catch {
    return 'none';
  }
}

/** A hash of every file under src/, the build settings and the TypeScript and esbuild versions. */
export function sourceFingerprint(tsVersion = typescriptPackage()?.version ?? 'none') {
  const h = createHash('sha256').update(`typescript ${tsVersion}\nesbuild ${esbuildVersion()}\n`);
  for (const file of [...filesUnder(path.join(ROOT, 'src')), ...SETTINGS.map((f) => path.join(ROOT, f))]) {
    h.update(`${path.relative(ROOT, file)}\n`).update(readFileSync(file)).update('\n');
  }
  return h.digest('hex');
}

/** Whether dist/ holds a complete build of the current sources. */
export function isBuildFresh() {
  return existsSync(FINGERPRINT) && readFileSync(FINGERPRINT, 'utf8').trim() === sourceFingerprint();
}

/**
 * Bundles dist/'s JavaScript into dist/bundle/: the CLI (`cli.js`) and the worker thread's script (`worker.js`),
 * split so that what a command imports only when it needs it (a subcommand, the feed reader, a chat platform)
 * is still its own file, loaded only then. The dashboard's static files are copied beside the bundle, where the
 * bundled code looks for them, and `modules.json` says which of dist/'s modules each bundle file holds (what
 * the tests read to check what a command loads). Returns an error message, or null.
 */
async function bundle(esbuild) {
  const ownPackage = (specifier) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2) : specifier.split('/').slice(0, 1)).join('/');
  let result;
  try {
    result = await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: { cli: 'dist/cli/index.js', worker: 'dist/workers/worker.js' },
      outdir: BUNDLE,
      entryNames: '[name]',
      chunkNames: '[name]-[hash]',
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'linked',
      sourcesContent: false,
      banner: { js: BUNDLE_BANNER },
      metafile: true,
      logLevel: 'silent',
      plugins: [
        {
          name: 'packages-outside-the-bundle',
          setup(b) {
            b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('node:') || !BUNDLED_PACKAGES.has(ownPackage(args.path)) ? { path: args.path, external: true } : undefined));
          },
        },
      ],
    });
  } catch (err) {
    return `esbuild failed: ${err.message.split('\n')[0]}`;
  }
  const modules = {};
  for (const [output, info] of Object.entries(result.metafile.outputs)) {
    if (!output.endsWith('.js')) continue;
    modules[path.relative(BUNDLE, path.join(ROOT, output))] = Object.keys(info.inputs).filter((i) => i.startsWith('dist/')).sort();
  }
  writeFileSync(path.join(BUNDLE, 'modules.json'), `${JSON.stringify(modules, null, 1)}\n`);
  const staticDir = path.join(ROOT, 'src', 'web', 'static');
  copyFiles(filesUnder(staticDir), staticDir, path.join(BUNDLE, 'static'));
  return null;
}

/** Builds dist/; resolves to an exit code (messages go to stderr). */
export async function build({ ifStale = false, check = true } = {}) {
  const ts = typescriptPackage();
  const esbuild = await esbuildApi();
  if (!ts || !esbuild) {
    process.stderr.write(`build: ${ts ? 'esbuild' : 'TypeScript'} is not installed, so dist/ cannot be built; run \`npm ci\` with dev dependencies (not --omit=dev), then \`npm run build\`.\n`);
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
  copyFiles(filesUnder(src).filter((f) => !CODE.test(f) || SERVED.test(f)), src, DIST);
  const failed = await bundle(esbuild);
  if (failed) {
    rmSync(DIST, { recursive: true, force: true });
    process.stderr.write(`build: ${failed}; dist/ was not written. Run \`npm run build\` again to see it, and check that \`npm ci\` installed esbuild.\n`);
    return 1;
  }
  writeFileSync(FINGERPRINT, `${fingerprint}\n`);
  process.stderr.write(`build: compiled src/ to dist/ and bundled it in dist/bundle/ in ${((Date.now() - started) / 1000).toFixed(1)} s${check ? '' : ' (types not checked)'}.\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const flags = new Set(process.argv.slice(2));
  const unknown = [...flags].filter((f) => f !== '--if-stale' && f !== '--no-check');
  if (unknown.length) {
    process.stderr.write(`build: unknown option ${unknown[0]}; use --if-stale and/or --no-check.\n`);
    process.exitCode = 2;
  } else {
    process.exitCode = await build({ ifStale: flags.has('--if-stale'), check: !flags.has('--no-check') });
  }
}
