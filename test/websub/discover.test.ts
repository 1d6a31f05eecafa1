import { describe, expect, it } from 'vitest';
import { discoverHub, documentLinks, parseLinkHeader } from '../../src/websub/discover.ts';
import { jsonFeedLinks } from '../../src/websub/json-feed-links.ts';

const FEED = 'https://news.example.org/feed.xml';
const rss = (channelHead: string, items = '<item><title>x</title><link>https://news.example.org/a</link></item>') =>
  `<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Wire</title>${channelHead}${items}</channel></rss>`;

describe('hub discovery', () => {
  it.each([
    {
      name: 'RSS with atom:link hub and self',
      body: rss('<atom:link rel="hub" href="https://hub.example.net/"/><atom:link rel="self" type="application/rss+xml" href="https://news.example.org/feed"/>'),
      link: null,
      want: { hub: 'https://hub.example.net/', topic: 'https://news.example.org/feed' },
    },
    {
      name: 'Atom with link hub, self in single quotes, other prefix',
      body: `<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><link rel='self' href='https://news.example.org/atom'/><link href="https://pubsubhubbub.example.com/" rel="hub"/><entry><link rel="hub" href="https://entry-hub.example/"/></entry></feed>`,
      link: null,
      want: { hub: 'https://pubsubhubbub.example.com/', topic: 'https://news.example.org/atom' },
    },
    {
      name: 'atom10: prefix (FeedBurner)',
      body: rss('<atom10:link xmlns:atom10="http://www.w3.org/2005/Atom" rel="hub" href="https://pubsubhubbub.appspot.com/"/>'),
      link: null,
      want: { hub: 'https://pubsubhubbub.appspot.com/', topic: FEED },
    },
    {
      name: 'no self: the fetched URL is the topic',
      body: rss('<atom:link rel="hub" href="https://hub.example.net/"/>'),
      link: null,
      want: { hub: 'https://hub.example.net/', topic: FEED },
    },
    {
      name: 'Link header wins over the document',
      body: rss('<atom:link rel="hub" href="https://doc-hub.example/"/>'),
      link: '<https://header-hub.example/>; rel="hub", <https://news.example.org/self>; rel="self"',
      want: { hub: 'https://header-hub.example/', topic: 'https://news.example.org/self' },
    },
    {
      name: 'Link header alone, unquoted rel, relative hub',
      body: '{"version":"https://jsonfeed.org/version/1.1","items":[]}',
      link: '</hub>; rel=hub',
      want: { hub: 'https://news.example.org/hub', topic: FEED },
    },
    {
      name: 'Link header with several rel values',
      body: rss(''),
      link: '<https://hub.example.net/>; rel="alternate hub"',
      want: { hub: 'https://hub.example.net/', topic: FEED },
    },
    {
      name: 'entities in the href are decoded',
      body: rss('<atom:link rel="hub" href="https://hub.example.net/?a=1&amp;b=2"/>'),
      link: null,
      want: { hub: 'https://hub.example.net/?a=1&b=2', topic: FEED },
    },
    { name: 'no hub', body: rss('<atom:link rel="self" href="https://news.example.org/feed"/>'), link: null, want: null },
    { name: 'a hub inside an item is not the feed’s', body: rss('', '<item><atom:link rel="hub" href="https://x.example/"/></item>'), link: null, want: null },
    { name: 'javascript: hub refused', body: rss('<atom:link rel="hub" href="javascript:alert(1)"/>'), link: null, want: null },
    { name: 'ftp hub refused', body: rss('<atom:link rel="hub" href="ftp://hub.example/"/>'), link: null, want: null },
    { name: 'hub with credentials refused', body: rss('<atom:link rel="hub" href="https://u:p@hub.example/"/>'), link: null, want: null },
    {
      name: 'a bad hub is skipped for the next good one',
      body: rss('<atom:link rel="hub" href="gopher://x/"/><atom:link rel="hub" href="https://good.example/"/>'),
      link: null,
      want: { hub: 'https://good.example/', topic: FEED },
    },
    { name: 'fragment dropped', body: rss('<atom:link rel="hub" href="https://hub.example/#frag"/>'), link: null, want: { hub: 'https://hub.example/', topic: FEED } },
  ])('$name', ({ body, link, want }) => {
    expect(discoverHub({ body: Buffer.from(body), linkHeader: link, feedUrl: FEED })).toEqual(want);
  });

  const json = (members: Record<string, unknown>) => JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'Wire', ...members, items: [{ id: '1', url: 'https://news.example.org/a', content_text: 'x' }] });

  it.each([
    {
      name: 'JSON Feed 1.1 hub and feed_url',
      body: json({ feed_url: 'https://news.example.org/feed.json', hubs: [{ type: 'WebSub', url: 'https://hub.example.net/' }] }),
      link: null,
      want: { hub: 'https://hub.example.net/', topic: 'https://news.example.org/feed.json' },
    },
    {
      name: 'JSON Feed 1.0, hubs before feed_url, type in another case',
      body: JSON.stringify({ version: 'https://jsonfeed.org/version/1', hubs: [{ url: 'https://hub.example.net/', type: 'websub' }], feed_url: 'https://news.example.org/f' }),
      link: null,
      want: { hub: 'https://hub.example.net/', topic: 'https://news.example.org/f' },
    },
    { name: 'JSON Feed without feed_url: the fetched URL is the topic', body: json({ hubs: [{ type: 'WEBSUB', url: 'https://hub.example.net/' }] }), link: null, want: { hub: 'https://hub.example.net/', topic: FEED } },
    {
      name: 'JSON Feed: hubs of other types are skipped for the WebSub one',
      body: json({ hubs: [{ type: 'rssCloud', url: 'https://cloud.example/' }, { type: 'WebSub' }, 'https://bare.example/', { type: 'WebSub', url: 'https://hub.example.net/' }] }),
      link: null,
      want: { hub: 'https://hub.example.net/', topic: FEED },
    },
    { name: 'JSON Feed: only other hub types', body: json({ hubs: [{ type: 'rssCloud', url: 'https://cloud.example/' }] }), link: null, want: null },
    { name: 'JSON Feed: no hubs', body: json({ feed_url: 'https://news.example.org/feed.json' }), link: null, want: null },
    { name: 'JSON Feed: hubs is not an array', body: json({ hubs: { type: 'WebSub', url: 'https://hub.example.net/' } }), link: null, want: null },
    { name: 'JSON Feed: a hub inside an item is not the feed’s', body: json({ items: [{ id: '1', hubs: [{ type: 'WebSub', url: 'https://x.example/' }] }] }), link: null, want: null },
    { name: 'JSON Feed: javascript: hub refused', body: json({ hubs: [{ type: 'WebSub', url: 'javascript:alert(1)' }] }), link: null, want: null },
    { name: 'JSON Feed: hub with credentials refused', body: json({ hubs: [{ type: 'WebSub', url: 'https://u:p@hub.example/' }] }), link: null, want: null },
    {
      name: 'JSON Feed: a bad hub is skipped for the next good one, relative URLs resolved',
      body: json({ hubs: [{ type: 'WebSub', url: 'ftp://hub.example/' }, { type: 'WebSub', url: '/hub' }] }),
      link: null,
      want: { hub: 'https://news.example.org/hub', topic: FEED },
    },
    { name: 'JSON Feed: a bad feed_url falls back to the fetched URL', body: json({ feed_url: 'file:///etc/passwd', hubs: [{ type: 'WebSub', url: 'https://hub.example.net/' }] }), link: null, want: { hub: 'https://hub.example.net/', topic: FEED } },
    {
      name: 'JSON Feed: escapes decoded, BOM and spaces before the document',
      body: '\ufeff \n' + json({ hubs: [{ type: 'Web\\u0053ub', url: 'https:\\/\\/hub.example.net\\/?a=1\\u0026b=2' }] }).replace(/\\\\/g, '\\'),
      link: null,
      want: { hub: 'https://hub.example.net/?a=1&b=2', topic: FEED },
    },
    {
      name: 'JSON Feed: the Link header wins',
      body: json({ feed_url: 'https://news.example.org/feed.json', hubs: [{ type: 'WebSub', url: 'https://doc-hub.example/' }] }),
      link: '<https://header-hub.example/>; rel="hub"',
      want: { hub: 'https://header-hub.example/', topic: 'https://news.example.org/feed.json' },
    },
  ])('$name', ({ body, link, want }) => {
    expect(discoverHub({ body: Buffer.from(body), linkHeader: link, feedUrl: FEED })).toEqual(want);
  });

  const hubbed = json({ feed_url: 'https://news.example.org/feed.json', hubs: [{ type: 'WebSub', url: 'https://one.example/' }, { type: 'WebSub', url: 'https://two.example/' }] });
  it.each([
    { name: 'cut inside the second hub: the first is kept', text: hubbed.slice(0, hubbed.indexOf('two.example')), want: { hubs: ['https://one.example/'], feedUrl: 'https://news.example.org/feed.json' } },
    { name: 'cut inside the first hub', text: hubbed.slice(0, hubbed.indexOf('one.example')), want: { hubs: [], feedUrl: 'https://news.example.org/feed.json' } },
    { name: 'cut inside feed_url', text: hubbed.slice(0, hubbed.indexOf('news.example')), want: { hubs: [], feedUrl: null } },
    { name: 'cut after a backslash', text: '{"feed_url":"https:\\', want: { hubs: [], feedUrl: null } },
    { name: 'cut inside a \\u escape', text: '{"hubs":[{"type":"WebSub","url":"https://a.example/\\u00', want: { hubs: [], feedUrl: null } },
    { name: 'cut after a number', text: '{"hubs":[{"type":"WebSub","url":"https://a.example/"}],"n":12', want: { hubs: ['https://a.example/'], feedUrl: null } },
    { name: 'not JSON after the first hub', text: '{"hubs":[{"type":"WebSub","url":"https://a.example/"} <oops', want: { hubs: ['https://a.example/'], feedUrl: null } },
    { name: 'a bad escape', text: '{"hubs":[{"type":"WebSub","url":"https://a.example/\\q"}]}', want: { hubs: [], feedUrl: null } },
    { name: 'an array, not an object', text: '[{"hubs":[{"type":"WebSub","url":"https://a.example/"}]}]', want: { hubs: [], feedUrl: null } },
    { name: 'empty', text: '', want: { hubs: [], feedUrl: null } },
  ])('JSON Feed head $name: no throw, what was complete is kept', ({ text, want }) => {
    expect(jsonFeedLinks(text)).toEqual(want);
  });

  it.each([
    { name: 'nested arrays far deeper than any feed', text: `{"a":${'['.repeat(200_000)}` },
    { name: 'nested objects', text: `{"a":${'{"b":'.repeat(20_000)}1` },
    { name: 'an unclosed string of backslash escapes', text: `{"hubs":[{"type":"WebSub","url":"${'\\n'.repeat(30_000)}` },
    { name: 'many unterminated hub objects', text: `{"hubs":[${'{"type":"WebSub",'.repeat(4000)}` },
  ])('JSON Feed head stays linear and within its depth on hostile input: $name', ({ text }) => {
    expect(jsonFeedLinks(text)).toEqual({ hubs: [], feedUrl: null });
    expect(discoverHub({ body: Buffer.from(text), linkHeader: null, feedUrl: FEED })).toBeNull();
  });

  it('JSON Feed: hubs after the first 64 KB are not read', () => {
    const body = Buffer.from(JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', description: 'x'.repeat(70 * 1024), hubs: [{ type: 'WebSub', url: 'https://late.example/' }] }));
    expect(discoverHub({ body, linkHeader: null, feedUrl: FEED })).toBeNull();
  });

  it('reads only the head of a large document', () => {
    const body = Buffer.from(rss(`<description>${'x'.repeat(70 * 1024)}</description><atom:link rel="hub" href="https://late.example/"/>`));
    expect(discoverHub({ body, linkHeader: null, feedUrl: FEED })).toBeNull();
  });

  it('stays linear on hostile input (an unclosed tag repeated)', () => {
    const body = Buffer.from(`<rss><channel>${'<link rel="hub" href="'.repeat(3000)}`);
    const links = documentLinks(body);
    expect(links).toEqual([]);
  });

  it('parses Link headers with several links and parameters', () => {
    expect(parseLinkHeader('<https://a.example/>; rel="hub"; title="A", <https://b.example/feed>; type="application/rss+xml"; rel=self')).toEqual([
      { url: 'https://a.example/', rels: ['hub'] },
      { url: 'https://b.example/feed', rels: ['self'] },
    ]);
  });
});
