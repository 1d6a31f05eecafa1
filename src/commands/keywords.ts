// /news keywords add|remove|list [term...]: channel-level include terms, and `-term` excludes.
import { UsageError, errorMessage } from '../lib/errors.ts';
import { keywordKey, MAX_KEYWORD_WORDS } from '../matching/keywords.ts';
import { ownedByAnother, sharedChannelSentence } from './shared-channel.ts';
import { typedQuoted, typedUsage } from './typed-text.ts';
import { reply, type CommandModule } from './types.ts';
import { unknownAction } from './unknown-action.ts';

const DEFAULT_MAX = 50;

export const keywords: CommandModule = {
  name: 'keywords',
  usage: '/news keywords add|remove|list [term...] (each word is a keyword; quote a phrase, "trade secrets"; prefix a term with - to exclude it)',
  summary: 'this channel\'s extra include terms and -exclude terms on top of its topics',
  // Only add and remove change anything: a mistyped action gets its usage, not a refusal.
  permission: (args) => (['add', 'remove'].includes(args[0]?.toLowerCase() ?? '') ? 'manage_channel' : 'anyone'),
  action: "change this channel's keywords",
  async run({ cmd, deps, now, usage, channel, findChannel }) {
    const [actionRaw, ...terms] = cmd.args;
    const action = (actionRaw ?? 'list').toLowerCase();
    if (action === 'list') {
      if (terms.length > 0) throw new UsageError(`Usage: ${usage}.`);
      const ch = await findChannel();
      if (ownedByAnother(ch, cmd)) return reply(sharedChannelSentence(cmd.platform, 'keywords are'));
      const list = ch ? await deps.channels.keywords(ch.id) : [];
      if (list.length === 0) return reply('This channel has no keywords; add some with /news keywords add <term> or exclude with -<term>.');
      const inc = list.filter((k) => !k.exclude).map((k) => `"${k.term}"`);
      const exc = list.filter((k) => k.exclude).map((k) => `"${k.term}"`);
      // The terms are what users typed: quoted, so an adapter makes them inert.
      return reply(`Keywords: ${inc.length ? `include ${inc.join(', ')}` : 'no include terms'}; ${exc.length ? `exclude ${exc.join(', ')}` : 'no exclude terms'}.`, { quoted: list.map((k) => k.term) });
    }
    if (action !== 'add' && action !== 'remove') throw unknownAction('keywords', action, ['add', 'remove', 'list'], usage);
    if (terms.length === 0) throw new UsageError(`Usage: ${usage}.`);

    const parsed = terms.map((raw) => {
      try {
        return deps.parseKeyword(raw);
      } catch (err) {
        // A keyword stored before a rule refused its form (`-ransomware`, `a,b`) can still be removed as typed.
        const legacy = /^([-+]?)(.+)$/.exec(raw.trim());
        if (action === 'remove' && legacy) return { term: legacy[2]!.replace(/^(["'\u201c\u2018])(.*)["'\u201d\u2019]$/, '$2').trim(), exclude: legacy[1] === '-' };
        // Echoed without invisible characters (a bidi override would reorder the rest of the reply).
        // Quoted here once (the parser's sentence says "it"), cut as every shown text is (never half an emoji).
        throw typedUsage(`Keyword ${typedQuoted(raw, 61)} is not valid: ${errorMessage(err).replace(/^keyword: /, '').replace(/\.$/, '')}.`, typedQuoted(raw, 61), ...(err instanceof UsageError ? err.quoted : []));
      }
    });
    // One keyword per key: `Espionage` names the stored `espionage` (matching ignores that case), `APT` does not name `apt`.
    const unique = parsed.filter((p, i) => parsed.findIndex((q) => keywordKey(q.term) === keywordKey(p.term) && q.exclude === p.exclude) === i);
    if (action === 'add') {
      const both = unique.find((p) => unique.some((q) => keywordKey(q.term) === keywordKey(p.term) && q.exclude !== p.exclude));
      if (both) throw typedUsage(`"${both.term}" is given both to include and to exclude; give it once, as ${both.term} or -${both.term}.`, both.term);
    }
    const ch = await channel();
    const have = await deps.channels.keywords(ch.id);
    const stored = (term: string) => have.find((k) => keywordKey(k.term) === keywordKey(term));
    if (action === 'add') {
      const max = deps.maxKeywordsPerChannel ?? DEFAULT_MAX;
      const fresh = unique.filter((p) => !stored(p.term));
      if (have.length + fresh.length > max) {
        throw new UsageError(`A channel can hold ${max} keywords and this one has ${have.length}; remove some first.`);
      }
      const changed: string[] = [];
      for (const p of unique) {
        // A term that was there with the other sign changes sign: say so, it is not a new keyword.
        const was = stored(p.term);
        const term = was?.term ?? p.term;
        const flipped = was !== undefined && was.exclude !== p.exclude;
        if (await deps.channels.addKeyword(ch.id, term, p.exclude, cmd.userId, now)) changed.push(`${p.exclude ? '-' : ''}"${term}"${flipped ? ` (it was ${p.exclude ? 'included' : 'excluded'} before)` : ''}`);
      }
      return reply(changed.length ? `Added ${changed.join(', ')}.${phraseHint(cmd.text, unique, changed.length)}` : 'Nothing changed: those keywords were already there.', { quoted: unique.map((p) => stored(p.term)?.term ?? p.term) });
    }
    const removed: string[] = [];
    // `remove -x` names the exclude term: it leaves an include keyword x alone (plain `remove x` takes either).
    const included = unique.filter((p) => p.exclude && stored(p.term)?.exclude === false).map((p) => stored(p.term)!.term);
    for (const p of unique) {
      const was = stored(p.term);
      if (!was || included.includes(was.term)) continue;
      if (await deps.channels.removeKeyword(ch.id, was.term)) removed.push(`"${was.term}"`);
    }
    const note = included.map((t) => ` "${t}" is an include keyword, not an exclude one; /news keywords remove ${t} removes it.`).join('');
    return reply(`${removed.length ? `Removed ${removed.join(', ')}.` : included.length ? 'Nothing changed.' : 'Nothing changed: this channel had none of those keywords.'}${note}`, { quoted: have.map((k) => k.term) });
  },
};

/**
 * Words are separate keywords (`add trade secrets` adds "trade" and "secrets", each matched on its own), as
 * the usage says; when one command added several single words, none of them quoted, the reply says so and shows the phrase
 * quoted, since a user who meant the phrase would otherwise learn it only from the alerts it lets through.
 */
function phraseHint(typed: string, added: readonly { term: string; exclude: boolean }[], changed: number): string {
  // Quotes typed anywhere (add "AT&T" "<b>"): the user knows how to group words.
  if (/["'\u201c\u201d\u2018\u2019\u00ab\u00bb]/.test(typed)) return '';
  const words = added.filter((p) => !p.exclude && !p.term.includes(' ')).map((p) => p.term);
  if (changed < 2 || words.length < 2 || words.length > MAX_KEYWORD_WORDS) return '';
  return ` Each is a keyword on its own; for the phrase, quote it: /news keywords add "${words.join(' ')}" (and /news keywords remove ${words.join(' ')}).`;
}
