// The generated feed the polling bench serves (feed-farm.ts over Node's http, nginx-farm.ts as static files):
// feed i at version v lists items v+ITEMS-1 down to v, so each new version adds one item on top and drops
// the oldest. Links point at `origin`, the feed's own host.
export const FEED_BASE_TIME = Date.UTC(2026, 0, 1);

export function feedBody(i: number, version: number, origin: string, items: number): string {
  const out: string[] = [];
  for (let k = version + items - 1; k >= version; k--) {
    out.push(
      `<item><title>Feed ${i} story ${k}: talks on norms for state behaviour in cyberspace</title>` +
        `<link>${origin}/a/${i}/${k}</link><guid isPermaLink="false">f${i}-s${k}</guid>` +
        `<pubDate>${new Date(FEED_BASE_TIME + k * 3_600_000).toUTCString()}</pubDate>` +
        `<description>Officials met for a working group on cyber issues, story ${k} of feed ${i}; the talks covered critical infrastructure, intellectual property and the rules both sides say they follow.</description></item>`,
    );
  }
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench feed ${i}</title><link>${origin}/</link><description>generated</description>${out.join('')}</channel></rss>`;
}

/** Whether feed i changes in cycle `cycle` (a `share` of the feeds, spread evenly, a different set each cycle). */
export function changesIn(i: number, cycle: number, share: number): boolean {
  const every = Math.max(1, Math.round(1 / share));
  return (i + cycle * 7) % every === 0;
}
