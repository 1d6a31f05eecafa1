// The summariser on the worker pool: the same summaries as in this thread, and a story whose work runs past
// its deadline gets its lead (or title) instead, with the classified error in the log, while the next story
// is summarised normally.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSummarizer, extractiveSummary } from '../../src/summarize/index.ts';
import { createWorkers } from '../../src/workers/index.ts';
import { pooledSummaryWork } from '../../src/workers/summary-work.ts';
import { captureLog } from '../helpers/log-capture.ts';

const DATA = path.resolve(process.cwd(), '..', 'shared', 'data', 'summaries.jsonl');
const ARTICLES: Array<{ id: string; article: string }> = existsSync(DATA)
  ? readFileSync(DATA, 'utf8').split('\n').filter(Boolean).slice(0, 40).map((l) => JSON.parse(l) as { id: string; article: string })
  : [];
if (!ARTICLES.length) console.log(`summary-work: ${DATA} not found; the comparison over real articles uses two written ones only.`);

const WRITTEN = [
  'Officials from Eastland said on Monday that a state-backed group had broken into the networks of three ports. The intrusions began last spring and were found by a private security firm. Eastland summoned the ambassador of the country it blames. The ports kept running, but cargo records were copied.',
  'By Jane Example\n\nPUBLISHED: 10:02 GMT\n\nThe energy ministry said hackers had broken into the control systems of two power plants. Investigators blamed a state-backed group.',
];

const workers = createWorkers({ threads: 2, parse_timeout_ms: 10_000, summarize_timeout_ms: 10_000, max_heap_mb: 256 });
const slow = createWorkers({ threads: 1, parse_timeout_ms: 10_000, summarize_timeout_ms: 20, max_heap_mb: 256 });
afterAll(async () => {
  await workers.close();
  await slow.close();
});


describe('summarising on worker threads', () => {
  it('gives the same extractive summaries as in this thread', async () => {
    const texts = [...WRITTEN, ...ARTICLES.map((a) => a.article)];
    const there = await Promise.all(texts.map((t) => workers.summaryWork.extractive(t, { maxChars: 400 })));
    expect(there).toEqual(texts.map((t) => extractiveSummary(t, { maxChars: 400 })));
  });

  it('a story past the deadline gets its lead, the log names summarize_timeout, and the summariser goes on', async () => {
    const { logger, lines } = captureLog('info');
    const s = createSummarizer({ maxChars: 120, work: slow.summaryWork, logger });
    await slow.summaryWork.cleanText('warm up'); // the thread is started; the deadline counts from here on
    const long = `${WRITTEN[0]} `.repeat(3000); // ~900 KB: far more than 20 ms to clean and summarise
    const r = await s.summarize({ title: 'Ports hacked', text: long, url: null });
    expect(r).toEqual({ summary: 'Officials from Eastland said on Monday that a state-backed group had broken into the networks of three ports.', method: 'fallback', fromExcerpt: true });
    const warn = lines.find((l) => l.error_class === 'summarize_timeout');
    expect(warn?.msg).toBe('summarize: could not summarise in time; using the lead of the feed text or the title');
    expect(String(warn?.err)).toMatch(/took longer than 20 ms, so it was stopped \(raise workers\.summarize_timeout_ms/);
    // The next story on the replacement thread, with time enough for a cold thread on a loaded machine.
    const patient = createSummarizer({ maxChars: 120, work: pooledSummaryWork(slow.pool, 30_000), logger });
    const next = await patient.summarize({ title: 'Plants hacked', text: WRITTEN[1]!, url: null });
    expect(next.method).toBe('extractive');
    expect(next.summary).toContain('power plants');
    expect(slow.pool.stats().replaced).toBeGreaterThanOrEqual(1);
  });
});
