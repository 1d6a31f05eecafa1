import { describe, expect, it } from 'vitest';
import { discoverHub, documentLinks, parseLinkHeader } from '../../src/websub/discover.ts';

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
