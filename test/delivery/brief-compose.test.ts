import { describe, expect, it } from 'vitest';
import { composeBrief, KEYWORDS_GROUP, oneLine, rankStories, type BriefStoryInput, type ComposeInput } from '../../src/delivery/brief-compose.ts';
import { EVERY_TOPIC } from '../../src/domain/following.ts';

const at = new Date('2026-03-02T05:00:00Z');
let n = 0;
function story(o: Partial<BriefStoryInput> & { title: string }): BriefStoryInput {
  n += 1;
  return { alertId: n, url: `https://news.example/${n}`, source: 'Wire', summary: `${o.title}. More detail follows here.`, relevance: null, outlets: 1, topics: [{ topicId: 'espionage', score: 5 }], coverage: [], createdAt: at, ...o };
}

const base = (stories: BriefStoryInput[], o: Partial<ComposeInput> = {}): ComposeInput => ({
  kind: 'brief',
  schedule: { every: 'daily', weekday: null, time: { hour: 8, minute: 0, second: 0 }, zone: 'Europe/Berlin' },
  quiet: null,
  periodStart: new Date('2026-03-01T07:00:00Z'),
  periodEnd: new Date('2026-03-02T07:00:00Z'),
  stories,
  subscriptions: ['espionage', 'talks'],
  topics: [{ id: 'espionage', name: 'State cyberespionage' }, { id: 'talks', name: 'Cyber talks' }, { id: 'crime', name: 'Cybercrime' }],
  limits: { maxStories: 20, perTopic: 5 },
  ...o,
});

describe('rankStories: relevance score (two decimals), then outlets', () => {
  it.each([
    { name: 'higher relevance first', a: { relevance: 0.91 }, b: { relevance: 0.62 }, first: 'a' },
    { name: 'equal to two decimals: more outlets first', a: { relevance: 0.814, outlets: 1 }, b: { relevance: 0.811, outlets: 3 }, first: 'b' },
    { name: 'more outlets never beat a clearly higher score', a: { relevance: 0.9, outlets: 1 }, b: { relevance: 0.8, outlets: 4 }, first: 'a' },
    { name: 'a score beats none (rules alone)', a: { relevance: null, outlets: 5 }, b: { relevance: 0.3, outlets: 1 }, first: 'b' },
    { name: 'no scores: outlets, then topic score', a: { relevance: null, outlets: 2, topics: [{ topicId: 'espionage', score: 3 }] }, b: { relevance: null, outlets: 2, topics: [{ topicId: 'espionage', score: 9 }] }, first: 'b' },
  ])('$name', ({ a, b, first }) => {
    const sa = story({ title: 'A', ...a });
    const sb = story({ title: 'B', ...b });
    expect(rankStories([sa, sb])[0]!.title).toBe(first.toUpperCase());
    expect(rankStories([sb, sa])[0]!.title).toBe(first.toUpperCase());
  });
});

describe('composeBrief', () => {
  it('groups stories under the channel topic they matched best, keywords last, groups in the order of their best story', () => {
    const view = composeBrief(
      base([
        story({ title: 'Talks resume', relevance: 0.7, topics: [{ topicId: 'talks', score: 6 }] }),
        story({ title: 'Spies charged', relevance: 0.95, outlets: 3, coverage: [{ source: 'Beta', title: 'Spies charged (Beta)', url: 'https://beta.example/1' }] }),
        // Matched a topic the channel does not follow better, and one it follows: filed under the followed one.
        story({ title: 'Ransom and spying', relevance: 0.8, topics: [{ topicId: 'crime', score: 9 }, { topicId: 'espionage', score: 4 }] }),
        // Came through the channel's keywords alone.
        story({ title: 'Router ban', relevance: 0.5, topics: [] }),
      ]),
    );
    expect(view.groups.map((g) => [g.label, g.stories.map((s) => s.title)])).toEqual([
      ['State cyberespionage', ['Spies charged', 'Ransom and spying']],
      ['Cyber talks', ['Talks resume']],
      [KEYWORDS_GROUP, ['Router ban']],
    ]);
    const top = view.groups[0]!.stories[0]!;
    expect(top).toMatchObject({ relevance: 0.95, outlets: 3, summary: 'Spies charged.', alsoCoveredBy: [{ source: 'Beta', title: 'Spies charged (Beta)', url: 'https://beta.example/1' }] });
    expect(view).toMatchObject({ kind: 'brief', title: 'Daily brief', total: 4, more: 0, footer: 'That is everything that matched in this period.' });
    expect(view.subtitle).toBe('Mon 2 Mar 2026 08:00 Europe/Berlin · 4 stories since Sun 1 Mar 2026 08:00 Europe/Berlin · ranked by relevance, then by outlets');
  });

  it('files a story under the topic it matched best when the channel follows every topic', () => {
    const view = composeBrief(
      base(
        [
          story({ title: 'Ransom and spying', relevance: 0.8, topics: [{ topicId: 'crime', score: 9 }, { topicId: 'espionage', score: 4 }] }),
          story({ title: 'Router ban', relevance: 0.5, topics: [] }),
        ],
        { subscriptions: [EVERY_TOPIC] },
      ),
    );
    expect(view.groups.map((g) => [g.label, g.stories.map((s) => s.title)])).toEqual([
      ['Cybercrime', ['Ransom and spying']],
      [KEYWORDS_GROUP, ['Router ban']],
    ]);
  });

  it('shows at most per_topic a group and max_stories in all, and counts the rest', () => {
    const stories = [
      ...Array.from({ length: 8 }, (_, i) => story({ title: `Spy ${i}`, relevance: 0.9 - i / 100 })),
      ...Array.from({ length: 4 }, (_, i) => story({ title: `Talk ${i}`, relevance: 0.5 - i / 100, topics: [{ topicId: 'talks', score: 3 }] })),
    ];
    const view = composeBrief(base(stories, { limits: { maxStories: 7, perTopic: 5 } }));
    expect(view.groups.map((g) => [g.label, g.stories.length, g.more])).toEqual([
      ['State cyberespionage', 5, 3],
      ['Cyber talks', 2, 2],
    ]);
    expect(view.groups[0]!.stories.map((s) => s.title)).toEqual(['Spy 0', 'Spy 1', 'Spy 2', 'Spy 3', 'Spy 4']);
    expect(view).toMatchObject({ total: 12, more: 5, footer: '5 more stories matched in this period; /news latest shows the newest.' });
  });

  it('says so when nothing matched, and names a quiet-hours release as such', () => {
    expect(composeBrief(base([])).footer).toBe("No new stories matched this channel's topics or keywords since Sun 1 Mar 2026 08:00 Europe/Berlin.");
    const q = composeBrief(
      base([story({ title: 'Night story' })], {
        kind: 'quiet',
        quiet: { start: { hour: 22, minute: 0, second: 0 }, end: { hour: 7, minute: 0, second: 0 }, zone: 'Europe/Berlin' },
        periodStart: new Date('2026-03-01T21:00:00Z'),
        periodEnd: new Date('2026-03-02T06:00:00Z'),
      }),
    );
    expect(q).toMatchObject({ title: 'While this channel was quiet', subtitle: '1 story held during quiet hours (22:00-07:00 Europe/Berlin), up to Mon 2 Mar 2026 07:00 Europe/Berlin' });
  });

  it('keeps feed text as it came (adapters escape it), one line of summary', () => {
    const view = composeBrief(base([story({ title: '@everyone <!channel> [x](https://evil.example)', summary: 'First sentence here. Second one.' })]));
    expect(view.groups[0]!.stories[0]!).toMatchObject({ title: '@everyone <!channel> [x](https://evil.example)', summary: 'First sentence here.' });
  });
});

describe('oneLine', () => {
  it.each([
    ['The U.S. and China agreed to talks. Officials said more.', 'The U.S. and China agreed to talks.'],
    ['No full stop at all', 'No full stop at all'],
    [`${'word '.repeat(80)}end.`, `${'word '.repeat(43).trim()}…`],
    // Characters as people count them (code points): an emoji is one, and is never cut in half. With no
    // space to cut at, the 219 characters kept end with the satellite (its variation selector is the 220th).
    [`${'x'.repeat(218)}🛰️ and more`, `${'x'.repeat(218)}🛰…`],
    [`${'x'.repeat(219)}🛰 and more`, `${'x'.repeat(219)}…`],
    // 150 emoji are 300 code units but 150 characters: within the 220.
    [`${'🛰'.repeat(150)}`, `${'🛰'.repeat(150)}`],
    [`${'🛰'.repeat(300)}`, `${'🛰'.repeat(219)}…`],
    [`${'word '.repeat(40)}${'😀'.repeat(20)}`, `${'word '.repeat(40)}${'😀'.repeat(20)}`],
    [`${'word '.repeat(40)}${'😀'.repeat(21)}`, `${'word '.repeat(40).trim()}…`],
  ])('%j -> %j', (text, want) => {
    const got = oneLine(text);
    expect(got).toBe(want);
    expect(Array.from(got).length).toBeLessThanOrEqual(220);
    expect(got).not.toMatch(/\p{Cs}/u);
  });
});
