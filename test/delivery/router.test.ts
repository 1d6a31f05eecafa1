// The router, table-driven: a channel gets an item only when the item's feed reaches the channel's
// workspace or server, and then by its topics and keywords.
import { describe, expect, it } from 'vitest';
import { createRouter, type ChannelRule } from '../../src/delivery/router.ts';
import { EVERY_TOPIC } from '../../src/domain/following.ts';
import type { FeedAudience } from '../../src/domain/tenancy.ts';

const rules: ChannelRule[] = [
  { channelId: 1, tenant: 'slack:TA', topicIds: ['espionage'], keywords: [] },
  { channelId: 2, tenant: 'slack:TA', topicIds: [], keywords: [{ term: 'volt typhoon', exclude: false }] },
  { channelId: 3, tenant: 'discord:GB', topicIds: ['espionage'], keywords: [] },
  { channelId: 4, tenant: 'discord:GB', topicIds: ['espionage'], keywords: [{ term: 'routers', exclude: true }] },
  { channelId: 5, tenant: 'console:', topicIds: ['espionage'], keywords: [] },
];

const doc = { title: 'Volt Typhoon spies on routers', description: 'State hackers ran a cyberespionage campaign.', content: '' };
const GLOBAL: FeedAudience = { global: true, tenants: [] };

describe('createRouter', () => {
  const route = createRouter(rules);
  it.each([
    { name: 'a global feed: every accepting channel', audience: GLOBAL, topics: ['espionage'], want: [1, 2, 3, 5] },
    { name: "workspace A's feed: only A's channels", audience: { global: false, tenants: ['slack:TA'] }, topics: ['espionage'], want: [1, 2] },
    { name: "server B's feed: only B's channels (and B's exclude still holds)", audience: { global: false, tenants: ['discord:GB'] }, topics: ['espionage'], want: [3] },
    { name: 'a feed both added: both', audience: { global: false, tenants: ['discord:GB', 'slack:TA'] }, topics: ['espionage'], want: [1, 2, 3] },
    { name: 'the same id on another platform is not A', audience: { global: false, tenants: ['discord:TA'] }, topics: ['espionage'], want: [] },
    { name: 'a feed nobody owns: nobody', audience: { global: false, tenants: [] }, topics: ['espionage'], want: [] },
    { name: "A's feed, keyword only: A's keyword channel", audience: { global: false, tenants: ['slack:TA'] }, topics: [], want: [2] },
  ])('$name', ({ audience, topics, want }) => {
    const r = route(topics, doc, audience);
    expect(r.channelIds).toEqual(want);
    expect([...r.reasons.keys()].sort()).toEqual(want);
  });
});

// A channel that follows every topic (EVERY_TOPIC, domain/following) takes any matched topic, one no channel named
// included, and still its exclude keywords and its tenancy.
describe('a channel that follows every topic', () => {
  const route = createRouter([
    { channelId: 1, tenant: 'slack:TA', topicIds: [EVERY_TOPIC], keywords: [] },
    { channelId: 2, tenant: 'slack:TA', topicIds: ['espionage'], keywords: [] },
    { channelId: 3, tenant: 'slack:TA', topicIds: [EVERY_TOPIC], keywords: [{ term: 'routers', exclude: true }] },
    { channelId: 4, tenant: 'discord:GB', topicIds: [EVERY_TOPIC], keywords: [] },
  ]);
  it.each([
    { name: 'a topic added later', topics: ['cyber-strategy'], want: [1, 3], reason: 'matched topic cyber-strategy' },
    { name: 'a topic one other channel named', topics: ['espionage'], want: [1, 2, 3], reason: 'matched topic espionage' },
    { name: 'no topic matched', topics: [], want: [], reason: undefined },
  ])('$name', ({ topics, want, reason }) => {
    const plain = { title: 'New cyber strategy', description: 'The plan names adversaries.', content: '' };
    const r = route(topics, plain, { global: false, tenants: ['slack:TA'] });
    expect(r.channelIds).toEqual(want);
    expect(r.reasons.get(1)).toBe(reason);
  });
  it('still honours an exclude keyword', () => {
    expect(route(['espionage'], doc, GLOBAL).channelIds).toEqual([1, 2, 4]);
  });
});
