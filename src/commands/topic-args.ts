// Resolves topic arguments (ids, case-insensitive, or `all`) against the loaded topics.
import type { Topic } from '../domain/types.ts';
import { closest } from '../lib/closest.ts';
import { UsageError } from '../lib/errors.ts';
import { typedQuoted, typedUsage } from './typed-text.ts';

export function knownTopicsSentence(topics: readonly Topic[]): string {
  return topics.length === 0 ? 'no topics are configured' : `known topics are ${topics.map((t) => t.id).join(', ')}`;
}

/** The topic `arg` names by id or name, in any case and in compatibility forms (full-width letters read as ASCII ones). */
export function findTopic(topics: readonly Topic[], arg: string): Topic | undefined {
  const a = arg.normalize('NFKC').toLowerCase().replace(/^#/, '');
  return topics.find((t) => t.id === a) ?? topics.find((t) => t.name.toLowerCase() === a);
}

/**
 * The arguments with a topic's name, typed with quotes or without (`State cyber operations`), turned into
 * that topic's id, the longest name first; every other argument as it was. A name may hold a comma (`"Cyber
 * talks, agreements and norms"`), so it is looked for before commas split a list, and a comma after it (a
 * list's) is not part of it.
 */
export function joinTopicNames(topics: readonly Topic[], args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    let j = args.length;
    let named: Topic | undefined;
    while (j > i && !(named = findTopic(topics, args.slice(i, j).join(' ').replace(/,$/, '')))) j--;
    if (named) {
      out.push(named.id);
      i = j - 1;
    } else out.push(args[i]!);
  }
  return out;
}

/** Whether the arguments ask for every topic: none, or `all` alone (as resolveTopics reads them). */
export function namesEveryTopic(topics: readonly Topic[], given: readonly string[]): boolean {
  const args = joinTopicNames(topics, given);
  return args.length === 0 || (args.length === 1 && args[0]!.toLowerCase() === 'all');
}

/** Topic ids for the arguments; none or `all` means every topic. Unknown ones throw one sentence. */
export function resolveTopics(topics: readonly Topic[], given: readonly string[]): Topic[] {
  if (namesEveryTopic(topics, given)) return [...topics];
  const args = joinTopicNames(topics, given);
  const out: Topic[] = [];
  const unknown: string[] = [];
  const named = args.flatMap((a) => a.split(',')).map((a) => a.trim()).filter((a) => a !== '');
  // Arguments that name nothing (`,`) are not "all topics": say what to type.
  if (named.length === 0) throw new UsageError(`Name topics by id, or none for all; ${knownTopicsSentence(topics)} (see /news topics).`);
  // `all` beside topics is not a topic: say that it stands alone (unless a topic is called all).
  if (named.length > 1 && named.some((a) => a.toLowerCase() === 'all' && !findTopic(topics, a))) {
    throw new UsageError(`"all" means every topic and stands alone; name topics without it, or give all (or nothing) for every topic.`);
  }
  for (const arg of named) {
    const t = findTopic(topics, arg);
    if (!t) unknown.push(arg);
    else if (!out.includes(t)) out.push(t);
  }
  if (unknown.length > 0) throw unknownTopics(topics, unknown);
  return out;
}

/**
 * The sentence for topics typed that name none: what was typed, the topic meant when one was typed and
 * exactly one id is near it (`state-spywar`, a look-alike letter or dash), and the known ones.
 */
export function unknownTopics(topics: readonly Topic[], unknown: readonly string[]): UsageError {
  const typed = unknown.slice(0, 5).map((u) => typedQuoted(u));
  const shown = typed.join(', ');
  const meant = unknown.length === 1 ? closest(unknown[0]!.normalize('NFKC').replace(/^#/, ''), topics.map((t) => t.id)) : null;
  const known = knownTopicsSentence(topics);
  const rest = meant ? `did you mean ${meant}? ${known[0]!.toUpperCase()}${known.slice(1)}` : known;
  return typedUsage(`Unknown topic ${shown}; ${rest} (see /news topics).`, ...typed);
}

/**
 * The topics' names in the topics file's order (storage keeps ids sorted, which shown as names reads as no
 * order at all); an id the file no longer holds comes last, as it is.
 */
export function topicNames(topics: readonly Topic[], ids: readonly string[]): string {
  const wanted = new Set(ids);
  const known = topics.filter((t) => wanted.has(t.id));
  return [...known.map((t) => t.name), ...ids.filter((id) => !known.some((t) => t.id === id))].join(', ');
}
