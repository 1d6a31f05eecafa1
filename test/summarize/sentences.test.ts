import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../src/summarize/index.ts';

describe('splitSentences', () => {
  const cases: Array<{ name: string; text: string; want: string[] }> = [
    {
      name: 'titles and months before names and numbers',
      text: 'Dr. Smith met Gen. Jones and Sen. Lee on Jan. 5. They talked for an hour.',
      want: ['Dr. Smith met Gen. Jones and Sen. Lee on Jan. 5.', 'They talked for an hour.'],
    },
    {
      name: 'U.S. inside a sentence and at its end',
      text: 'The U.S. Treasury acted. He moved to the U.S. The next day he left. Talks with the U.S. in 2015 failed.',
      want: ['The U.S. Treasury acted.', 'He moved to the U.S.', 'The next day he left.', 'Talks with the U.S. in 2015 failed.'],
    },
    {
      name: 'initials and dotted names',
      text: 'T.J. Maxx pulled a shirt. J. R. R. Tolkien wrote it. George W. Bush spoke.',
      want: ['T.J. Maxx pulled a shirt.', 'J. R. R. Tolkien wrote it.', 'George W. Bush spoke.'],
    },
    {
      name: 'decimals, money and versions stay whole',
      text: 'Profits rose 3.5% to $1.13bn. Version 2.0.1 shipped at 10 a.m. on Monday. No. 1 seed lost.',
      want: ['Profits rose 3.5% to $1.13bn.', 'Version 2.0.1 shipped at 10 a.m. on Monday.', 'No. 1 seed lost.'],
    },
    {
      name: 'quotes and question marks',
      text: '"I know this." Officials cannot verify it. "Is it true?" she asked. He left... Then he came back!',
      want: ['"I know this."', 'Officials cannot verify it.', '"Is it true?" she asked.', 'He left...', 'Then he came back!'],
    },
    {
      name: 'curly quotes',
      text: '“We will respond,” the minister said. “Nobody is above the law.” Critics disagreed.',
      want: ['“We will respond,” the minister said.', '“Nobody is above the law.”', 'Critics disagreed.'],
    },
    {
      name: 'HTML leftovers: tags, entities, scripts, block breaks',
      text: '<p>First part &amp; more<br>Heading</p><script>var a = "x. Y";</script><p>Second&nbsp;para here. Third &#8220;one&#8221;.</p>',
      want: ['First part & more', 'Heading', 'Second para here.', 'Third “one”.'],
    },
    {
      name: 'a heading line, then sentences one per line',
      text: 'Ad sales boost profit\n\nQuarterly profits jumped.\nThe firm benefited.\n',
      want: ['Ad sales boost profit', 'Quarterly profits jumped.', 'The firm benefited.'],
    },
    {
      name: 'hard-wrapped lines are joined',
      text: 'The committee met on\nThursday to discuss the\nattack. It ended late.',
      want: ['The committee met on Thursday to discuss the attack.', 'It ended late.'],
    },
    {
      name: 'lowercase after a period is not a new sentence',
      text: 'See example.com for details. The vs. match ended e.g. in a draw.',
      want: ['See example.com for details.', 'The vs. match ended e.g. in a draw.'],
    },
    { name: 'empty and punctuation-only input', text: '  <p> </p> ... ', want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(splitSentences(c.text)).toEqual(c.want);
    });
  }
});
