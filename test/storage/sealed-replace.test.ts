// The compare-and-set replacements `secrets rekey` uses, on both databases: a row changes only while it
// still holds the value read; nothing else in the row changes; an empty batch is no transaction at all.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/index.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';

notePostgresSkip();

describe.each(testDatabases)('replacing sealed values on $name', (database) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  const at = new Date('2026-01-02T03:04:05Z');

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(database));
    for (const team of ['T1', 'T2']) await storage.slackInstallations.save({ enterpriseId: 'E1', teamId: team, teamName: `Team ${team}`, data: `sealed-${team}`, installedBy: 'U1', at });
    for (const name of ['a', 'b']) {
      const feedId = (await storage.feeds.add({ url: `https://${name}.example/rss`, source: 'cli' }, at)).feed.id;
      await storage.websub.insert({ feedId, callbackId: `cb-${name}`, hubUrl: 'https://hub.example/', topicUrl: `https://${name}.example/rss`, secret: `sealed-${name}`, nextActionAt: at, at });
    }
  });
  afterEach(async () => cleanup());

  it.each([
    { name: 'both rows still hold the value read', fromT2: 'sealed-T2', changed: 2, t2: 'resealed-T2' },
    { name: 'one row was rewritten meanwhile', fromT2: 'stale-T2', changed: 1, t2: 'sealed-T2' },
  ])('Slack installations: $name', async ({ fromT2, changed, t2 }) => {
    const n = await storage.slackInstallations.replaceData([
      { enterpriseId: 'E1', teamId: 'T1', from: 'sealed-T1', to: 'resealed-T1' },
      { enterpriseId: 'E1', teamId: 'T2', from: fromT2, to: 'resealed-T2' },
    ]);
    expect(n).toBe(changed);
    expect(await storage.slackInstallations.sealedData()).toEqual([
      { enterpriseId: 'E1', teamId: 'T1', data: 'resealed-T1' },
      { enterpriseId: 'E1', teamId: 'T2', data: t2 },
    ]);
    expect(await storage.slackInstallations.find('E1', 'T1')).toMatchObject({ teamName: 'Team T1', installedBy: 'U1', updatedAt: at, createdAt: at });
    expect(await storage.slackInstallations.replaceData([])).toBe(0);
  });

  it.each([
    { name: 'both rows still hold the value read', fromB: 'sealed-b', changed: 2, b: 'resealed-b' },
    { name: 'one row was rewritten meanwhile', fromB: 'stale-b', changed: 1, b: 'sealed-b' },
  ])('WebSub secrets: $name', async ({ fromB, changed, b }) => {
    const [sa, sb] = await storage.websub.list();
    const n = await storage.websub.replaceSecrets([
      { id: sa!.id, from: 'sealed-a', to: 'resealed-a' },
      { id: sb!.id, from: fromB, to: 'resealed-b' },
    ]);
    expect(n).toBe(changed);
    const [a2, b2] = await storage.websub.list();
    expect([a2!.secret, b2!.secret]).toEqual(['resealed-a', b]);
    expect({ ...a2, secret: sa!.secret }).toEqual(sa);
    expect(await storage.websub.replaceSecrets([])).toBe(0);
  });
});
