import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Dependency rules from DESIGN.md, enforced by lint: only platforms/slack imports Slack packages,
// only platforms/discord imports Discord ones, only storage/ imports database drivers, and domain/
// imports nothing of ours and does no I/O.
const SLACK = { group: ['@slack/*'], message: 'only src/platforms/slack imports Slack packages' };
const DISCORD = { group: ['discord.js', '@discordjs/*'], message: 'only src/platforms/discord imports Discord packages' };
const DB = { group: ['better-sqlite3', 'pg', 'kysely', 'kysely/*'], message: 'only src/storage imports database drivers' };
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', URLSearchParams: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly',
        setImmediate: 'readonly', queueMicrotask: 'readonly', structuredClone: 'readonly',
        AbortController: 'readonly', AbortSignal: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly',
        fetch: 'readonly', performance: 'readonly', Response: 'readonly', Request: 'readonly', Headers: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-console': 'error',
      'no-control-regex': 'off',
    },
  },
  { files: ['src/cli/**', 'src/platforms/console/**', 'bench/**', 'test/**', 'bin/**'], rules: { 'no-console': 'off' } },
  {
    // The dashboard's one browser script (served as is, no build step).
    files: ['src/web/static/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { window: 'readonly', document: 'readonly', FormData: 'readonly', DOMParser: 'readonly' } },
  },
  { files: ['src/**'], rules: restrict(SLACK, DISCORD, DB) },
  { files: ['src/platforms/slack/**'], rules: restrict(DISCORD, DB) },
  { files: ['src/platforms/discord/**'], rules: restrict(SLACK, DB) },
  { files: ['src/storage/**'], rules: restrict(SLACK, DISCORD) },
  {
    files: ['src/domain/**'],
    rules: restrict(SLACK, DISCORD, DB, { group: ['../*', 'undici', 'node:fs', 'node:net', 'node:http', 'node:https'], message: 'domain/ imports nothing of ours and does no I/O' }),
  },
);
