// cyberbrief model fit / show on labelled stories written for this test (not the shared data): seeded and
// reproducible, --check scores held-out labels, --dry-run writes nothing, bad input gets one sentence, and
// --with-feedback refits from a real SQLite database's feedback verdicts.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.ts';
import { defaultGrid } from '../../src/matching/scorer/train.ts';
import { openStorage } from '../../src/storage/index.ts';
import { seedAlerts, seedChannel, seedFeed } from '../delivery/fixtures.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-model-'));
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

const RELEVANT = [
  ['China-linked hackers breach {x} ministry networks', 'The state-sponsored group stole diplomatic cables.'],
  ['Russian military intelligence blamed for {x} grid attack', 'Officials attributed the sabotage to the GRU.'],
  ['Iranian hackers target {x} water utilities', 'The state-backed campaign hit control systems.'],
  ['North Korean hackers steal {x} crypto for the regime', 'Lazarus-linked operatives laundered the funds.'],
  ['EU sanctions officers over {x} cyberattacks', 'The Council named a Russian hacking unit.'],
];
const IRRELEVANT = [
  ['{x} team wins the league', 'A late goal settled the final.'],
  ['Ransomware gang hits {x} retailer', 'The cybercrime group demanded a ransom.'],
  ['Browser update fixes {x} flaw', 'The vendor patched a memory bug.'],
  ['{x} startup raises funding for security tools', 'Investors backed the seed round.'],
  ['Phishing kit targets {x} shoppers', 'Fraudsters stole card numbers.'],
  ['{x} weather turns stormy', 'Forecasters expect rain.'],
];
const PLACES = ['Danish', 'Polish', 'Dutch', 'Czech', 'Finnish', 'Greek', 'Irish', 'Swiss'];

function labelled(offset: number, n: number): string {
  const lines: string[] = [];
  for (let i = offset; i < offset + n; i++) {
    const place = PLACES[i % PLACES.length]!;
    const rel = i % 3 === 0;
    const [t, d] = (rel ? RELEVANT[i % RELEVANT.length] : IRRELEVANT[i % IRRELEVANT.length])!;
    lines.push(JSON.stringify({ id: `s${i}`, label: rel ? 1 : 0, title: `${t!.replace('{x}', place)} (${i})`, description: d }));
  }
  return lines.join('\n') + '\n';
}

const TRAIN = write('train.jsonl', labelled(0, 90));
const CHECK = write('check.jsonl', labelled(500, 30));

async function run(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env, cwd: dir });
  return { code, out, err };
}

const FAST = ['--folds', '3', '--repeats', '1', '--no-nested'];

describe('cyberbrief model fit', () => {
  it('fits, checks on held-out labels, writes the weights and a card, and does it again byte for byte', async () => {
    const a = await run(['model', 'fit', '--labels', TRAIN, '--check', CHECK, '--out', path.join(dir, 'a.json'), ...FAST]);
    expect(a.err).toEqual([]);
    expect(a.code).toBe(0);
    expect(a.out[0]).toBe(`model fit: 90 labelled stories (30 relevant); ${defaultGrid().length} configurations, 3-fold cross-validation x 1, seed 1.`);
    expect(a.out.some((l) => l.startsWith('cross-validated: ') && /F1 \d\.\d{3}/.test(l))).toBe(true);
    expect(a.out.some((l) => l.startsWith('checked on check.jsonl (30):'))).toBe(true);
    const model = JSON.parse(readFileSync(path.join(dir, 'a.json'), 'utf8'));
    expect(model).toMatchObject({ format: 'cyberbrief-relevance-model', version: 1, seed: 1, data: { labels: [{ file: 'train.jsonl', items: 90, positive: 30 }], feedback: 0 } });
    expect(model.figures.checked[0]).toMatchObject({ file: 'check.jsonl', items: 30 });
    expect(model.figures.checked[0].metrics.f1).toBeGreaterThan(0.8);
    const card = readFileSync(path.join(dir, 'a.md'), 'utf8');
    expect(card).toContain('# Model card: cyberbrief relevance scorer');
    expect(card).toContain('checked on `check.jsonl` (30 items, not used to fit or choose)');

    await run(['model', 'fit', '--labels', TRAIN, '--check', CHECK, '--out', path.join(dir, 'b.json'), ...FAST]);
    expect(readFileSync(path.join(dir, 'b.json'), 'utf8')).toBe(readFileSync(path.join(dir, 'a.json'), 'utf8'));
    const other = await run(['model', 'fit', '--labels', TRAIN, '--out', path.join(dir, 'c.json'), '--seed', '2', ...FAST]);
    expect(other.code).toBe(0);
  });

  it('counts the cross-validated decisions per label file when there are several, adding up to the pooled figure', async () => {
    const lines = readFileSync(TRAIN, 'utf8').split('\n').filter(Boolean);
    const first = write('first.jsonl', lines.slice(0, 60).join('\n') + '\n');
    const second = write('second.jsonl', lines.slice(60).join('\n') + '\n');
    const r = await run(['model', 'fit', '--labels', first, '--labels', second, '--out', path.join(dir, 'two.json'), ...FAST]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const at = r.out.findIndex((l) => l.startsWith('cross-validated: '));
    expect(r.out[at + 1]).toMatch(/^ {2}of which first\.jsonl \(60\): +precision \d\.\d{3}/);
    expect(r.out[at + 2]).toMatch(/^ {2}of which second\.jsonl \(30\): +precision \d\.\d{3}/);
    const cv = JSON.parse(readFileSync(path.join(dir, 'two.json'), 'utf8')).figures.cross_validated;
    expect(cv.by_source.map((s: { source: string; items: number }) => [s.source, s.items])).toEqual([['first.jsonl', 60], ['second.jsonl', 30]]);
    for (const k of ['tp', 'fp', 'fn'] as const) expect(cv.by_source[0].metrics[k] + cv.by_source[1].metrics[k]).toBe(cv.metrics[k]);
    expect(readFileSync(path.join(dir, 'two.md'), 'utf8')).toContain('| of which `second.jsonl` (30 items) |');
    // One file: no per-source figures (a fit of its own; the first case's a.json may not be written yet).
    expect((await run(['model', 'fit', '--labels', TRAIN, '--out', path.join(dir, 'one.json'), ...FAST])).code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, 'one.json'), 'utf8')).figures.cross_validated.by_source).toBeUndefined();
  });

  it('looks stories up by id in --items, and writes nothing with --dry-run', async () => {
    const ids = write('ids.jsonl', readFileSync(TRAIN, 'utf8').split('\n').filter(Boolean).map((l) => JSON.stringify({ id: JSON.parse(l).id, label: JSON.parse(l).label })).join('\n'));
    const items = write('items.jsonl', readFileSync(TRAIN, 'utf8'));
    const r = await run(['model', 'fit', '--labels', ids, '--items', items, '--out', path.join(dir, 'dry.json'), '--dry-run', ...FAST]);
    expect(r.code).toBe(0);
    expect(r.out.at(-1)).toBe(`model fit: dry run; ${path.join(dir, 'dry.json')} was not changed.`);
    expect(existsSync(path.join(dir, 'dry.json'))).toBe(false);
  });

  it.each([
    { name: 'no labels', argv: ['model', 'fit'], error: "cyberbrief model fit: give --labels FILE (labelled stories), or --with-feedback to refit from this deployment's verdicts." },
    { name: 'a label that is not 0 or 1', argv: ['model', 'fit', '--labels', write('bad.jsonl', '{"id":"a","label":2,"title":"x"}\n')], error: `cyberbrief model fit: ${path.join(dir, 'bad.jsonl')}:1 needs a string "id" and a "label" of 0 or 1.` },
    { name: 'a label without text or --items', argv: ['model', 'fit', '--labels', write('bare.jsonl', '{"id":"a","label":1}\n')], error: `cyberbrief model fit: ${path.join(dir, 'bare.jsonl')}: a has no "title"; give --items FILE to look stories up by id.` },
    { name: 'a story labelled twice', argv: ['model', 'fit', '--labels', write('twice.jsonl', '{"id":"a","label":1,"title":"x"}\n{"id":"a","label":0,"title":"x"}\n')], error: `cyberbrief model fit: ${path.join(dir, 'twice.jsonl')} labels a twice; keep one line per story.` },
    { name: 'too few stories', argv: ['model', 'fit', '--labels', write('few.jsonl', '{"id":"a","label":1,"title":"x"}\n')], error: 'cyberbrief model: 1 labelled stories are too few for 5-fold cross-validation.' },
    { name: 'a bad --folds', argv: ['model', 'fit', '--labels', TRAIN, '--folds', '1'], error: 'cyberbrief model fit: --folds 1 is invalid; expected a whole number from 2 to 20.' },
    { name: 'an unknown subcommand', argv: ['model', 'train'], error: 'cyberbrief model: unknown subcommand "train"; use fit or show.' },
  ])('refuses $name in one sentence', async ({ argv, error }) => {
    const r = await run(argv);
    expect(r.code).not.toBe(0);
    expect(r.out).toEqual([]);
    expect(r.err).toEqual([error]);
  });
});

describe('cyberbrief model show', () => {
  it('describes the shipped model', async () => {
    const r = await run(['model', 'show']);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/relevance-model\.json: fitted \d{4}-\d{2}-\d{2}, seed \d+, threshold 0\.\d+( \(0\.\d+ without a rule match\))?, \d+ weights$/);
    expect(r.out.some((l) => l.startsWith('cross-validated:  precision '))).toBe(true);
  });
});

describe('cyberbrief model fit --with-feedback', () => {
  const dbDir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-model-db-'));
  const dbFile = path.join(dbDir, 'bot.db');
  afterAll(() => undefined);

  it('refuses, in one sentence and writing nothing, when the deployment has too few verdicts', async () => {
    // A deployment's database with no verdicts (a file that is not there is refused: missing-sqlite-file.test.ts).
    const empty = path.join(dbDir, 'empty.db');
    await (await openStorage(empty)).close();
    const r = await run(['model', 'fit', '--with-feedback', '--out', path.join(dir, 'none.json'), ...FAST], { DATABASE_URL: empty });
    expect(r).toEqual({
      code: 2,
      out: [],
      err: ['cyberbrief model fit: this deployment has feedback verdicts on 0 stories, too few to refit on (at least 6, 3 of them relevant and 3 not, for 3-fold cross-validation); collect more Relevant / Not relevant clicks, or give --labels FILE too.'],
    });
    expect(existsSync(path.join(dir, 'none.json'))).toBe(false);
  });

  it("refits the current model toward this deployment's verdicts, reporting the figures first", async () => {
    const storage = await openStorage(dbFile);
    try {
      const t0 = new Date('2026-11-01T00:00:00Z');
      const stories = labelled(1000, 30).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; label: 0 | 1; title: string; description: string });
      const { itemIds } = await seedFeed(storage, { url: 'https://feed.example/rss', title: 'Wire' }, stories.map((s) => ({ key: s.id, title: s.title, summary: s.description })), t0);
      const channel = await seedChannel(storage, 'slack', 'C1', []);
      const alerts = await seedAlerts(storage, channel, itemIds, t0);
      for (let i = 0; i < itemIds.length; i++) {
        const a = (await storage.alerts.forCluster((await storage.stories.byAlert(alerts[i]!))!.clusterId!))[0]!;
        await storage.feedback.record({ channelId: channel, clusterId: a.clusterId, itemId: itemIds[i]!, alertId: a.id, userId: 'U1', verdict: stories[i]!.label ? 'relevant' : 'not_relevant', at: t0 });
      }
    } finally {
      await storage.close();
    }
    // The topics in force differ from the ones the model was fitted with: the refit keeps reading its features
    // with the fitted rules (its weights are the prior), and keeps them in the new file.
    const topicsFile = write('other-topics.yaml', 'topics:\n  - {id: spying, name: Spying, description: x, threshold: 1, terms: [espionage]}\n');
    const configFile = write('feedback-config.yaml', `topics: {file: ${JSON.stringify(topicsFile)}}\n`);
    const r = await run(['model', 'fit', '--with-feedback', '--out', path.join(dir, 'fb.json'), ...FAST], { DATABASE_URL: dbFile, CYBERBRIEF_CONFIG: configFile });
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe('model fit: 30 stories with feedback verdicts from this deployment.');
    expect(r.out[1]).toMatch(/^current model on the feedback: +precision \d\.\d{3} {2}recall \d\.\d{3} {2}F1 \d\.\d{3}/);
    const model = JSON.parse(readFileSync(path.join(dir, 'fb.json'), 'utf8'));
    const shipped = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '..', '..', 'config', 'relevance-model.json'), 'utf8'));
    expect(model.data.feedback).toBe(30);
    expect(model.threshold).toBe(shipped.threshold);
    expect(model.config).toEqual(shipped.config);
    expect(model.weights).not.toEqual(shipped.weights);
    expect(model.rules).toEqual(shipped.rules);
    expect(model.topics).toEqual(shipped.topics);
  });
});
