// The topics in force follow the newest saved version in the database, on every instance that checks:
// a saved edit is compiled and used at once, a version that no longer loads is reported and the previous
// one kept, and a version without topics of its own brings the topics file back.
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseTopics, topicsToFile } from '../../src/config/topics.ts';
import type { Topic } from '../../src/domain/types.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { createLiveTopics, type LiveTopics } from '../../src/matching/live-topics.ts';
import { relevanceFactory } from '../../src/matching/load-relevance.ts';
import type { Storage } from '../../src/storage/index.ts';
import { waitFor } from '../emulators/http-util.ts';
import { freshStorage, testDatabases } from '../helpers/databases.ts';

const FILE: Topic[] = [{ id: 'esp', name: 'Espionage', description: '', threshold: 2, terms: [{ term: 'spying', weight: 2 }] }];
const story = { title: 'Ransomware gang hits a port', description: 'The ransomware attack stopped shipping.', content: '' };

describe('live topics', () => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', pretty: false, secrets: [], destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) });
  const instances: LiveTopics[] = [];

  async function instance(intervalMs = 60_000): Promise<LiveTopics> {
    const compile = await relevanceFactory({ scorer: 'rules', model_file: '', actors_file: '' });
    const live = createLiveTopics({ fileTopics: FILE, compile, versions: storage.topicVersions, parse: parseTopics, intervalMs, logger });
    await live.refresh();
    instances.push(live);
    return live;
  }

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(testDatabases[0]!));
  });
  afterEach(async () => {
    for (const l of instances.splice(0)) await l.stop();
    await cleanup();
  });

  const save = (topics: Topic[] | null, summary = 'edit') => storage.topicVersions.save({ topicsJson: topics ? JSON.stringify(topicsToFile(topics)) : null, summary, createdBy: 'test', at: new Date() });
  const filed = (l: LiveTopics) => l.current().scorer.decide(story).topicIds;

  it('puts a saved version in force at the next check, on every instance', async () => {
    const a = await instance();
    const b = await instance(50);
    b.start();
    expect([a.current().version, filed(a)]).toEqual([0, []]);
    const id = await save([{ ...FILE[0]!, terms: [...FILE[0]!.terms, { term: 'ransomware', weight: 3 }] }]);
    expect(await a.refresh()).toBe(true);
    expect([a.current().version, filed(a)]).toEqual([id, ['esp']]);
    expect(await a.refresh()).toBe(false);
    // The other instance, checking on its own timer.
    await waitFor('the other instance to apply the version', () => b.current().version === id || undefined);
    expect(filed(b)).toEqual(['esp']);
  });

  it('keeps the version in force when a newer one does not load, and says so once', async () => {
    const a = await instance();
    const good = await save([{ ...FILE[0]!, threshold: 5 }]);
    await a.refresh();
    await storage.topicVersions.save({ topicsJson: '{"topics":[{"id":"Bad Id"}]}', summary: 'broken', createdBy: 'test', at: new Date() });
    expect(await a.refresh()).toBe(false);
    expect(await a.refresh()).toBe(false);
    expect(a.current().version).toBe(good);
    expect(lines.filter((l) => l.includes('could not be applied'))).toHaveLength(1);
    expect(lines.find((l) => l.includes('could not be applied'))).toContain('keeping version');
  });

  it('a version without topics of its own brings the topics file back', async () => {
    const a = await instance();
    await save([{ ...FILE[0]!, terms: [{ term: 'ransomware', weight: 3 }] }]);
    await a.refresh();
    expect(filed(a)).toEqual(['esp']);
    const back = await save(null, 'Back to the topics file');
    await a.refresh();
    expect([a.current().version, a.current().topics, filed(a)]).toEqual([back, FILE, []]);
  });
});
