import { describe, expect, it } from 'vitest';
import { oldestFirst, storyTime } from '../../src/domain/story-order.ts';

const at = (hhmm: string | null) => ({ key: hhmm ?? 'none', publishedAt: hhmm === null ? null : new Date(`2026-05-21T${hhmm}:00Z`) });
const keys = (list: { key: string }[]) => list.map((e) => e.key);

describe('oldestFirst', () => {
  it.each([
    { name: 'a feed listing its newest entry first', entries: ['12:00', '11:00', '10:00'], want: ['10:00', '11:00', '12:00'] },
    { name: 'a feed listing its oldest entry first', entries: ['10:00', '11:00', '12:00'], want: ['10:00', '11:00', '12:00'] },
    { name: 'a feed in no order', entries: ['11:00', '12:00', '10:00'], want: ['10:00', '11:00', '12:00'] },
    { name: 'one entry', entries: ['10:00'], want: ['10:00'] },
    { name: 'none', entries: [], want: [] },
  ])('orders $name by date', ({ entries, want }) => {
    expect(keys(oldestFirst(entries.map(at)))).toEqual(want);
  });

  it('keeps the feed order among entries of the same date', () => {
    const same = [{ key: 'first', publishedAt: new Date('2026-05-21T10:00:00Z') }, { key: 'second', publishedAt: new Date('2026-05-21T10:00:00Z') }, { key: 'older', publishedAt: new Date('2026-05-20T10:00:00Z') }];
    expect(keys(oldestFirst(same))).toEqual(['older', 'first', 'second']);
  });

  it.each([
    { name: 'an entry without a date', entries: [at('12:00'), at(null), at('10:00')] },
    { name: 'an invalid date', entries: [at('12:00'), { key: 'bad', publishedAt: new Date('not a date') }, at('10:00')] },
  ])('keeps the feed order when $name means the dates cannot place every entry', ({ entries }) => {
    expect(keys(oldestFirst(entries))).toEqual(keys(entries));
  });

  it('does not change its input', () => {
    const entries = ['12:00', '10:00'].map(at);
    oldestFirst(entries);
    expect(keys(entries)).toEqual(['12:00', '10:00']);
  });
});

describe('storyTime', () => {
  const fetchedAt = new Date('2026-05-21T12:00:00Z');
  it.each([
    { name: 'its publication date', publishedAt: new Date('2026-05-21T09:00:00Z'), want: '2026-05-21T09:00:00.000Z' },
    { name: 'the fetch time when it has no date', publishedAt: null, want: '2026-05-21T12:00:00.000Z' },
    { name: 'the fetch time when its date is later than the fetch', publishedAt: new Date('2027-01-01T00:00:00Z'), want: '2026-05-21T12:00:00.000Z' },
  ])('is $name', ({ publishedAt, want }) => {
    expect(storyTime({ publishedAt, fetchedAt }).toISOString()).toBe(want);
  });
});
