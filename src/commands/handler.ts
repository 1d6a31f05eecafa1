// createCommandHandler: the one entry point adapters call. Finds the command, checks the caller may run it,
// runs it, and turns a usage error into one sentence for the caller. A caller without the rights has the
// command tried over read-only dependencies (read-only.ts), so a malformed command is explained to them
// too. Unexpected errors are logged and the caller gets an apology, never a stack trace.
import type { Command, CommandHandler, Reply } from '../domain/chat.ts';
import type { Channel } from '../domain/types.ts';
import { closest } from '../lib/closest.ts';
import { UsageError, errorMessage, isStorageFailure } from '../lib/errors.ts';
import { allowed, refusal, tenantNoun } from './permissions.ts';
import { commandsByName } from './registry.ts';
import { readOnlyDeps, WouldChange } from './read-only.ts';
import { reply, type CommandContext, type CommandDeps, type CommandModule } from './types.ts';
import { typedText } from './typed-text.ts';

export function createCommandHandler(deps: CommandDeps): CommandHandler {
  return async (cmd: Command): Promise<Reply> => {
    const name = cmd.name === '' ? 'help' : cmd.name;
    const mod = commandsByName.get(name);
    if (!mod) {
      const meant = closest(cmd.name, [...commandsByName.keys()]);
      return reply(`There is no /news ${typedText(cmd.name)} command; ${meant ? `did you mean /news ${meant}? See` : 'try'} /news help.`, { quoted: [typedText(cmd.name)] });
    }
    const need = mod.permission(cmd.args);
    if (need !== 'anyone' && !allowed(cmd, need)) {
      // Tried over storage that refuses every change: a malformed command is explained (with who may make
      // the change); anything else (a change, or an answer such as "nothing changed") is refused. Nothing
      // is changed either way.
      const what = typeof mod.action === 'function' ? mod.action(cmd.args) : mod.action;
      const tried = await run(mod, cmd, readOnlyDeps(deps), name, true);
      const malformed = tried.usage === true;
      deps.logger?.info({ platform: cmd.platform, channel: cmd.channelId, user: cmd.userId, command: name, malformed }, 'commands: refused, missing permission');
      return reply(malformed ? `${tried.reply.text} ${refusal(cmd, need, what, true)}` : refusal(cmd, need, what), { quoted: malformed ? (tried.reply.quoted ?? []) : [] });
    }
    return (await run(mod, cmd, deps, name, false)).reply;
  };

  /**
   * Runs the command; a usage error becomes its sentence (`usage`), a WouldChange (a read-only run) an empty reply. In a
   * read-only run, channel() gives the stored channel without creating or renaming it (WouldChange when
   * there is none), so the command goes on checking its arguments up to its first change.
   */
  async function run(mod: CommandModule, cmd: Command, ports: CommandDeps, name: string, readOnly: boolean): Promise<{ reply: Reply; usage?: boolean }> {
    const now = deps.clock.now();
    let cached: Promise<Channel | null> | null = null;
    // A channel is changed only through the workspace it belongs to (a Slack channel can be shared).
    const own = (ch: Channel): Channel => {
      if (ch.workspaceId === cmd.workspaceId) return ch;
      deps.logger?.info({ platform: cmd.platform, channel: cmd.channelId, user: cmd.userId, command: name }, 'commands: refused, the channel belongs to another workspace');
      const noun = tenantNoun(cmd.platform);
      throw new UsageError(`This channel is shared with another ${noun} and belongs to it; only that ${noun} can change what the channel receives.`);
    };
    const find = () => (cached ??= ports.channels.find(cmd.platform, cmd.channelId));
    const ctx: CommandContext = {
      cmd,
      deps: ports,
      now,
      usage: mod.usage,
      tenant: { platform: cmd.platform, workspaceId: cmd.workspaceId },
      findChannel: find,
      findOwnChannel: async () => {
        const ch = await find();
        return ch && own(ch);
      },
      channel: async () => {
        if (readOnly) {
          const found = await find();
          if (!found) throw new WouldChange('creating the channel');
          return own(found);
        }
        const ch = await ports.channels.upsert({ platform: cmd.platform, externalId: cmd.channelId, workspaceId: cmd.workspaceId, name: cmd.channelName }, now);
        cached = Promise.resolve(ch);
        return own(ch);
      },
    };
    try {
      const out = await mod.run(ctx);
      deps.logger?.info({ platform: cmd.platform, channel: cmd.channelId, user: cmd.userId, command: name }, `commands: ran /news ${name}`);
      return { reply: out };
    } catch (err) {
      if (err instanceof WouldChange) return { reply: reply('') };
      // What the sentence quotes of the user's typing goes with it, for the adapter to show as typed.
      if (err instanceof UsageError) return { reply: reply(err.message, { quoted: err.quoted }), usage: true };
      if (isStorageFailure(err)) {
        // The outage itself is logged once by the storage monitor.
        deps.logger?.info({ platform: cmd.platform, channel: cmd.channelId, command: name, failure: err.failure }, `commands: /news ${name} not done: the database is not usable right now`);
        return { reply: reply(`Sorry, /news ${name} could not be done: cyberbrief cannot use its database right now (the operator is told); try again in a minute.`) };
      }
      deps.logger?.error({ err, platform: cmd.platform, channel: cmd.channelId, command: name }, `commands: /news ${name} failed: ${errorMessage(err)}`);
      return { reply: reply(`Sorry, /news ${name} failed on our side; the error was logged for the operator.`) };
    }
  }
}
