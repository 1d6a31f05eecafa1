import { describe, expect, it } from 'vitest';
import { escapeLabelValue, MetricsRegistry, renderMetrics } from '../../src/lib/metrics.ts';

describe('escapeLabelValue', () => {
  it.each([
    ['plain', 'new', 'new'],
    ['double quote', 'say "hi"', 'say \\"hi\\"'],
    ['backslash', 'C:\\feeds', 'C:\\\\feeds'],
    ['line feed', 'a\nb', 'a\\nb'],
    ['all three, backslash first', '\\"\n', '\\\\\\"\\n'],
    ['unicode kept', 'Zürich 東京', 'Zürich 東京'],
  ])('%s', (_name, input, escaped) => {
    expect(escapeLabelValue(input)).toBe(escaped);
  });
});

describe('renderMetrics', () => {
  it('writes HELP and TYPE before the samples, labels in order, escaped help text', () => {
    const text = renderMetrics([
      { name: 'x_total', help: 'Counts x.\nSecond line \\ here.', type: 'counter', samples: [{ value: 3 }] },
      { name: 'y', help: 'Y.', type: 'gauge', samples: [{ labels: { a: '1', b: 'q"uote' }, value: 0.5 }, { labels: { a: '2', b: '' }, value: -Infinity }, { value: NaN }] },
      { name: 'z', help: 'No samples yet.', type: 'gauge', samples: [] },
    ]);
    expect(text).toBe(
      [
        '# HELP x_total Counts x.\\nSecond line \\\\ here.',
        '# TYPE x_total counter',
        'x_total 3',
        '# HELP y Y.',
        '# TYPE y gauge',
        'y{a="1",b="q\\"uote"} 0.5',
        'y{a="2",b=""} -Inf',
        'y NaN',
        '# HELP z No samples yet.',
        '# TYPE z gauge',
        '',
      ].join('\n'),
    );
  });

  it.each([
    ['a metric name with a dash', [{ name: 'bad-name', help: '', type: 'gauge' as const, samples: [] }], /metric name 'bad-name'/],
    ['a label name with a dot', [{ name: 'ok', help: '', type: 'gauge' as const, samples: [{ labels: { 'feed.id': '1' }, value: 1 }] }], /label name 'feed.id'/],
    ['a reserved label name', [{ name: 'ok', help: '', type: 'gauge' as const, samples: [{ labels: { __name__: 'x' }, value: 1 }] }], /label name '__name__'/],
  ])('refuses %s', (_name, families, error) => {
    expect(() => renderMetrics(families)).toThrow(error);
  });
});

describe('MetricsRegistry', () => {
  it('counts per label set whatever the key order, exposes initial series at 0, and only goes up', () => {
    const reg = new MetricsRegistry();
    const polls = reg.counter('polls_total', 'Polls.', [{ outcome: 'new' }, { outcome: 'error' }]);
    const plain = reg.counter('sent_total', 'Sent.');
    polls.inc({ outcome: 'error' });
    polls.inc({ outcome: 'error' }, 2);
    polls.inc({ outcome: 'new', feed: '7' });
    polls.inc({ feed: '7', outcome: 'new' });
    plain.inc();
    expect(polls.get({ outcome: 'error' })).toBe(3);
    expect(polls.get({ outcome: 'new' })).toBe(0);
    expect(polls.get({ feed: '7', outcome: 'new' })).toBe(2);
    expect(() => polls.inc({ outcome: 'new' }, -1)).toThrow(/only go up/);
    expect(() => reg.counter('polls_total', 'again')).toThrow(/registered twice/);
    expect(renderMetrics(reg.collect())).toBe(
      [
        '# HELP polls_total Polls.',
        '# TYPE polls_total counter',
        'polls_total{outcome="new"} 0',
        'polls_total{outcome="error"} 3',
        'polls_total{outcome="new",feed="7"} 2',
        '# HELP sent_total Sent.',
        '# TYPE sent_total counter',
        'sent_total 1',
        '',
      ].join('\n'),
    );
  });

  it('collect returns copies: a later increment does not change an earlier snapshot', () => {
    const reg = new MetricsRegistry();
    const c = reg.counter('c_total', 'C.');
    c.inc();
    const before = reg.collect();
    c.inc();
    expect(before[0]!.samples).toEqual([{ value: 1 }]);
    expect(reg.collect()[0]!.samples).toEqual([{ value: 2 }]);
  });
});
