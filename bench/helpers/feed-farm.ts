// A farm of generated RSS feeds for bench/polling.bench.ts, run as a child process so its CPU is not counted
// in the process measured. FEEDS feeds (ITEMS items each) spread over HOSTS loopback addresses
// (127.1.0.1, 127.1.0.2, ...: distinct hosts to the scheduler's per-host limit and to undici's pools), all on
// one port. Every feed has an ETag and a Last-Modified and answers 304 to a request that presents either;
// `cycle` changes a tenth (CHANGED) of the feeds: a new item on top, the oldest gone. Controlled over IPC:
// { cmd: 'cycle' } | { cmd: 'delay', ms } | { cmd: 'stats' } | { cmd: 'reset' }; answers { ok, ... }.
// Feed i is http://127.1.a.b:PORT/f/i.xml on host i % HOSTS (see farmFeedUrl in the bench).
import http from 'node:http';
import { changesIn, FEED_BASE_TIME, feedBody } from './feed-body.ts';

const FEEDS = Number(process.env.FEEDS ?? 10_000);
const HOSTS = Number(process.env.HOSTS ?? 2_000);
const ITEMS = Number(process.env.ITEMS ?? 20);
const CHANGED = Number(process.env.CHANGED ?? 0.1);

const version = new Uint32Array(FEEDS);
const hits = new Uint32Array(FEEDS);
let cycle = 0;
let delayMs = 0;
let full = 0;
let notModified = 0;

const hostAddress = (h: number): string => `127.1.${(h + 1) >> 8}.${(h + 1) & 255}`;
const etagOf = (i: number) => `"f${i}-v${version[i]}"`;
const lastModifiedOf = (i: number) => new Date(FEED_BASE_TIME + version[i]! * 3_600_000).toUTCString();

function answer(req: http.IncomingMessage, res: http.ServerResponse): void {
  const m = /^\/f\/(\d+)\.xml$/.exec(req.url ?? '');
  const i = m ? Number(m[1]) : -1;
  if (i < 0 || i >= FEEDS) {
    res.writeHead(404).end();
    return;
  }
  hits[i]!++;
  const etag = etagOf(i);
  const lastModified = lastModifiedOf(i);
  if (req.headers['if-none-match'] === etag || (!req.headers['if-none-match'] && req.headers['if-modified-since'] === lastModified)) {
    notModified++;
    res.writeHead(304, { etag, 'last-modified': lastModified }).end();
    return;
  }
  full++;
  const b = Buffer.from(feedBody(i, version[i]!, `http://${req.headers.host ?? 'localhost'}`, ITEMS));
  res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', 'content-length': b.length, etag, 'last-modified': lastModified }).end(b);
}

const servers: http.Server[] = [];
function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (delayMs > 0) setTimeout(() => answer(req, res), delayMs);
  else answer(req, res);
}
function listen(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = http.createServer({ keepAliveTimeout: 5_000 }, handler);
    s.maxConnections = 100_000;
    s.once('error', reject);
    s.listen(port, host, () => {
      servers.push(s);
      resolve((s.address() as { port: number }).port);
    });
  });
}

const port = await listen(hostAddress(0), Number(process.env.PORT ?? 0));
for (let h = 1; h < HOSTS; h++) await listen(hostAddress(h), port);

process.on('message', (msg: { cmd: string; ms?: number }) => {
  switch (msg.cmd) {
    case 'cycle': {
      cycle++;
      let changed = 0;
      for (let i = 0; i < FEEDS; i++) {
        if (changesIn(i, cycle, CHANGED)) {
          version[i]!++;
          changed++;
        }
      }
      process.send!({ ok: true, changed });
      break;
    }
    case 'delay':
      delayMs = msg.ms ?? 0;
      process.send!({ ok: true });
      break;
    case 'stats': {
      let once = 0;
      let more = 0;
      let never = 0;
      for (const n of hits) {
        if (n === 0) never++;
        else if (n === 1) once++;
        else more++;
      }
      process.send!({ ok: true, full, notModified, once, more, never });
      break;
    }
    case 'reset':
      hits.fill(0);
      full = 0;
      notModified = 0;
      process.send!({ ok: true });
      break;
    case 'exit':
      for (const s of servers) s.close();
      process.exit(0);
  }
});
// The bench died without saying exit (an error): go too, rather than hold 2,000 ports.
process.on('disconnect', () => process.exit(0));
process.send!({ ok: true, port, feeds: FEEDS, hosts: HOSTS });
