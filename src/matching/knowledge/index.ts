// Knowledge about the beat, compiled once: states, threat actors (MISP galaxy) and concept lexicons.
// analyse() reads a story's title and lead once and says which states, actors and concepts it names,
// in which field, with token spans for the scorer's word features.
import { FIELD_BIT, TermIndex } from '../term-index.ts';
import { isShouting } from '../text.ts';
import type { ThreatActor } from './actors.ts';
import { CONCEPTS, type Concept } from './concepts.ts';
import { EntityMatcher, type EntityHit } from './entities.ts';
import { fieldTokens, prepare, simpleTokens, type FieldTokens } from './tokens.ts';

export type { ThreatActor } from './actors.ts';
export type { EntityHit } from './entities.ts';
export type { FieldTokens } from './tokens.ts';

export const TITLE = FIELD_BIT.title;
export const LEAD = FIELD_BIT.description;

export interface Analysis {
  title: FieldTokens;
  lead: FieldTokens;
  titleEntities: EntityHit[];
  leadEntities: EntityHit[];
  /** Per concept id: fields it was found in (TITLE | LEAD bits), absent when not found. */
  concepts: Map<string, number>;
  /** Per concept id: the words that first matched it, as the story wrote them, for reasons. */
  conceptPhrases: Map<string, string>;
}

export class Knowledge {
  readonly entities: EntityMatcher;
  readonly concepts: readonly Concept[];
  private readonly index = new TermIndex();
  private readonly termConcept: string[] = [];
  /** Per term id of a concept's loose words (see Concept.loose): the concepts that license it. */
  private readonly looseContext = new Map<number, readonly string[]>();
  private readonly contextOnly: readonly string[];

  constructor(actors: readonly ThreatActor[], concepts: readonly Concept[] = CONCEPTS) {
    this.entities = new EntityMatcher(actors, simpleTokens);
    this.concepts = concepts;
    for (const c of concepts) {
      for (const t of c.terms) {
        const id = this.index.add(t, 'auto');
        this.termConcept[id] = c.id;
      }
      for (const t of c.loose ?? []) {
        const id = this.index.add(t, 'auto');
        this.termConcept[id] = c.id;
        this.looseContext.set(id, c.context ?? []);
      }
    }
    this.contextOnly = concepts.filter((c) => c.contextOnly).map((c) => c.id);
    this.index.build();
  }

  /** Reads a title and a lead (description, or the start of the content). */
  analyse(title: string, lead: string, prepared?: { title: FieldTokens; lead: FieldTokens }): Analysis {
    const t = prepared?.title ?? fieldTokens(title);
    const l = prepared?.lead ?? fieldTokens(lead);
    const scan = this.index.scanPrepared([
      prepare(t, TITLE, isShouting(title)),
      prepare(l, LEAD, isShouting(lead)),
    ]);
    const concepts = new Map<string, number>();
    const conceptPhrases = new Map<string, string>();
    const loose: number[] = [];
    for (const id of scan.found) {
      const c = this.termConcept[id];
      if (c === undefined) continue;
      if (this.looseContext.has(id)) {
        loose.push(id);
        continue;
      }
      concepts.set(c, (concepts.get(c) ?? 0) | (scan.masks[id] ?? 0));
      if (!conceptPhrases.has(c)) conceptPhrases.set(c, this.index.foundText(id));
    }
    for (const id of loose) {
      const c = this.termConcept[id]!;
      if (!concepts.has(c) && !this.looseContext.get(id)!.some((x) => concepts.has(x))) continue;
      concepts.set(c, (concepts.get(c) ?? 0) | (scan.masks[id] ?? 0));
      if (!conceptPhrases.has(c)) conceptPhrases.set(c, this.index.foundText(id));
    }
    for (const c of this.contextOnly) {
      concepts.delete(c);
      conceptPhrases.delete(c);
    }
    const cyber = concepts.has('cyber') || concepts.has('espionage');
    return { title: t, lead: l, titleEntities: this.entities.find(t, cyber), leadEntities: this.entities.find(l, cyber), concepts, conceptPhrases };
  }
}
