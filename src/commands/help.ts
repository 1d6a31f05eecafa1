// /news help [command]: every command with its usage, or one command's usage.
import { closest } from '../lib/closest.ts';
import type { CommandModule } from './types.ts';
import { reply } from './types.ts';
import { typedText } from './typed-text.ts';

export function helpCommand(all: () => readonly CommandModule[]): CommandModule {
  const self: CommandModule = {
    name: 'help',
    usage: '/news help [command]',
    summary: 'this list, or one command\'s usage',
    permission: () => 'anyone',
    action: 'see help',
    async run({ cmd }) {
      const list = all();
      // `help /news latest`, `help /latest` and `help latest` all ask about latest.
      const words = cmd.args.map((a) => a.toLowerCase());
      if (words[0] === '/news' || words[0] === 'news') words.shift();
      const wanted = words[0]?.replace(/^\//, '');
      const one = wanted ? list.find((m) => m.name === wanted) : undefined;
      if (one) return reply(`${one.usage}: ${one.summary}.`);
      const meant = wanted ? list.find((m) => m.name === closest(wanted, list.map((x) => x.name))) : undefined;
      if (wanted && meant) return reply(`There is no /news ${typedText(wanted)} command; did you mean /news ${meant.name}? ${meant.usage}: ${meant.summary}.`, { quoted: [typedText(wanted)] });
      const lines = list.map((m) => `${m.usage}: ${m.summary}`);
      const lead = wanted ? `There is no /news ${typedText(wanted)} command. ` : '';
      return reply(`${lead}cyberbrief posts sourced summaries of cyber-diplomacy news. Commands:\n${lines.join('\n')}`, wanted ? { quoted: [typedText(wanted)] } : {});
    },
  };
  return self;
}
