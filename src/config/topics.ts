// The topics file (config/topics.yaml): a strict schema and a loader whose errors name the file, the key,
// the value and what is allowed, in one sentence.
import { z } from 'zod';
import type { GroupTerm, Topic } from '../domain/types.ts';
import { ConfigError } from '../lib/errors.ts';
import { termVariants } from '../matching/term-variants.ts';
import { allowedText, show, valueAt } from './issue-text.ts';
import { readYamlFile } from './yaml-file.ts';

const TERM_MAX = 2000;
/**
 * Phrases and spellings all terms of a file may expand to: the shipped topics need about 12,500; a file of
 * 5,000 terms each with 1,000 (a|b) combinations would need minutes and gigabytes to compile.
 */
export const MAX_TERM_VARIANTS = 200_000;
/** Largest topics file read. */
export const MAX_TOPICS_FILE_BYTES = 5 * 1024 * 1024;
/** Largest threshold a topic may have. */
export const THRESHOLD_MAX = 10_000;
const termText = z.string().trim().min(1).max(TERM_MAX);

const termObject = z
  .object({
    term: termText,
    weight: z.number().min(-100).max(100).default(1),
    case: z.enum(['auto', 'exact', 'fold']).optional(),
    not_before_target: z.literal(true).optional(),
  })
  .strict();
const weightedTerm = z.union([termText, termObject]);
/** A group entry: a term string, or a term object (its weight is ignored), e.g. a YAML alias of a term. */
const groupTerm = weightedTerm;

const groups = z
  .object({
    all_of: z.array(z.array(groupTerm).min(1).max(1000)).max(20).optional(),
    any_of: z.array(groupTerm).min(1).max(1000).optional(),
    none_of: z.array(groupTerm).min(1).max(1000).optional(),
  })
  .strict();

export const topicSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'expected lower-case letters, digits and dashes, at most 40'),
    name: z.string().trim().min(1).max(100),
    description: z.string().trim().max(1000).default(''),
    terms: z.array(weightedTerm).min(1).max(5000),
    groups: groups.optional(),
    threshold: z.number().min(0).max(THRESHOLD_MAX),
  })
  .strict();

export const topicsFileSchema = z.object({ topics: z.array(topicSchema).min(1).max(200) }).strict();

export type TopicsFile = z.infer<typeof topicsFileSchema>;

const ALLOWED_KEYS: Record<string, string[]> = {
  root: ['topics'],
  topic: Object.keys(topicSchema.shape),
  term: ['term', 'weight', 'case', 'not_before_target'],
  groups: ['all_of', 'any_of', 'none_of'],
};

/** A term's options as a topics file writes them. */
interface FileTermOptions {
  case?: 'auto' | 'exact' | 'fold' | undefined;
  not_before_target?: true | undefined;
}

/** A term's options from the file's keys to the domain's, only those set (topicsToFile's optionsToFile reverses it). */
const optionsFromFile = (x: FileTermOptions): { case?: 'auto' | 'exact' | 'fold'; notBeforeTarget?: true } => ({
  ...(x.case ? { case: x.case } : {}),
  ...(x.not_before_target ? { notBeforeTarget: true as const } : {}),
});

/** A term's options from the domain's keys to the file's, only those set. */
const optionsToFile = (x: { case?: 'auto' | 'exact' | 'fold'; notBeforeTarget?: true }): FileTermOptions => ({
  ...(x.case ? { case: x.case } : {}),
  ...(x.notBeforeTarget ? { not_before_target: true as const } : {}),
});

/** Converts the validated file into domain Topics. */
export function topicsFromFile(file: TopicsFile): Topic[] {
  return file.topics.map((t) => {
    const topic: Topic = {
      id: t.id,
      name: t.name,
      description: t.description,
      terms: t.terms.map((x) =>
        typeof x === 'string'
          ? { term: x, weight: 1 }
          : { term: x.term, weight: x.weight, ...optionsFromFile(x) },
      ),
      threshold: t.threshold,
    };
    if (t.groups) {
      // A group entry keeps only the options that change it ('auto' is the default case mode), else it is its text.
      const g = (x: string | ({ term: string } & FileTermOptions)): GroupTerm => {
        if (typeof x === 'string') return x;
        const options = optionsFromFile({ ...x, case: x.case === 'auto' ? undefined : x.case });
        return Object.keys(options).length > 0 ? { term: x.term, ...options } : x.term;
      };
      topic.groups = {
        ...(t.groups.all_of ? { allOf: t.groups.all_of.map((list) => list.map(g)) } : {}),
        ...(t.groups.any_of ? { anyOf: t.groups.any_of.map(g) } : {}),
        ...(t.groups.none_of ? { noneOf: t.groups.none_of.map(g) } : {}),
      };
    }
    return topic;
  });
}

/** The topics in the file's own shape (what topicsFromFile reads back): saved versions are stored like this. */
export function topicsToFile(topics: readonly Topic[]): TopicsFile {
  const entry = (x: GroupTerm) => {
    if (typeof x === 'string') return x;
    const options = optionsToFile(x);
    return Object.keys(options).length > 0 ? { term: x.term, weight: 1, ...options } : x.term;
  };
  return {
    topics: topics.map((t) => ({
      id: t.id,
      name: t.name,
      description: t.description,
      terms: t.terms.map((x) => ({ term: x.term, weight: x.weight, ...optionsToFile(x) })),
      ...(t.groups
        ? {
            groups: {
              ...(t.groups.allOf ? { all_of: t.groups.allOf.map((list) => list.map(entry)) } : {}),
              ...(t.groups.anyOf ? { any_of: t.groups.anyOf.map(entry) } : {}),
              ...(t.groups.noneOf ? { none_of: t.groups.noneOf.map(entry) } : {}),
            },
          }
        : {}),
      threshold: t.threshold,
    })),
  };
}

/**
 * Validates parsed YAML (or JSON) as a topics file; `source` names it in errors. Throws ConfigError with
 * one sentence: file, key, value, what is allowed.
 */
export function parseTopics(raw: unknown, source: string): Topic[] {
  const parsed = topicsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(issue ? describeTopicIssue(issue, raw, source) : `topics: ${source} is invalid.`);
  }
  const seen = new Set<string>();
  let variants = 0;
  parsed.data.topics.forEach((t, i) => {
    if (seen.has(t.id)) {
      throw new ConfigError(`topics: ${source}: topics.${i}.id = "${t.id}" is a duplicate; each topic needs its own id.`);
    }
    seen.add(t.id);
    const check = (key: string, term: string, mode?: 'auto' | 'exact' | 'fold') => {
      try {
        variants += termVariants(term, mode ?? 'auto').length;
      } catch (err) {
        throw new ConfigError(
          `topics: ${source}: ${key} = ${show(term)} is invalid: it ${(err as Error).message}; write words, phrases and (a|b) alternatives.`,
        );
      }
      if (variants > MAX_TERM_VARIANTS) {
        throw new ConfigError(
          `topics: ${source}: the terms expand to more than ${MAX_TERM_VARIANTS} phrases and spellings in all (reached at ${key}); use fewer terms or (a|b) alternatives.`,
        );
      }
    };
    t.terms.forEach((x, j) =>
      typeof x === 'string' ? check(`topics.${i}.terms.${j}`, x) : check(`topics.${i}.terms.${j}.term`, x.term, x.case),
    );
    const checkEntry = (key: string, x: string | { term: string; case?: 'auto' | 'exact' | 'fold' | undefined }) =>
      typeof x === 'string' ? check(key, x) : check(`${key}.term`, x.term, x.case);
    t.groups?.all_of?.forEach((list, g) => list.forEach((x, j) => checkEntry(`topics.${i}.groups.all_of.${g}.${j}`, x)));
    t.groups?.any_of?.forEach((x, j) => checkEntry(`topics.${i}.groups.any_of.${j}`, x));
    t.groups?.none_of?.forEach((x, j) => checkEntry(`topics.${i}.groups.none_of.${j}`, x));
  });
  return topicsFromFile(parsed.data);
}

/** Reads and validates a topics YAML file. */
export async function loadTopicsFile(path: string): Promise<Topic[]> {
  const raw = await readYamlFile(path, {
    prefix: 'topics',
    namedBy: 'topics.file or --topics',
    check: 'check the path given in topics.file or --topics',
    maxBytes: MAX_TOPICS_FILE_BYTES,
    holds: 'a topics file holds terms, not documents',
    maxAliasCount: 10_000,
  });
  if (raw === null || raw === undefined) throw new ConfigError(`topics: ${path} is empty; it needs a "topics:" list (see config/topics.yaml).`);
  return parseTopics(raw, path);
}

function keysAllowedAt(keyPath: PropertyKey[]): string[] {
  const names = keyPath.filter((k) => typeof k === 'string');
  const last = names[names.length - 1];
  if (keyPath.length === 0) return ALLOWED_KEYS.root ?? [];
  if (last === 'groups') return ALLOWED_KEYS.groups ?? [];
  if (last === 'terms' || last === 'all_of' || last === 'any_of' || last === 'none_of') return ALLOWED_KEYS.term ?? [];
  return ALLOWED_KEYS.topic ?? [];
}

/** For a union (a term is a string or an object), the issue of the branch that fits the value's shape. */
function unwrapUnion(issue: z.core.$ZodIssue, raw: unknown): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union') return issue;
  const branches = issue.errors.filter((b) => b.length > 0 && !(b[0]?.code === 'invalid_type' && b[0].path.length === 0));
  const inner = branches[0]?.[0];
  if (!inner) return issue;
  return unwrapUnion({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue, raw);
}

export function describeTopicIssue(outer: z.core.$ZodIssue, raw: unknown, source: string): string {
  const issue = unwrapUnion(outer, raw);
  const key = issue.path.map(String).join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    return `topics: ${source}: ${key} has unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}; allowed keys are ${keysAllowedAt(issue.path).join(', ')}.`;
  }
  const value = valueAt(raw, issue.path);
  const allowed = topicAllowedText(issue, issue.path);
  if (value === undefined) return `topics: ${source}: ${key} is missing; ${allowed}.`;
  return `topics: ${source}: ${key} = ${show(value)} is invalid; ${allowed}.`;
}

function topicAllowedText(issue: z.core.$ZodIssue, keyPath: PropertyKey[]): string {
  if (issue.code !== 'invalid_union') return allowedText(issue);
  const last = keyPath[keyPath.length - 1];
  return typeof last === 'number' && keyPath.includes('terms') ? 'expected a term string or {term, weight, case}' : 'expected a term string';
}
