// The /news application command: one subcommand per platform-neutral command, with typed options.
// Options are turned back into the same argument list a Slack user would type.
import { SlashCommandBuilder, InteractionContextType, type ChatInputCommandInteraction, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { LATEST_MAX } from '../../commands/latest.ts';
import { tokenizeArgs } from '../../commands/parse-text.ts';
import { COMMANDS } from '../../commands/registry.ts';

export function newsCommand(name = 'news'): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const action = (choices: string[]) => (o: import('discord.js').SlashCommandStringOption) =>
    o.setName('action').setDescription('What to do').setRequired(true).addChoices(...choices.map((c) => ({ name: c, value: c })));
  return new SlashCommandBuilder()
    .setName(name)
    .setDescription('Cyber-diplomacy news alerts for this channel')
    .setContexts(InteractionContextType.Guild)
    .addSubcommand((s) =>
      s.setName('subscribe').setDescription('This channel follows topics (all when none are named)').addStringOption((o) => o.setName('topics').setDescription('Topic ids, space-separated (see /news topics)').setMaxLength(500)),
    )
    .addSubcommand((s) =>
      s.setName('unsubscribe').setDescription('This channel stops following topics (all when none are named)').addStringOption((o) => o.setName('topics').setDescription('Topic ids, space-separated').setMaxLength(500)),
    )
    .addSubcommand((s) =>
      s
        .setName('latest')
        .setDescription('The newest matching stories, summarised')
        .addStringOption((o) => o.setName('topic').setDescription('A topic id (default: this channel\'s topics)').setMaxLength(100))
        .addIntegerOption((o) => o.setName('count').setDescription(`How many (1 to ${LATEST_MAX})`).setMinValue(1).setMaxValue(LATEST_MAX)),
    )
    .addSubcommand((s) =>
      s
        .setName('keywords')
        .setDescription("This channel's extra include terms and -exclude terms")
        .addStringOption(action(['list', 'add', 'remove']))
        .addStringOption((o) => o.setName('terms').setDescription('Terms, space-separated; quote phrases; prefix - to exclude').setMaxLength(1000)),
    )
    .addSubcommand((s) =>
      s
        .setName('brief')
        .setDescription("This channel's digest of the period's stories at a local time (daily or weekly)")
        .addStringOption((o) => o.setName('schedule').setDescription('daily, weekly, off, or show (default show)').addChoices(...['daily', 'weekly', 'off', 'show'].map((c) => ({ name: c, value: c }))))
        .addStringOption((o) => o.setName('time').setDescription('Local time, HH:MM on a 24-hour clock, e.g. 08:00 (without a schedule: the brief\'s new time)').setMaxLength(8))
        .addStringOption((o) => o.setName('zone').setDescription('IANA time zone, e.g. Europe/Berlin, America/New_York, UTC').setMaxLength(64))
        .addStringOption((o) => o.setName('day').setDescription('Weekly briefs: the day (without a schedule: weekly on this day)').addChoices(...['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((c) => ({ name: c, value: c })))),
    )
    .addSubcommand((s) =>
      s
        .setName('mode')
        .setDescription('Live alerts as stories come, only the brief, or both')
        .addStringOption((o) => o.setName('mode').setDescription('live, brief or both (default: show the current one)').addChoices(...['live', 'brief', 'both'].map((c) => ({ name: c, value: c })))),
    )
    .addSubcommand((s) =>
      s
        .setName('quiet')
        .setDescription('Hold live alerts during these hours; they go out as one message when the hours end')
        .addStringOption((o) => o.setName('hours').setDescription('HH:MM-HH:MM, e.g. 22:00-07:00, or off (default: show)').setMaxLength(40))
        .addStringOption((o) => o.setName('zone').setDescription('IANA time zone, e.g. Europe/Berlin (default: the brief\'s)').setMaxLength(64)),
    )
    .addSubcommand((s) =>
      s
        .setName('threads')
        .setDescription("Later coverage of a story as a reply in its thread instead of an edit")
        .addStringOption((o) => o.setName('state').setDescription('on or off (default: show)').addChoices(...['on', 'off'].map((c) => ({ name: c, value: c })))),
    )
    .addSubcommand((s) => s.setName('topics').setDescription('The topics a channel can follow'))
    .addSubcommand((s) =>
      s
        .setName('feeds')
        .setDescription("Feeds this server watches: global ones and its own (its admins add and remove its own)")
        .addStringOption(action(['list', 'add', 'remove']))
        .addStringOption((o) => o.setName('feed').setDescription('A feed URL (add, remove) or id (remove); list: the page, e.g. 2').setMaxLength(2000))
        .addBooleanOption((o) => o.setName('global').setDescription("Operators only: a global feed, for every server's channels")),
    )
    .addSubcommand((s) => s.setName('status').setDescription("This channel's topics, keywords, alert state and feedback"))
    .addSubcommand((s) =>
      s
        .setName('why')
        .setDescription("A stored story's score and reasons (only you see the answer)")
        .addStringOption((o) => o.setName('story').setDescription("The story's link, or an alert number").setRequired(true).setMaxLength(2000)),
    )
    .addSubcommand((s) =>
      s
        .setName('help')
        .setDescription('How to use /news')
        .addStringOption((o) => o.setName('command').setDescription('One command (default: all)').addChoices(...COMMANDS.map((m) => ({ name: m.name, value: m.name })))),
    )
    .toJSON();
}

/** The subcommand's options as command-line arguments, in the order the neutral command expects. */
export function argsOf(i: ChatInputCommandInteraction): { name: string; args: string[]; text: string } {
  const name = i.options.getSubcommand(false) ?? '';
  const str = (n: string) => i.options.getString(n) ?? '';
  let args: string[];
  switch (name) {
    case 'subscribe':
    case 'unsubscribe':
      args = tokenizeArgs(str('topics'));
      break;
    case 'latest': {
      const count = i.options.getInteger('count');
      args = [...tokenizeArgs(str('topic')), ...(count === null ? [] : [String(count)])];
      break;
    }
    case 'keywords':
      args = [str('action') || 'list', ...tokenizeArgs(str('terms'))];
      break;
    case 'feeds':
      args = [str('action') || 'list', ...(i.options.getBoolean('global') ? ['global'] : []), ...tokenizeArgs(str('feed'))];
      break;
    case 'why':
      args = tokenizeArgs(str('story'));
      break;
    case 'brief': {
      // The order /news brief takes: daily|weekly [day] time [zone]. Without a schedule, a day means weekly
      // and a time alone moves the channel's brief (`/news brief 09:00 [zone]`); with neither, it is show.
      const timed = str('time') !== '' || str('day') !== '';
      const schedule = str('schedule') || (str('day') ? 'weekly' : timed ? '' : 'show');
      args = [...(schedule ? [schedule] : []), ...(str('day') ? [str('day')] : []), ...tokenizeArgs(str('time')), ...tokenizeArgs(str('zone'))];
      break;
    }
    case 'mode':
      args = tokenizeArgs(str('mode'));
      break;
    case 'quiet':
      args = [...tokenizeArgs(str('hours')), ...tokenizeArgs(str('zone'))];
      break;
    case 'threads':
      args = tokenizeArgs(str('state'));
      break;
    case 'help':
      args = tokenizeArgs(str('command'));
      break;
    default:
      args = [];
  }
  // The text as typed, each option's value in the order given (quotes kept: a reply may read them), for messages.
  const typed = (i.options.data[0]?.options ?? []).map((o) => (typeof o.value === 'boolean' ? (o.value ? o.name : '') : String(o.value ?? '')));
  return { name, args, text: [name, ...typed].filter((part) => part !== '').join(' ') };
}
