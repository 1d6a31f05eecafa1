// Command handler dependencies over a real Storage, for adapter and end-to-end tests.
import { rulesExplainer, type CommandDeps } from '../../src/commands/index.ts';
import { parseCommandText } from '../../src/commands/parse-text.ts';
import { afterEach, beforeEach } from 'vitest';
import { createCommandHandler } from '../../src/commands/index.ts';
import type { Command, CommandHandler } from '../../src/domain/chat.ts';
import { compileTopics, parseKeyword } from '../../src/matching/index.ts';
import type { Topic } from '../../src/domain/types.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { UsageError } from '../../src/lib/errors.ts';
import type { Storage } from '../../src/storage/index.ts';
import { freshStorage, testDatabases } from './databases.ts';

export const TEST_TOPICS: Topic[] = [
  { id: 'espionage', name: 'State cyberespionage', description: 'Spying and accusations', terms: [{ term: 'cyberespionage', weight: 3 }, { term: 'spying', weight: 2 }], threshold: 2 },
  { id: 'talks', name: 'Cyber talks', description: 'Working groups and dialogues', terms: [{ term: 'working group', weight: 3 }, { term: 'cyber talks', weight: 3 }], threshold: 2 },
];

export function commandDepsFor(storage: Storage, topics: Topic[] = TEST_TOPICS): CommandDeps {
  const matcher = compileTopics(topics);
  return {
    channels: storage.channels,
    latest: storage.latest,
    feeds: storage.feeds,
    topics,
    parseKeyword,
    checkFeedUrl: (url) => {
      if (!/^https?:\/\/[^\s]+$/.test(url) || url.length > 2000) throw new UsageError(`"${url.slice(0, 100)}" is not an http(s) URL.`);
      return url;
    },
    feedback: storage.feedback,
    briefs: storage.briefs,
    stories: storage.stories,
    explain: rulesExplainer((doc) => matcher.match(doc), topics),
    clock: systemClock,
  };
}

/** Who sends a command: a channel member, or one who may manage the channel. */
export const MEMBER = { userIsAdmin: false, userCanManageChannel: false, userIsOperator: false };
export const MANAGER = { userIsAdmin: false, userCanManageChannel: true, userIsOperator: false };

/** A `/news` command as an adapter hands it over (Slack channel C1 of workspace T1 unless `over` says else). */
export function slashCommand(text: string, who: typeof MEMBER = MANAGER, over: Partial<Command> = {}): Command {
  const { name, args } = parseCommandText(text);
  return { platform: 'slack', workspaceId: 'T1', channelId: 'C1', channelName: 'news', userId: 'U1', ...who, name, args, text, ...over };
}

/**
 * A command handler over a fresh SQLite storage for each test of the calling describe block (hooks it
 * registers), with `extra` dependencies (a real keyword parser, say) over `commandDepsFor`'s.
 */
export function commandsOnFreshSqlite(extra: Partial<CommandDeps> = {}): { readonly storage: Storage; readonly handle: CommandHandler } {
  const t = {} as { storage: Storage; handle: CommandHandler };
  let cleanup: () => Promise<void> = async () => {};
  beforeEach(async () => {
    ({ storage: t.storage, cleanup } = await freshStorage(testDatabases[0]!));
    t.handle = createCommandHandler({ ...commandDepsFor(t.storage), ...extra });
  });
  afterEach(async () => cleanup());
  return t;
}
