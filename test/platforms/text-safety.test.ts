// Feed text must never mention anyone or forge a link, whatever it contains. Every renderer is fed the
// same nasty inputs; each platform's inert form is asserted, and the output is checked for the live syntax.
import { describe, expect, it } from 'vitest';
import { cleanMentions, discordLink, escapeDiscordMarkdown, feedMarkdown, feedPlain, replyMarkdown } from '../../src/platforms/discord/escape.ts';
import { storyMessage as discordStory } from '../../src/platforms/discord/embeds.ts';
import { replyMessages as discordReplies } from '../../src/platforms/discord/reply-messages.ts';
import { escapeMrkdwn, escapeReplyMrkdwn, feedMrkdwn, slackLink } from '../../src/platforms/slack/escape.ts';
import { storyMessage as slackStory, replyMessages as slackReplies } from '../../src/platforms/slack/blocks.ts';
import { linesThatFit, linesWithin, safeHttpUrl, stripInvisible, truncate } from '../../src/platforms/text.ts';
import type { StoryView } from '../../src/domain/chat.ts';

const NASTY = [
  { name: '@everyone', input: 'Breaking @everyone read this' },
  { name: '@here', input: 'ping @here now' },
  { name: 'Slack <!channel>', input: 'alert <!channel> spies' },
  { name: 'Slack <!here|here>', input: 'x <!here|here> y' },
  { name: 'Slack user mention', input: 'hi <@U123ABC>' },
  { name: 'Slack link forgery', input: 'see <https://evil.example|click here for the official statement>' },
  { name: 'Slack subteam', input: '<!subteam^S123|@security>' },
  { name: 'Discord user mention', input: 'hi <@123456789012345678> and <@!123456789012345678>' },
  { name: 'Discord role mention', input: 'all <@&987654321098765432>' },
  { name: 'markdown link', input: 'read [the official report](https://evil.example/phish)' },
  { name: 'zero-width in @everyone', input: '@\u200beveryone and @e\u200bveryone and @\u2060here' },
  { name: 'zero-width in <!channel>', input: '<\u200b!channel> <!chan\u200dnel>' },
  { name: 'bidi override', input: 'safe \u202Eknil\u202C <@U1>' },
  { name: 'pre-escaped entities', input: '&lt;!channel&gt; &amp;lt;@U1&amp;gt; AT&amp;T' },
  { name: 'upper case', input: '@EVERYONE @Here <!CHANNEL>' },
  { name: 'Slack styling', input: '*URGENT* _official_ ~retracted~ `code` ```block``` *a*_b_' },
  { name: 'quote at a line start', input: '> quoted statement\n  > indented\n>>> rest' },
  { name: 'emoji shortcodes', input: ':rotating_light: BREAKING :flag-us::flag-cn: talks :+1:' },
];

/** Live mention or link syntax a client would act on. */
const SLACK_LIVE = [/<!(channel|here|everyone|subteam)/i, /<@[UW]/, /<https?:/i, /(^|[^\u2060])@(everyone|here|channel)\b/i];
const DISCORD_LIVE = [/(^|[^\u200b])@(everyone|here)/i, /<@[!&]?\d+>/, /(^|[^\\])\[[^\]]*(?<!\\)\]\(/];

describe('stripInvisible', () => {
  it.each([
    ['zero-width space', 'a\u200bb', 'ab'],
    ['word joiner and BOM', '\uFEFFa\u2060b', 'ab'],
    ['bidi controls', 'a\u202Eb\u2066c\u2069', 'abc'],
    ['control characters', 'a\u0000b\u0007c\u009Fd', 'abcd'],
    ['newlines kept, CRLF folded', 'a\r\nb\rc\td', 'a\nb\nc\td'],
    ['ordinary text untouched', 'Café – “quotes” 中文', 'Café – “quotes” 中文'],
  ])('%s', (_n, input, want) => expect(stripInvisible(input)).toBe(want));
});

describe('truncate and safeHttpUrl', () => {
  it('cuts on code points and marks the cut', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('😀😀😀', 2)).toBe('😀…');
    expect(truncate('abc', 3)).toBe('abc');
  });
  it.each([
    ['https://example.com/a?b=1', 'https://example.com/a?b=1'],
    ['http://example.com', 'http://example.com/'],
    ['javascript:alert(1)', null],
    ['data:text/html,x', null],
    ['https://user:pw@example.com/', null],
    ['/relative/path', null],
    ['', null],
    [null, null],
  ])('%s', (input, want) => expect(safeHttpUrl(input)).toBe(want));
});

describe('Slack escaping', () => {
  it.each([
    ['&', '&amp;'],
    ['<>', '&lt;&gt;'],
    ['<!channel>', '&lt;!channel&gt;'],
    ['<@U123>', '&lt;@U123&gt;'],
    ['<https://evil|click>', '&lt;https://evil|click&gt;'],
    ['&amp;', '&amp;amp;'],
    ['@channel @here @everyone', '@\u2060channel @\u2060here @\u2060everyone'],
    ['email@channel.example', 'email@channel.example'.replace('@channel', '@\u2060channel')],
    ['plain text', 'plain text'],
    ['*bold* _it_ ~s~ `c`', '\u2217bold\u2217 \u02CDit\u02CD \u223Cs\u223C \u02CBc\u02CB'],
    ['> quote\na > b', '\u02C3 quote\na &gt; b'],
    ['snake_case a*b x~y stay, _x_ *y* ~z~ go', 'snake_case a*b x~y stay, \u02CDx\u02CD \u2217y\u2217 \u223Cz\u223C go'],
    ['é_ü_1 and (_a_)', 'é_ü_1 and (\u02CDa\u02CD)'],
    ['see https://a.example/x_y*z~1 and *this*', 'see https://a.example/x_y*z~1 and \u2217this\u2217'],
    ['two https://a.example/_a_ https://b.example/`b`', 'two https://a.example/_a_ https://b.example/`b`'],
    // Emoji shortcodes in feed text show as text: their colons become a look-alike (∶) Slack never pairs.
    [':rotating_light: Breaking', '\u2236rotating_light\u2236 Breaking'],
    ['Alert:rotating_light:now', 'Alert\u2236rotating_light\u2236now'],
    [':+1: :-1: :100: :skin-tone-2: :man\'s_shoe:', '\u2236+1\u2236 \u2236-1\u2236 \u2236100\u2236 \u2236skin-tone-2\u2236 \u2236man\'s_shoe\u2236'],
    [':fire::fire:', '\u2236fire\u2236\u2236fire\u2236'],
    ['::smile:: and :a:b:', ':\u2236smile\u2236: and \u2236a\u2236b:'],
    [':café: :東京:', '\u2236café\u2236 \u2236東京\u2236'],
    ['at 10:30:fire: UTC', 'at 10:30\u2236fire\u2236 UTC'],
    // Clock times, ratios, IPv6 addresses and URLs keep their colons.
    ['talks at 10:30, 10:30:45 and 09:00:00 UTC', 'talks at 10:30, 10:30:45 and 09:00:00 UTC'],
    ['Quiet hours: 22:00-07:00 Europe/Berlin, 9:00-17:00:30 and 08:00–09:00:', 'Quiet hours: 22:00-07:00 Europe/Berlin, 9:00-17:00:30 and 08:00–09:00:'],
    ['score 3:1:0 and Note: this: that', 'score 3:1:0 and Note: this: that'],
    ['hosts 2001:db8:85a3::8a2e:370:7334, fe80::1:2 and ::1', 'hosts 2001:db8:85a3::8a2e:370:7334, fe80::1:2 and ::1'],
    ['see https://a.example/:smile:/x and http://b.example:8080/a:b:c', 'see https://a.example/:smile:/x and http://b.example:8080/a:b:c'],
    ['Time: 10:30: talks', 'Time: 10:30: talks'],
  ])('escapeMrkdwn(%j)', (input, want) => expect(escapeMrkdwn(input)).toBe(want));

  it.each(NASTY)('feed text "$name" is inert', ({ input }) => {
    const out = feedMrkdwn(input, 500);
    for (const live of SLACK_LIVE) expect(out).not.toMatch(live);
    expect(out).not.toMatch(/[<>]/);
    // Nothing Slack would style or quote (these inputs' URLs hold none of these characters).
    expect(out).not.toMatch(/(^|[^\p{L}\p{N}])[*_~]|[*_~]($|[^\p{L}\p{N}])|`/u);
    expect(out).not.toMatch(/^\s*&gt;/m);
    // No emoji shortcode (these inputs have no times or addresses).
    expect(out).not.toMatch(/:[\p{L}\p{N}_+'-]+:/u);
  });

  it.each([
    { name: 'plain URL', url: 'https://a.example/x', label: 'Title', want: '<https://a.example/x|Title>' },
    { name: 'pipe and ampersand in URL', url: 'https://a.example/x?a=1&b=|2', label: 'T', want: '<https://a.example/x?a=1&amp;b=%7C2|T>' },
    { name: 'angle brackets in label', url: 'https://a.example/', label: 'a > b <@U1>', want: '<https://a.example/|a &gt; b &lt;@U1&gt;>' },
    { name: 'javascript URL', url: 'javascript:alert(1)', label: 'x', want: 'x' },
    { name: 'no URL', url: null, label: '<!channel>', want: '&lt;!channel&gt;' },
  ])('slackLink $name', ({ url, label, want }) => expect(slackLink(url, label)).toBe(want));
});

describe('Discord escaping', () => {
  it.each([
    ['@everyone', '@\u200beveryone'],
    ['@here', '@\u200bhere'],
    ['<@123>', '@\u200b123'],
    ['<@!123>', '@\u200b123'],
    ['<@&456>', '@\u200brole'],
    ['<#789>', '#\u200b789'],
    ['email@example.com', 'email@example.com'],
  ])('cleanMentions(%j)', (input, want) => expect(cleanMentions(input)).toBe(want));

  it.each([
    ['[x](https://evil)', '\\[x\\]\\(https://evil\\)'],
    ['**bold** __u__ ~~s~~ `code` ||spoiler||', '\\*\\*bold\\*\\* \\_\\_u\\_\\_ \\~\\~s\\~\\~ \\`code\\` \\|\\|spoiler\\|\\|'],
    ['# heading\n- item\n> quote', '\\# heading\n\\- item\n\\> quote'],
    ['a\\b', 'a\\\\b'],
    ['1. first', '1\\. first'],
  ])('escapeDiscordMarkdown(%j)', (input, want) => expect(escapeDiscordMarkdown(input)).toBe(want));

  it.each(NASTY)('feed text "$name" is inert', ({ input }) => {
    for (const out of [feedMarkdown(input, 500), feedPlain(input, 500)]) {
      for (const live of DISCORD_LIVE.slice(0, 2)) expect(out).not.toMatch(live);
    }
    expect(feedMarkdown(input, 500)).not.toMatch(DISCORD_LIVE[2]!);
  });

  it.each([
    { url: 'https://a.example/x_(y)', label: 'Src', want: '[Src](https://a.example/x_%28y%29)' },
    { url: 'https://a.example/', label: '[fake](https://evil)', want: '[\\[fake\\]\\(https://evil\\)](https://a.example/)' },
    { url: 'ftp://a.example/', label: 'Src', want: 'Src' },
  ])('discordLink($url, $label)', ({ url, label, want }) => expect(discordLink(url, label)).toBe(want));
});

describe('Discord command replies quoting feed text', () => {
  it.each([
    { name: 'masked link in a title', input: '3. [Official statement](https://evil.example/phish) https://feed.example/rss (global)', want: '3\\. \\[Official statement\\]\\(<https://evil.example/phish>\\) <https://feed.example/rss> \\(global\\)' },
    { name: 'URL with markdown characters stays one literal link', input: 'see https://a.example/x_y*z~(1)', want: 'see <https://a.example/x_y*z~%281%29>' },
    { name: 'sentence punctuation after a URL is text', input: 'Removed feed 2: https://a.example/rss.', want: 'Removed feed 2: <https://a.example/rss>.' },
    { name: 'unbalanced closing bracket after a URL is text', input: '(https://a.example/rss)', want: '\\(<https://a.example/rss>\\)' },
    { name: 'heading and quote in a title', input: 'Latest:\n# Breaking\n> quoted', want: 'Latest:\n\\# Breaking\n\\> quoted' },
    { name: 'mentions', input: 'ping @everyone <@123456789012345678> https://a.example/@here', want: 'ping @\u200beveryone @\u200b123456789012345678 <https://a.example/%40here>' },
    { name: 'angle-bracket link forgery', input: '<https://evil.example|x>', want: '\\<<https://evil.example|x>\\>' },
    { name: 'invisible characters', input: 'a\u202Eb [x\u200b](https://e.example)', want: 'ab \\[x\\]\\(<https://e.example>\\)' },
    { name: 'our own text is unchanged in meaning', input: 'Watching 1 feed(s) for this server\'s channels:', want: "Watching 1 feed\\(s\\) for this server's channels:" },
  ])('$name', ({ input, want }) => {
    const out = replyMarkdown(input);
    expect(out).toBe(want);
    expect(out).not.toMatch(DISCORD_LIVE[2]!);
  });

  it.each(NASTY)('feed text "$name" in a reply is inert', ({ input }) => {
    const out = discordReplies({ text: `Latest: "${input}" https://feed.example/rss`, ephemeral: true })[0]!.content!;
    for (const live of DISCORD_LIVE) expect(out).not.toMatch(live);
  });

  it('splits long replies into messages of 2,000 characters at most, never inside a link or an escape, losing nothing', () => {
    for (let pad = 0; pad < 40; pad++) {
      const lines = Array.from({ length: 40 }, (_, i) => `${i}. [t_${i}](https://evil.example/${i}) https://feed.example/${'x'.repeat(pad)}/${i}`);
      const parts = discordReplies({ text: `Watching 40 feed(s):\n${lines.join('\n')}`, ephemeral: true }).map((m) => m.content!);
      expect(parts.length).toBeGreaterThan(1);
      for (const out of parts) {
        expect(out.length).toBeLessThanOrEqual(2000);
        expect(out.split('<').length).toBe(out.split('>').length);
        expect((/\\+$/.exec(out)?.[0].length ?? 0) % 2).toBe(0);
        expect(out).not.toMatch(DISCORD_LIVE[2]!);
      }
      for (let i = 0; i < 40; i++) expect(parts.join('\n')).toContain(`<https://feed.example/${'x'.repeat(pad)}/${i}>`);
    }
  });
});

describe('rendered messages carry no live mention', () => {
  const evil = '@everyone <!channel> <@U1> <@123456789012345678> [click](https://evil.example)';
  const story: StoryView = {
    title: `Spy row ${evil}`,
    url: 'https://news.example/story?a=1&b=2',
    source: `Evil <!here> Source @here`,
    publishedAt: new Date('2026-03-09T14:05:00Z'),
    summary: `Summary ${evil}`,
    fromExcerpt: true,
    topics: [{ id: 'espionage', name: 'State cyberespionage' }],
    alsoCoveredBy: [{ source: `Other @everyone`, title: 'Their take <!here> @here *loud* [click](https://evil.example)', url: 'javascript:alert(1)' }, { source: 'Good', title: 'A good headline', url: 'https://good.example/' }],
  };

  it('Slack blocks', () => {
    const msg = slackStory(story);
    const json = JSON.stringify(msg);
    for (const live of SLACK_LIVE.slice(0, 2)) expect(json).not.toMatch(live);
    expect(json).not.toContain('<https://evil');
    expect(msg.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: expect.stringMatching(/^\*<https:\/\/news\.example\/story\?a=1&amp;b=2\|Spy row @\u2060everyone &lt;!channel&gt;/) } });
    expect(json).toContain('*Good*: <https://good.example/|A good headline>');
    // Another outlet's headline is feed text: escaped, no link from its markup, none from a javascript: URL.
    expect(JSON.stringify(msg.blocks.at(-2))).not.toMatch(/<https:\/\/evil|<javascript|<!here>/);
    expect(json).toContain('<!date^1773065100^{date_short_pretty} {time}|Mon 9 Mar 2026 14:05 UTC>');
    const reply = slackReplies({ text: `Latest ${evil}`, ephemeral: true, stories: [story] })[0]!;
    expect(reply.response_type).toBe('ephemeral');
    for (const live of SLACK_LIVE.slice(0, 2)) expect(JSON.stringify(reply)).not.toMatch(live);
  });

  // Five outlets with 1,500-character URLs: whole lines only, within each platform's limit, no link left open.
  it('"also covered by" keeps whole lines within the limits', () => {
    const long = { ...story, alsoCoveredBy: Array.from({ length: 5 }, (_, i) => ({ source: `Outlet ${i}`, title: `Headline ${i}`, url: `https://o${i}.example/${'a'.repeat(1500)}` })) };
    const blocks = slackStory(long).blocks;
    const also = blocks.flatMap((b) => (b.type === 'context' ? b.elements : [])).map((e) => ('text' in e ? e.text : '')).find((t) => t.startsWith('Also covered by:'))!;
    expect(also.length).toBeLessThanOrEqual(2900);
    expect(also.split('\n').slice(1)).toEqual([0, 1, 2, 3, 4].slice(0, also.split('\n').length - 1).map((i) => `*Outlet ${i}*: <https://o${i}.example/${'a'.repeat(1500)}|Headline ${i}>`));
    expect(also.split('\n').length).toBeGreaterThan(1);
    const field = discordStory(long).embeds[0]!.fields!.find((f) => f.name === 'Also covered by');
    // One line alone is over Discord's 1,024: no field rather than a cut link.
    expect(field).toBeUndefined();
    const shorter = { ...story, alsoCoveredBy: long.alsoCoveredBy.map((c, i) => ({ ...c, url: `https://o${i}.example/${'a'.repeat(300)}` })) };
    const value = discordStory(shorter).embeds[0]!.fields!.find((f) => f.name === 'Also covered by')!.value;
    expect(value.length).toBeLessThanOrEqual(1024);
    expect(value.split('\n').every((l, i) => l === `**Outlet ${i}**: [Headline ${i}](https://o${i}.example/${'a'.repeat(300)})`)).toBe(true);
  });

  it('Slack replies stay within 50 blocks', () => {
    const many = slackReplies({ text: 'Latest', ephemeral: true, stories: Array.from({ length: 10 }, () => story) })[0]!;
    expect(many.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(many.blocks.at(-1))).toMatch(/…\d+ more stor(y|ies) not shown; ask for fewer with a count\./);
    const few = slackReplies({ text: 'Latest', ephemeral: true, stories: [story, story] })[0]!;
    expect(few.blocks.filter((b) => b.type === 'divider')).toHaveLength(2);
    expect(JSON.stringify(few.blocks)).not.toMatch(/not shown/);
  });

  it('Discord embeds', () => {
    const msg = discordStory(story);
    expect(msg.allowed_mentions).toEqual({ parse: [] });
    const json = JSON.stringify(msg);
    expect(json).not.toMatch(/[^\u200b]@everyone|[^\u200b]@here/);
    expect(json).not.toMatch(/<@!?\d+>/);
    const embed = msg.embeds[0]!;
    expect(embed.url).toBe('https://news.example/story?a=1&b=2');
    expect(embed.fields).toEqual([
      { name: 'Topics', value: 'State cyberespionage', inline: true },
      { name: 'Also covered by', value: `**Other @\u200beveryone**: ${embed.fields![1]!.value.split('\n')[0]!.slice('**Other @\u200beveryone**: '.length)}\n**Good**: [A good headline](https://good.example/)`, inline: false },
    ]);
    expect(embed.description).toContain('\\[click\\]\\(https://evil.example\\)');
    expect(embed.fields![1]!.value.split('\n')[0]).toBe('**Other @\u200beveryone**: Their take \\<!here\\> @\u200bhere \\*loud\\* \\[click\\]\\(https://evil.example\\)');
    expect(discordReplies({ text: '@everyone', ephemeral: true })[0]!.content).toBe('@\u200beveryone');
  });
});

// A Slack command reply: our text as written, the quoted parts (feed text, keywords) inert as feed text is.
describe('escapeReplyMrkdwn', () => {
  it.each([
    { name: 'a usage line keeps its colons', text: 'Usage: /news quiet HH:MM-HH:MM [Zone] | off', quoted: [], want: 'Usage: /news quiet HH:MM-HH:MM [Zone] | off' },
    { name: 'our code span stays code', text: 'An operator can resend them with `cyberbrief alerts retry --all`.', quoted: [], want: 'An operator can resend them with `cyberbrief alerts retry --all`.' },
    { name: 'our <url> placeholder is shown, not a link', text: '/news feeds add <url>', quoted: [], want: '/news feeds add &lt;url&gt;' },
    { name: 'a quoted title is inert, our text around it is not', text: 'Latest: ":fire: *x*" at HH:MM.', quoted: [':fire: *x*'], want: 'Latest: "\u2236fire\u2236 \u2217x\u2217" at HH:MM.' },
    { name: 'every occurrence of a quoted part', text: 'a _b_ and a _b_', quoted: ['_b_'], want: 'a \u02CDb\u02CD and a \u02CDb\u02CD' },
    { name: 'a quoted URL keeps its characters', text: '1. T https://x.example/a_b_c* (global)', quoted: ['T', 'https://x.example/a_b_c*'], want: '1. T https://x.example/a_b_c* (global)' },
    { name: 'an empty quoted part marks nothing', text: 'HH:MM', quoted: [''], want: 'HH:MM' },
  ])('$name', ({ text, quoted, want }) => expect(escapeReplyMrkdwn(text, quoted)).toBe(want));

  it.each(NASTY)('"$name" is inert quoted, and its mentions and links are inert unquoted too', ({ input }) => {
    const quoted = escapeReplyMrkdwn(`Latest: "${input}" at 10:30`, [input]);
    // As inert as the whole line escaped as feed text (our text here has nothing that escaping changes).
    expect(quoted).toBe(escapeMrkdwn(`Latest: "${input}" at 10:30`));
    for (const live of SLACK_LIVE) {
      expect(quoted).not.toMatch(live);
      expect(escapeReplyMrkdwn(`Latest: "${input}"`)).not.toMatch(live);
    }
  });
});

// Whole lines within a budget: what "also covered by" keeps on Slack and Discord.
describe('linesWithin', () => {
  it.each([
    { name: 'all fit', lines: ['ab', 'cd'], max: 5, want: 'ab\ncd' },
    { name: 'the break counts', lines: ['ab', 'cd'], max: 4, want: 'ab' },
    { name: 'stops at the first that does not fit', lines: ['ab', 'cdefgh', 'i'], max: 6, want: 'ab' },
    { name: 'a first line over the budget: nothing', lines: ['abcdefgh', 'i'], max: 4, want: '' },
    { name: 'no lines', lines: [], max: 10, want: '' },
  ])('$name', ({ lines, max, want }) => {
    expect(linesWithin(lines, max)).toBe(want);
  });
});

// How many whole lines fit, each with its line break: what the Slack and Discord digests list.
describe('linesThatFit', () => {
  it.each([
    { name: 'all fit, breaks counted', lines: ['ab', 'cd'], max: 6, want: 2 },
    { name: 'the last break counts too', lines: ['ab', 'cd'], max: 5, want: 1 },
    { name: 'stops at the first that does not fit', lines: ['ab', 'cdefgh', 'i'], max: 7, want: 1 },
    { name: 'a first line over the budget: none', lines: ['abcd', 'i'], max: 4, want: 0 },
    { name: 'no lines', lines: [], max: 10, want: 0 },
  ])('$name', ({ lines, max, want }) => {
    expect(linesThatFit(lines, max)).toBe(want);
  });
});
