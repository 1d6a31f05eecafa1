// The commands, by name. Adding a command is adding a module here; nothing else dispatches on names.
import { brief } from './brief.ts';
import { feeds } from './feeds.ts';
import { helpCommand } from './help.ts';
import { keywords } from './keywords.ts';
import { latest } from './latest.ts';
import { mode } from './mode.ts';
import { quiet } from './quiet.ts';
import { status } from './status.ts';
import { subscribe } from './subscribe.ts';
import { threads } from './threads.ts';
import { topics } from './topics.ts';
import type { CommandModule } from './types.ts';
import { unsubscribe } from './unsubscribe.ts';
import { why } from './why.ts';

const base: CommandModule[] = [subscribe, unsubscribe, latest, keywords, brief, mode, quiet, threads, topics, feeds, status, why];

export const COMMANDS: readonly CommandModule[] = [...base, helpCommand(() => COMMANDS)];

export const commandsByName: ReadonlyMap<string, CommandModule> = new Map(COMMANDS.map((m) => [m.name, m]));

/** Whether a command's reply is shown to the channel; adapters that must defer a reply decide its visibility up front. */
export function replyIsPublic(name: string): boolean {
  return commandsByName.get(name)?.public === true;
}
