// The read-only dependencies a restricted command is tried over: every changing method throws WouldChange
// and changes nothing; reads answer from the real storage.
import { describe, expect, it } from 'vitest';
import { readOnlyDeps, WouldChange } from '../../src/commands/read-only.ts';
import { commandDepsFor } from '../helpers/command-deps.ts';
import { freshStorage, testDatabases } from '../helpers/databases.ts';

describe('readOnlyDeps', () => {
  it('refuses every change and reads through', async () => {
    const { storage, cleanup } = await freshStorage(testDatabases[0]!);
    try {
      const ch = await storage.channels.upsert({ platform: 'slack', externalId: 'C1', workspaceId: 'T1', name: 'news' });
      await storage.channels.subscribe(ch.id, ['espionage'], 'U1');
      const ro = readOnlyDeps(commandDepsFor(storage));
      const tenant = { platform: 'slack' as const, workspaceId: 'T1' };
      const changes: Array<[string, () => Promise<unknown>]> = [
        ['channels.upsert', () => ro.channels.upsert({ platform: 'slack', externalId: 'C2', workspaceId: 'T1', name: null })],
        ['channels.subscribe', () => ro.channels.subscribe(ch.id, ['talks'], 'U1')],
        ['channels.unsubscribe', () => ro.channels.unsubscribe(ch.id, ['espionage'])],
        ['channels.addKeyword', () => ro.channels.addKeyword(ch.id, 'x', false, 'U1')],
        ['channels.removeKeyword', () => ro.channels.removeKeyword(ch.id, 'x')],
        ['channels.unpause', () => ro.channels.unpause(ch.id)],
        ['channels.setDelivery', () => ro.channels.setDelivery(ch.id, { mode: 'live', brief: null, quiet: null, threads: true }, null)],
        ['feeds.add', () => ro.feeds.add({ url: 'https://x.example/rss', source: 'user' })],
        ['feeds.addForTenant', () => ro.feeds.addForTenant({ url: 'https://x.example/rss', source: 'user' }, tenant, 'U1')],
        ['feeds.removeForTenant', () => ro.feeds.removeForTenant(1, tenant)],
        ['feeds.removeGlobal', () => ro.feeds.removeGlobal(1)],
        ['feedback.record', () => ro.feedback!.record({ channelId: ch.id, clusterId: 1, itemId: 1, alertId: 1, userId: 'U1', verdict: 'relevant', at: new Date() })],
      ];
      for (const [name, change] of changes) await expect(change(), name).rejects.toBeInstanceOf(WouldChange);
      expect(await ro.channels.find('slack', 'C1')).toEqual(ch);
      expect(await ro.channels.subscriptions(ch.id)).toEqual(['espionage']);
      expect((await ro.channels.delivery(ch.id)).threads).toBe(false);
      expect(await storage.channels.list()).toHaveLength(1);
      expect(await storage.feeds.list()).toEqual([]);
    } finally {
      await cleanup();
    }
  });
});
