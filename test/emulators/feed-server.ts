// A local RSS feed (or JSON Feed) whose items tests add while the bot runs.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FeedEntry {
  guid: string;
  title: string;
  link: string;
  description: string;
  pubDate: Date;
}

export interface FeedServer {
  readonly url: string;
  readonly items: FeedEntry[];
  /** Requests served, for "the poll ran" checks. */
  readonly hits: number;
  close(): Promise<void>;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface FeedServerOptions {
  /**
   * A WebSub hub the feed advertises: in the document (atom:link rel="hub" and rel="self"), in Link headers,
   * or in a JSON Feed (`hubs` and `feed_url`; the feed is then served as JSON Feed 1.1).
   */
  hub?: { url: string; in: 'document' | 'header' | 'json-feed' };
}

/** The RSS document of `items` (newest first), as the server sends it. */
export function rssDocument(title: string, items: readonly FeedEntry[], head = ''): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>',
    `<title>${xml(title)}</title><link>http://127.0.0.1/</link><description>test feed</description>${head}`,
    ...[...items].reverse().map(
      (i) => `<item><guid isPermaLink="false">${xml(i.guid)}</guid><title>${xml(i.title)}</title><link>${xml(i.link)}</link><description>${xml(i.description)}</description><pubDate>${i.pubDate.toUTCString()}</pubDate></item>`,
    ),
    '</channel></rss>',
  ].join('\n');
}

/** The JSON Feed 1.1 document of `items` (newest first), naming `hubUrl` as its WebSub hub. */
export function jsonFeedDocument(title: string, items: readonly FeedEntry[], feedUrl: string, hubUrl: string): string {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title,
    home_page_url: 'http://127.0.0.1/',
    feed_url: feedUrl,
    hubs: [{ type: 'WebSub', url: hubUrl }],
    items: [...items].reverse().map((i) => ({ id: i.guid, url: i.link, title: i.title, content_text: i.description, date_published: i.pubDate.toISOString() })),
  });
}

export async function startFeedServer(title = 'Local Wire', opts: FeedServerOptions = {}): Promise<FeedServer> {
  const items: FeedEntry[] = [];
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits += 1;
    const hub = opts.hub;
    if (hub?.in === 'json-feed') {
      res.writeHead(200, { 'content-type': 'application/feed+json; charset=utf-8' });
      res.end(jsonFeedDocument(title, items, url, hub.url));
      return;
    }
    const head = hub?.in === 'document' ? `<atom:link rel="hub" href="${xml(hub.url)}"/><atom:link rel="self" type="application/rss+xml" href="${xml(url)}"/>` : '';
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', ...(hub?.in === 'header' ? { link: `<${hub.url}>; rel="hub", <${url}>; rel="self"` } : {}) });
    res.end(rssDocument(title, items, head));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/rss`;
  return {
    url,
    items,
    get hits() {
      return hits;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
