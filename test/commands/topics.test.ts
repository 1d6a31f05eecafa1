// /news topics: the list fits one Discord message (2,000 characters) with the shipped topics, every one
// of them followed, so no topic is cut off.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../src/commands/index.ts';
import type { CommandHandler } from '../../src/domain/chat.ts';
import { loadTopicsFile } from '../../src/config/topics.ts';
import type { Topic } from '../../src/domain/types.ts';
import { replyMessages } from '../../src/platforms/discord/reply-messages.ts';
import type { Storage } from '../../src/storage/index.ts';
import { commandDepsFor, MANAGER, slashCommand } from '../helpers/command-deps.ts';
import { freshStorage, testDatabases } from '../helpers/databases.ts';

const command = (text: string) => slashCommand(text, MANAGER, { platform: 'discord', workspaceId: 'G1' });

describe('/news topics (SQLite)', () => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let handle: CommandHandler;
  let shipped: Topic[];

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(testDatabases[0]!));
    shipped = await loadTopicsFile(path.join(import.meta.dirname, '../../config/topics.yaml'));
    handle = createCommandHandler({ ...commandDepsFor(storage, shipped) });
  });
  afterEach(async () => cleanup());

  it.each([
    ['none followed', ''],
    ['every topic followed', 'subscribe'],
  ])('lists every shipped topic within one Discord message, %s', async (_name, first) => {
    if (first) await handle(command(first));
    const r = await handle(command('topics'));
    expect(r.text.length).toBeLessThanOrEqual(1900);
    const messages = replyMessages(r);
    expect(messages).toHaveLength(1);
    const shown = (messages[0]!.content ?? '').replace(/\\(.)/g, '$1');
    // Nothing cut by the adapter: the message is the reply, escaped.
    expect(shown.length).toBeLessThan(2000);
    for (const t of shipped) expect(shown).toContain(`${t.id} (${t.name})`);
    expect(r.text.split('\n')).toHaveLength(shipped.length + 1);
    if (first) expect(r.text.split('\n').slice(1).every((l) => l.startsWith('[following] '))).toBe(true);
  });
});
