// /news topics: the list fits what every platform shows in answer to one command (Discord: 5 messages of
// 2,000 characters) with the shipped topics, every one of them followed, so no topic is cut off; a list too
// long for that ends with a count of the topics left out, on both platforms.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../src/commands/index.ts';
import type { CommandHandler } from '../../src/domain/chat.ts';
import { loadTopicsFile } from '../../src/config/topics.ts';
import type { Topic } from '../../src/domain/types.ts';
import { REPLY_TEXT_MAX } from '../../src/commands/reply-size.ts';
import { replyMessages } from '../../src/platforms/discord/reply-messages.ts';
import { replyMessages as slackReplyMessages } from '../../src/platforms/slack/blocks.ts';
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
  ])('lists every shipped topic whole, %s', async (_name, first) => {
    if (first) await handle(command(first));
    const r = await handle(command('topics'));
    expect(r.text.length).toBeLessThanOrEqual(REPLY_TEXT_MAX);
    const messages = replyMessages(r);
    const shown = messages.map((m) => m.content ?? '').join('\n').replace(/\\(.)/g, '$1');
    // Nothing cut by the adapter: the messages are the reply, escaped.
    expect(shown).not.toMatch(/not shown/);
    for (const t of shipped) expect(shown).toContain(`${t.id} (${t.name})`);
    expect(r.text.split('\n')).toHaveLength(shipped.length + 1);
    // Descriptions are no longer shortened to fit one message: up to 140 characters each.
    for (const t of shipped) expect(r.text).toContain(t.description!.length > 140 ? t.description!.slice(0, 139) : t.description!);
    if (first) expect(r.text.split('\n').slice(1).every((l) => l.startsWith('[following] '))).toBe(true);
  });
});

describe('/news topics with more topics than one answer holds (SQLite)', () => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let handle: CommandHandler;
  const many: Topic[] = Array.from({ length: 400 }, (_, i) => ({
    id: `topic-${i + 1}`, name: `Topic ${i + 1}`, description: `${'A long description of what this topic covers, '.repeat(4)}number ${i + 1}.`,
    terms: [{ term: `term${i + 1}`, weight: 3 }], threshold: 2,
  }));

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(testDatabases[0]!));
    handle = createCommandHandler({ ...commandDepsFor(storage, many) });
  });
  afterEach(async () => cleanup());

  it('shortens descriptions, then ends with a count of the topics left out, on Discord and Slack alike', async () => {
    const r = await handle(command('topics'));
    expect(r.text.length).toBeLessThanOrEqual(REPLY_TEXT_MAX);
    const lines = r.text.split('\n');
    const listed = lines.slice(1, -1);
    expect(listed.every((l, i) => l.startsWith(`topic-${i + 1} (Topic ${i + 1}): `))).toBe(true);
    expect(lines.at(-1)).toBe(`…${400 - listed.length} more topics not shown.`);
    // Discord: at most 5 messages, the last ending with our note, not the adapter's.
    const discord = replyMessages(r);
    expect(discord.length).toBeLessThanOrEqual(5);
    expect(discord.at(-1)!.content).toMatch(new RegExp(`…${400 - listed.length} more topics not shown\\.$`));
    expect(discord.map((m) => m.content).join('\n')).not.toMatch(/Discord takes at most/);
    // Slack: one message; its last section ends with the note.
    const slack = slackReplyMessages(r);
    const sections = slack.flatMap((m) => m.blocks.map((b) => (b as { text?: { text: string } }).text?.text ?? ''));
    expect(sections.at(-1)).toMatch(new RegExp(`…${400 - listed.length} more topics not shown\\.$`));
    expect(sections.join('\n')).not.toMatch(/Slack takes at most/);
  });
});
