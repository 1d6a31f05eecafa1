import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Child-process tests run bin/cyberbrief, i.e. dist/: built here first whenever src/ changed.
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time (vitest's default is one fewer than the CPUs: one on this 2-core machine). Most of
    // the suite's time is waiting (bots, emulators, backoffs, a 60 s PostgreSQL storm), and every file gets
    // its own SQLite files and PostgreSQL databases: 498 s against 754 s one file at a time, all passing.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
