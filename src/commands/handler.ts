// createCommandHandler: the one entry point adapters call. Finds the command, checks the caller may run it,
// runs it, and turns a usage error into one sentence for the caller. Unexpected errors are logged and the
// caller gets an apology, never a stack trace.
import type { Command, CommandHandler, Reply } from '../domain/chat.ts';
import type { Channel } from '../domain/types.ts';
import { closest } from '../lib/closest.ts';
import { UsageError, errorMessage, isStorageFailure } from '../lib/errors.ts';
import { allowed, refusal, tenantNoun } from './permissions.ts';
import { commandsByName } from './registry.ts';
import { reply, type CommandContext, type CommandDeps } from './types.ts';

export function createCommandHandler(deps: CommandDeps): CommandHandler {
  return async (cmd: Command): Promise<Reply> => {
    const name = cmd.name === '' ? 'help' : cmd.name;
    const mod = commandsByName.get(name);
    if (!mod) {
      const meant = closest(cmd.name, [...commandsByName.keys()]);
      return reply(`There is no /news ${cmd.name.slice(0, 40)} command; ${meant ? `did you mean /news ${meant}? See` : 'try'} /news help.`);
    }
    const need = mod.permission(cmd.args);
    if (need !== 'anyone' && !allowed(cmd, need)) {
      deps.logger?.info({ platform: cmd.platform, channel: cmd.channelId, user: cmd.userId, command: name }, 'commands: refused, missing permission');
      return reply(refusal(cmd, need, typeof mod.action === 'function' ? mod.action(cmd.args) : mod.action));
    }
    const now = deps.clock.now();
    let cached: Promise<Channel | null> | null = null;
    // A channel is changed only through the workspace it belongs to (a Slack channel can be shared).
    const own = (ch: Channel): Channel => {
      if (ch.workspaceId === cmd.workspaceId) return ch;
      deps.logger?.info({ platform: cmd.platform, channel: cmd.channelId, user: cmd.userId, command: name }, 'commands: refused, the channel belongs to another workspace');
      const noun = tenantNoun(cmd.platform);
      throw new UsageError(`This channel is shared with another ${noun} and belongs to it; only that ${noun} can change what the channel receives.`);
    };
    const ctx: CommandContext = {
      cmd,
      deps,
      now,
      usage: mod.usage,
      tenant: { platform: cmd.platform, workspaceId: cmd.workspaceId },
      findChannel: () => (cached ??= deps.channels.find(cmd.platform, cmd.channelId)),
      findOwnChannel: async () => {
        const ch = await (cached ??= deps.channels.find(cmd.platform, cmd.channelId));
        return ch && own(ch);
      },
      channel: async () => {
        const ch = await deps.channels.upsert({ platform: cmd.platform, externalId: cmd.channelId, workspaceId: cmd.workspaceId, name: cmd.channelName }, now);
        cached = Promise.resolve(ch);
        return own(ch);
      },
    };
    try {
      const out = await mod.run(ctx);
      deps.logger?.info({ platform: cmd.platform, channel: cmd.channelId, user: cmd.userId, command: name }, `commands: ran /news ${name}`);
      return out;
    } catch (err) {
      if (err instanceof UsageError) return reply(err.message);
      if (isStorageFailure(err)) {
        // The outage itself is logged once by the storage monitor.
        deps.logger?.info({ platform: cmd.platform, channel: cmd.channelId, command: name, failure: err.failure }, `commands: /news ${name} not done: the database is not usable right now`);
        return reply(`Sorry, /news ${name} could not be done: cyberbrief cannot use its database right now (the operator is told); try again in a minute.`);
      }
      deps.logger?.error({ err, platform: cmd.platform, channel: cmd.channelId, command: name }, `commands: /news ${name} failed: ${errorMessage(err)}`);
      return reply(`Sorry, /news ${name} failed on our side; the error was logged for the operator.`);
    }
  };
}
