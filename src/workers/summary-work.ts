// The summariser's SummaryWork on the worker pool: each step runs with a deadline; one past it rejects with
// `summarize_timeout` (a dead worker with `summarize_failed`), and the summariser falls back to the lead of
// the feed text or the title for that item alone.
import { CyberbriefError } from '../lib/errors.ts';
import type { SummaryWork } from '../summarize/ports.ts';
import type { Jobs } from './jobs.ts';
import { JobTimeoutError, WorkerCrashError, type JobOutput, type WorkerPool } from './pool.ts';

export function pooledSummaryWork(pool: WorkerPool<Jobs>, deadlineMs: number): SummaryWork {
  async function run<K extends 'cleanText' | 'articleText' | 'extractive'>(job: K, input: Parameters<Jobs[K]>[0], what: string, chars: number): Promise<JobOutput<Jobs, K>> {
    try {
      return await pool.run(job, input, { deadlineMs });
    } catch (err) {
      const size = `${Math.ceil(chars / 1024)} KB`;
      if (err instanceof JobTimeoutError) {
        throw new CyberbriefError('summarize_timeout', `summarize: ${what} (${size}) took longer than ${deadlineMs} ms, so it was stopped (raise workers.summarize_timeout_ms if such texts are normal).`);
      }
      if (err instanceof WorkerCrashError) throw new CyberbriefError('summarize_failed', `summarize: ${what} (${size}) failed: ${err.message}.`, { cause: err });
      throw err;
    }
  }
  return {
    cleanText: (text) => run('cleanText', { text }, 'cleaning the feed text', text.length),
    articleText: (html, contentType) => run('articleText', { html, contentType }, 'extracting the article from its page', html.length),
    extractive: (text, opts) => run('extractive', { text, opts }, 'the extractive summary', text.length),
  };
}
