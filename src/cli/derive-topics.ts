// cyberbrief derive-topics: propose a topic (YAML) from reference documents.
import { UsageError } from '../lib/errors.ts';
import { buildBackground, deriveTopicDetailed, renderDerivedTopicYaml } from '../matching/derive-topic.ts';
import { stripMarkup } from '../matching/text.ts';
import { readInput } from './read-input.ts';
import { echoed } from './format.ts';
import type { CliCommand } from './types.ts';

/** Title and description of each JSONL line (lines that are not JSON objects are skipped). */
function* backgroundTexts(jsonl: string): Generator<string> {
  for (const line of jsonl.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const o = JSON.parse(line) as { title?: unknown; description?: unknown };
      const parts = [o.title, o.description].filter((x): x is string => typeof x === 'string');
      if (parts.length > 0) yield stripMarkup(parts.join('\n'));
    } catch {
      continue;
    }
  }
}

export const command: CliCommand = {
  name: 'derive-topics',
  summary: 'propose a topic (YAML) from reference documents',
  usage: [
    'Usage: cyberbrief derive-topics DOC... [--background ITEMS.jsonl] [--id ID] [--name NAME] [--max-terms N]',
    '',
    'Reads plain-text reference documents (first line: the title) and prints a proposed topic as YAML for',
    'config/topics.yaml: key words and phrases weighted by TF-IDF. Without --background, a built-in list of',
    'common English news words stands in for a background corpus.',
    '',
    'Options:',
    '  --background FILE  JSON Lines with "title" and "description" (e.g. news items) for document frequencies',
    '  --id ID            topic id (default derived-topic)',
    '  --name NAME        topic name (default: the first document\'s title)',
    '  --max-terms N      how many terms to propose (default 20, at most 200)',
  ].join('\n'),
  options: {
    background: { type: 'string' },
    id: { type: 'string' },
    name: { type: 'string' },
    'max-terms': { type: 'string' },
  },
  allowPositionals: true,
  async run(ctx) {
    const files = ctx.args.positionals;
    if (files.length === 0) throw new UsageError('derive-topics: give at least one reference document (a text file).');
    const { id, name, background } = ctx.args.values;
    if (typeof id === 'string' && !/^[a-z0-9][a-z0-9-]{0,39}$/.test(id)) {
      throw new UsageError(`derive-topics: --id "${echoed(id)}" must be lower-case letters, digits and dashes (at most 40).`);
    }
    // The name goes into the proposed YAML: hold it to what the topics file accepts (1 to 100 characters).
    if (typeof name === 'string' && (name.trim().length === 0 || name.trim().length > 100)) {
      throw new UsageError(`derive-topics: --name must be 1 to 100 characters (a topics file accepts no other), got ${name.trim().length}.`);
    }
    const maxRaw = ctx.args.values['max-terms'];
    const maxTerms = typeof maxRaw === 'string' ? Number(maxRaw) : 20;
    if (!Number.isInteger(maxTerms) || maxTerms < 1 || maxTerms > 200) {
      throw new UsageError(`derive-topics: --max-terms "${String(maxRaw)}" must be a whole number from 1 to 200.`);
    }
    if ([...files, background].filter((f) => f === '-').length > 1) {
      throw new UsageError('derive-topics: standard input (-) can be read once; give the other documents as files.');
    }
    const read = (file: string) => readInput(ctx, file, 'derive-topics');
    const docs = await Promise.all(files.map(read));
    docs.forEach((doc, i) => {
      if (doc.includes('\u0000') || !/\p{L}/u.test(doc)) {
        throw new UsageError(`derive-topics: ${files[i]} holds no readable text; give plain-text articles (first line: the title).`);
      }
    });
    let bg;
    if (typeof background === 'string') {
      const texts = [...backgroundTexts(await read(background))];
      if (texts.length === 0) {
        throw new UsageError(`derive-topics: --background ${background} has no JSON line with a "title" or "description"; give JSON Lines of news items.`);
      }
      bg = buildBackground(texts, `${background} (title + description of each line)`);
    }
    const derived = deriveTopicDetailed(docs, {
      maxTerms,
      ...(typeof id === 'string' ? { id } : {}),
      ...(typeof name === 'string' ? { name } : {}),
      ...(bg ? { background: bg } : {}),
    });
    if (derived.terms.length === 0) {
      throw new UsageError(`derive-topics: found no words or phrases to propose in ${files.join(', ')}; give articles of a few paragraphs.`);
    }
    ctx.stdout(renderDerivedTopicYaml(derived, files).trimEnd());
    return 0;
  },
};
