// A feed's health as every list shows it: disabled, failing, new, quiet (answers, nothing new for a while), ok.
import { describe, expect, it } from 'vitest';
import { feedHealth, quietSince, type Feed } from '../../src/domain/types.ts';

const DAY = 86_400_000;
const now = new Date('2026-06-01T00:00:00Z');
const ago = (days: number) => new Date(now.getTime() - days * DAY);
type Fields = Pick<Feed, 'enabled' | 'errorCount' | 'lastSuccessAt' | 'lastNewItemAt' | 'createdAt'>;
const feed = (over: Partial<Fields>): Fields => ({ enabled: true, errorCount: 0, lastSuccessAt: ago(0), lastNewItemAt: ago(1), createdAt: ago(100), ...over });

describe('feedHealth', () => {
  it.each<{ name: string; f: Fields; afterDays?: number; want: string }>([
    { name: 'disabled comes first', f: feed({ enabled: false, errorCount: 3, lastNewItemAt: ago(90) }), want: 'disabled' },
    { name: 'failing before quiet', f: feed({ errorCount: 2, lastNewItemAt: ago(90) }), want: 'failing' },
    { name: 'never read: new, not quiet', f: feed({ lastSuccessAt: null, lastNewItemAt: null }), want: 'new' },
    { name: 'a new item yesterday', f: feed({}), want: 'ok' },
    { name: 'the last new item exactly 30 days ago', f: feed({ lastNewItemAt: ago(30) }), want: 'ok' },
    { name: 'the last new item 31 days ago', f: feed({ lastNewItemAt: ago(31) }), want: 'quiet' },
    { name: 'never an item, added 31 days ago', f: feed({ lastNewItemAt: null, createdAt: ago(31) }), want: 'quiet' },
    { name: 'never an item, added 2 days ago', f: feed({ lastNewItemAt: null, createdAt: ago(2) }), want: 'ok' },
    { name: 'quiet_after_days 0: never quiet', f: feed({ lastNewItemAt: ago(400) }), afterDays: 0, want: 'ok' },
    { name: 'quiet_after_days 7', f: feed({ lastNewItemAt: ago(8) }), afterDays: 7, want: 'quiet' },
    { name: 'a last new item in the future (a skewed clock): ok', f: feed({ lastNewItemAt: new Date(now.getTime() + DAY) }), want: 'ok' },
  ])('$name: $want', ({ f, afterDays, want }) => {
    expect(feedHealth(f, { now, afterDays: afterDays ?? 30 })).toBe(want);
  });

  it('without a rule nothing is quiet (the callers that do not know the setting)', () => {
    expect(feedHealth(feed({ lastNewItemAt: ago(400) }))).toBe('ok');
  });

  it('counts from the last new item, else from when the feed was added', () => {
    expect(quietSince(feed({ lastNewItemAt: ago(5) }))).toEqual(ago(5));
    expect(quietSince(feed({ lastNewItemAt: null, createdAt: ago(50) }))).toEqual(ago(50));
  });
});
