// Briefs for rendering tests: a small one, one far over every platform's message limits, and one whose
// feed text tries to mention everyone and forge links.
import type { BriefStoryView, BriefView } from '../../src/domain/chat.ts';

const pad = (n: number) => String(n).padStart(3, '0');
export const marker = (n: number) => `T${pad(n)}x`;

export function bigBrief(stories = 60, groups = 4): BriefView {
  const long = (n: number, what: string) => `https://news.example/${what}/${n}/${'p'.repeat(1800)}`;
  const story = (n: number): BriefStoryView => ({
    title: `${marker(n)} ${'Long headline words '.repeat(12)}`.slice(0, 250),
    url: long(n, 'a'),
    source: `Outlet ${n}`,
    summary: `${'A long summary sentence with many words in it '.repeat(6)}`.slice(0, 280),
    alsoCoveredBy: [1, 2, 3, 4, 5].map((k) => ({ source: `Other ${k}`, title: `Other take ${k}`, url: long(n * 10 + k, 'b') })),
    relevance: 0.9,
    outlets: 6,
  });
  let n = 0;
  return {
    kind: 'brief',
    title: 'Daily brief',
    subtitle: 'Mon 2 Mar 2026 08:00 Europe/Berlin · 80 stories since Sun 1 Mar 2026 08:00 Europe/Berlin · ranked by relevance, then by outlets',
    groups: Array.from({ length: groups }, (_, g) => ({
      topic: { id: `t${g}`, name: `Topic ${g}` },
      label: `Topic ${g}`,
      stories: Array.from({ length: stories / groups }, () => story((n += 1))),
      more: 3,
    })),
    more: 20,
    total: stories + 20,
    footer: '20 more stories matched in this period; /news latest shows the newest.',
  };
}

export const smallBrief: BriefView = {
  kind: 'brief',
  title: 'Daily brief',
  subtitle: 'Mon 2 Mar 2026 08:00 Europe/Berlin · 2 stories since Sun 1 Mar 2026 08:00 Europe/Berlin · ranked by relevance, then by outlets',
  groups: [
    {
      topic: { id: 'espionage', name: 'State cyberespionage' },
      label: 'State cyberespionage',
      stories: [
        { title: 'Spies charged', url: 'https://news.example/1', source: 'Alpha', summary: 'Four officers were charged.', alsoCoveredBy: [{ source: 'Beta', title: 'Spies charged (Beta)', url: 'https://beta.example/1' }], relevance: 0.93, outlets: 2 },
        { title: 'Ministry breached', url: null, source: 'Gamma', summary: 'A ministry found intruders.', alsoCoveredBy: [], relevance: null, outlets: 1 },
      ],
      more: 0,
    },
  ],
  more: 0,
  total: 2,
  footer: 'That is everything that matched in this period.',
};

export const hostileBrief: BriefView = {
  ...smallBrief,
  groups: [
    {
      topic: null,
      label: 'Your keywords @everyone',
      stories: [
        {
          title: 'Breaking @everyone <!channel> <@U0ADMIN> [click](https://evil.example) **bold**',
          url: 'javascript:alert(1)',
          source: '<!here> Evil *Wire*',
          summary: '@here see <https://evil.example|your bank> and [login](https://evil.example/x) > quote',
          alsoCoveredBy: [{ source: '@everyone Mirror', title: 'x', url: 'https://mirror.example/a)b' }],
          relevance: 0.5,
          outlets: 2,
        },
      ],
      more: 0,
    },
  ],
};
