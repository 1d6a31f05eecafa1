// Named features of a story for the relevance scorer. Every feature has a name a person can read, so a
// decision can be explained in a line: words and word pairs of the title and lead (with named states and
// threat actors written as <state> and <actor>), what the knowledge lists found (states, actors with
// their sponsors, concepts) and pairs of them, and each topic's rule score.
import type { Analysis, EntityHit, FieldTokens, Knowledge } from '../knowledge/index.ts';
import { LEAD, TITLE } from '../knowledge/index.ts';
import { STOP_WORDS } from '../stopwords.ts';
import { stem, stemSet } from '../text.ts';
import { spanText } from '../knowledge/tokens.ts';
import { AGENT_AFTER, AGENT_NOUN, arrayTokens, ONE_PERSON, targetAfterState, VICTIM_AFTER } from '../knowledge/target-phrase.ts';

/** Which feature families to compute; chosen by cross-validation and stored with the model. */
export interface FeatureSet {
  words: boolean;
  bigrams: boolean;
  titleWords: boolean;
  knowledge: boolean;
  concepts: boolean;
  pairs: boolean;
  /** Every pair of facts and concepts (selected like words, by how many stories use it). */
  allPairs: boolean;
  rules: boolean;
}

export const ALL_FEATURES: FeatureSet = { words: true, bigrams: true, titleWords: true, knowledge: true, concepts: true, pairs: true, allPairs: true, rules: true };

/** A story as the scorer reads it. Plain text: markup already removed. */
export interface ScoreDoc {
  title: string;
  description?: string | null;
  content?: string | null;
}

/** A topic's rule outcome, as the scorer reads it. */
export interface RuleInput {
  topicId: string;
  score: number;
  threshold: number;
  matched: boolean;
}

export interface Extracted {
  /** Feature name -> value (1 for presence; rule scores are scaled). */
  values: Map<string, number>;
  /** Feature name -> why it fired, for features whose name alone does not say. */
  evidence: Map<string, string>;
  analysis: Analysis;
}

/** Characters of content read when a story has no description (labels judge title and description). */
export const LEAD_CHARS = 1000;
/** Characters of a description read: the start of a story carries its point; this bounds the work. */
export const MAX_LEAD_CHARS = 4000;
const MAX_TITLE_CHARS = 600;

export function titleOf(doc: ScoreDoc): string {
  return doc.title.length > MAX_TITLE_CHARS ? doc.title.slice(0, MAX_TITLE_CHARS) : doc.title;
}

export function leadOf(doc: ScoreDoc): string {
  const d = doc.description?.trim();
  if (d) return d.length > MAX_LEAD_CHARS ? d.slice(0, MAX_LEAD_CHARS) : d;
  const c = doc.content?.trim() ?? '';
  return c.length > LEAD_CHARS ? c.slice(0, LEAD_CHARS) : c;
}

/** Words that name foreign states as a policy's object (the fact `adversaries`). */
const ADVERSARIES = ['adversaries', 'adversarial'];

const STATE_TOKEN = '<state>';
const ACTOR_TOKEN = '<actor>';

/** Word stems of a field with entities replaced by their class, stop words and bare numbers left out; with
 * the words as written (lower case), for reasons. */
function abstractWords(tokens: FieldTokens, hits: readonly EntityHit[]): { stems: string[]; words: string[] } {
  const stems: string[] = [];
  const words: string[] = [];
  let h = 0;
  for (let i = 0; i < tokens.stem.length; ) {
    const hit = hits[h];
    if (hit && hit.start === i) {
      const cls = hit.kind === 'state' ? STATE_TOKEN : ACTOR_TOKEN;
      stems.push(cls);
      words.push(cls);
      i = hit.end;
      h++;
      continue;
    }
    const lower = tokens.lower[i]!;
    const s = tokens.stem[i]!;
    i++;
    if (lower.length < 2 || STOP_WORDS.has(lower) || /^\d+$/.test(lower)) continue;
    stems.push(s);
    words.push(lower);
  }
  return { stems, words };
}

/** Of the actor nouns (AGENT_NOUN), those that name the state's own bodies: "Dutch intelligence" is the state whatever the
 * country; "Dutch hackers" or "Brazilian attacks" are only people of that country, unless it is a cyber power. */
const STATE_BODY_NOUN = stemSet('intelligence military army regime spies spy operatives');
/** A state with at least this many known threat actors is a cyber power: "<demonym> hackers" is then read as
 * the state at work (as the labelling guide reads "Chinese state hackers", "Russian hackers"). */
const CYBER_POWER_ACTORS = 5;
/** Words right before a state that make it the actor: "linked to China", "attributed to Russia", "pro-Russian". */
const AGENT_BEFORE = [['pro'], ['linked', 'to'], ['tied', 'to'], ['associated', 'with'], ['aligned', 'with'], ['affiliated', 'with'], ['connected', 'to'], ['attributed', 'to'], ['backed', 'by'], ['sponsored', 'by'], ['on', 'behalf', 'of'], ['working', 'for'], ['blame'], ['blames'], ['blamed'], ['accuse'], ['accuses'], ['accused'], ['suspect'], ['suspects'], ['suspected'], ['sanction'], ['sanctions'], ['sanctioned']].map((c) => c.map((w) => stem(w)));
const PRO = AGENT_BEFORE[0];
/** "attacks by Russia", "hackers from China": "by"/"from" make the state the actor only after such a word. */
const BY_FROM = stemSet('by from');
const CYBER_BEFORE_BY = stemSet('hack hacks hacked hacking hacker hackers attack attacks attacked campaign campaigns operation operations intrusion intrusions breach breached espionage spying spies cyberattack cyberattacks compromised actors operatives group groups');
/** "originating in Russia", "originated from Iran", "traced to China": the state the activity came from. */
const ORIGIN_VERB = stemSet('originating originated originate traced');
const ORIGIN_PREP = stemSet('in from to');
/** "Russia is behind", "China was responsible": a state named as the one behind something. */
const AGENT_VERB = stemSet('is was are were');
const AGENT_ROLE = stemSet('behind responsible');

/**
 * Names that threat-intelligence teams give the clusters they track: Mandiant UNC, Cisco Talos UAT,
 * Proofpoint TA, Microsoft Storm and DEV, CERT-UA UAC, Recorded Future TAG, Palo Alto CL-STA/TGR-STA
 * (STA: state-backed), Trend Micro Earth. Linear: one pass of a bounded pattern.
 */
const CLUSTER_NAME = /\b(UNC|UAT|TA|Storm|DEV|UAC|TAG|CL-STA|TGR-STA|CL-CRI|CL-UNK|TGR-UNK)-?(\d{2,5})\b/g;
const CLUSTER_SCHEMES: Record<string, string> = {
  UNC: 'Mandiant', UAT: 'Cisco Talos', TA: 'Proofpoint', Storm: 'Microsoft', DEV: 'Microsoft', UAC: 'CERT-UA', TAG: 'Recorded Future',
  'CL-STA': 'Palo Alto Networks, state-backed', 'TGR-STA': 'Palo Alto Networks, state-backed', 'CL-CRI': 'Palo Alto Networks, criminal',
  'CL-UNK': 'Palo Alto Networks', 'TGR-UNK': 'Palo Alto Networks',
};

function trackedCluster(text: string): { name: string; scheme: string; state: boolean } | null {
  CLUSTER_NAME.lastIndex = 0;
  const m = CLUSTER_NAME.exec(text.length > 20_000 ? text.slice(0, 20_000) : text);
  if (!m) return null;
  const prefix = m[1]!;
  if (prefix === 'CL-CRI') return null;
  return { name: m[0], scheme: CLUSTER_SCHEMES[prefix] ?? prefix, state: prefix.endsWith('STA') };
}

/** Words around a state that make it the place or the victim: "in Russia", "Ukrainian organizations". */
const VICTIM_BEFORE = stemSet('in against targeting targets targeted across at on hit hits into');
/** Joined to a state by a hyphen, the state is what these happen to or are about: "Iran-targeted wiper",
 * "Russia-focused campaign" (never the finite verbs of AGENT_AFTER, "Iran targeted banks"). */
const TARGET_COMPOUND = new Set('targeted targeting focused focussed centric hacked attacked breached compromised exploited infiltrated hit'.split(' '));

/** Token k is joined to the one before it by a hyphen ("Iran-targeted"). */
function hyphenJoined(tokens: FieldTokens, k: number): boolean {
  return k > 0 && k < tokens.starts.length && tokens.text.slice(tokens.ends[k - 1], tokens.starts[k]) === '-';
}

/** "Israeli water treatment plants": the token index of what is attacked when a demonym describes it, else -1
 * (knowledge/target-phrase.ts, the reading the topics' rules share). */
function demonymTarget(tokens: FieldTokens, h: EntityHit): number {
  return h.demonym ? targetAfterState(arrayTokens(tokens), h.end) : -1;
}

/** "Iran-targeted", "Israeli water treatment plants": the end of the words that make a state the target, or -1. */
function targetEnd(tokens: FieldTokens, h: EntityHit): number {
  if (hyphenJoined(tokens, h.end) && TARGET_COMPOUND.has(tokens.lower[h.end]!)) return h.end + 1;
  const target = demonymTarget(tokens, h);
  return target >= 0 ? target + 1 : -1;
}

/** "targets Ukraine", "Russian organizations": the first state written as a place or victim, or null. */
function stateAsVictim(tokens: FieldTokens, hits: readonly EntityHit[]): string | null {
  for (const h of hits) {
    if (h.kind !== 'state') continue;
    const prev = tokens.stem[h.start - 1];
    if (prev !== undefined && VICTIM_BEFORE.has(prev)) return spanText(tokens, h.start - 1, h.end);
    const next = tokens.stem[h.end];
    if (next !== undefined && VICTIM_AFTER.has(next)) return spanText(tokens, h.start, h.end + 1);
    const end = targetEnd(tokens, h);
    if (end >= 0) return spanText(tokens, h.start, end);
  }
  return null;
}

/** "China-linked", "hackers linked to Russia": the first state written as the actor of what happens, or null. */
function stateAsAgent(tokens: FieldTokens, hits: readonly EntityHit[], isPower: (state: string) => boolean): string | null {
  for (const h of hits) {
    if (h.kind !== 'state') continue;
    const next = tokens.stem[h.end];
    const prev = tokens.stem[h.start - 1];
    // "originating in Russia", "traced to China": where the activity came from names its actor.
    const origin = tokens.stem[h.start - 2];
    if (prev !== undefined && ORIGIN_PREP.has(prev) && origin !== undefined && ORIGIN_VERB.has(origin)) return spanText(tokens, h.start - 2, h.end);
    // "in Indonesia targeting ...": a place, whatever follows it.
    if (prev !== undefined && VICTIM_BEFORE.has(prev)) continue;
    // "Iran-targeted wiper", "systems associated with Israeli water plants": the state is the target.
    if (targetEnd(tokens, h) >= 0) continue;
    if (next !== undefined && AGENT_AFTER.has(tokens.lower[h.end]!)) return spanText(tokens, h.start, h.end + 1);
    // "Dutch hackers", "a Brazilian hacker": people of a state that is no cyber power, not the state, whatever
    // cue comes before them ("police suspects Dutch hackers"); only "pro-" still gives them a side.
    const people = h.demonym && next !== undefined && (AGENT_NOUN.has(next) || ONE_PERSON.has(tokens.lower[h.end]!)) && !isPower(h.state) && !STATE_BODY_NOUN.has(next);
    if (next !== undefined && h.demonym && AGENT_NOUN.has(next) && !ONE_PERSON.has(tokens.lower[h.end]!) && !people) return spanText(tokens, h.start, h.end + 1);
    const role = tokens.stem[h.end + 1];
    if (next !== undefined && role !== undefined && AGENT_VERB.has(next) && AGENT_ROLE.has(role)) return spanText(tokens, h.start, h.end + 2);
    const before = tokens.stem[h.start - 2];
    if (prev !== undefined && BY_FROM.has(prev) && before !== undefined && CYBER_BEFORE_BY.has(before)) return spanText(tokens, h.start - 2, h.end);
    for (const cue of AGENT_BEFORE) {
      if (people && cue !== PRO) continue;
      const from = h.start - cue.length;
      if (from >= 0 && cue.every((w, j) => tokens.stem[from + j] === w)) return spanText(tokens, from, h.end);
    }
  }
  return null;
}

/** Concept pairs (and triples) whose co-occurrence carries the beat; each becomes `pair:a+b`. */
export const CONCEPT_PAIRS: readonly (readonly string[])[] = [
  ['state', 'cyber'],
  ['state', 'espionage'],
  ['state_cue', 'cyber'],
  ['actor', 'cyber'],
  ['two_states', 'cyber'],
  ['two_states', 'attack'],
  ['infrastructure', 'attack', 'state'],
  ['state_agent', 'cyber'],
  ['state_agent', 'espionage'],
  ['state_agent', 'attack'],
  ['state_agent', 'infrastructure'],
  ['region_actor', 'cyber'],
  ['gov_target', 'espionage'],
  ['gov_target', 'cyber', 'state'],
  ['gov_action', 'cyber', 'state'],
  ['gov_action', 'actor'],
  ['infrastructure', 'cyber', 'state'],
  ['infrastructure', 'sabotage', 'state'],
  ['influence', 'state'],
  ['influence', 'election'],
  ['election', 'cyber', 'state'],
  ['supplier_risk', 'state'],
  ['supplier_risk', 'gov_action'],
  ['state_vendor', 'gov_action'],
  ['state_vendor', 'supplier_risk'],
  ['diplomacy', 'cyber', 'state'],
  ['diplomacy', 'cyber'],
  ['ip_theft', 'state'],
  ['ip_theft', 'cyber'],
  ['strategy', 'state_cue'],
  ['strategy', 'state'],
  ['spyware_vendor', 'gov_target'],
  ['spyware_vendor', 'state'],
  ['crime', 'state'],
  ['prosecution', 'state_cue'],
  ['prosecution', 'actor'],
  ['prosecution', 'ip_theft'],
  ['prosecution', 'state'],
  ['crime', 'actor'],
  ['state_title', 'cyber'],
  ['cyber_power', 'cyber'],
];

/**
 * The kinds of story the beat is made of (the labelling guide's list, and the description of what
 * was missed), each a conjunction of facts: a state angle (named group, a state as actor, a state cue) with
 * a cyber angle, in one of its forms. `fact:kind` fires when any does, so its weight is learned from every
 * kind together and a kind the training data rarely shows still counts; `kind:<name>` refines per kind.
 */
const ANGLE = ['state_agent', 'actor', 'state_cue'];
/** A story has a cyber-affairs angle when one of these is found. */
const BEAT_ANGLES = ['cyber', 'actor', 'influence', 'supplier_risk', 'ip_theft', 'spyware_vendor', 'cluster', 'regime_crime'];
/** States whose cybercrime is run for the state itself (sanctions evasion, revenue for weapons programmes). */
const REGIME_CRIME_STATES = new Set(['North Korea']);
/** `notCrime`: not when the story is crime with no state behind it; `notInPassing`: not when its only state angle
 * is a state cue in the description with no state or group named ("defences against nation-state actors"). */
export const STORY_KINDS: readonly { name: string; all: readonly string[]; any?: readonly (readonly string[])[]; notCrime?: boolean; notInPassing?: boolean }[] = [
  { name: 'state_cyber_operation', all: ['state_agent', 'cyber'], notCrime: true },
  { name: 'named_group', all: ['actor', 'cyber'], notCrime: true },
  { name: 'state_sponsored', all: ['state_cue', 'cyber'], notInPassing: true },
  { name: 'state_cluster', all: ['state_cluster'] },
  { name: 'cluster_on_government', all: ['cluster'], any: [['gov_target', 'espionage']] },
  { name: 'government_response', all: ['gov_action', 'cyber'], any: [ANGLE], notCrime: true },
  { name: 'cyber_talks', all: ['diplomacy', 'cyber'], any: [['two_states', 'state_cue']] },
  { name: 'ip_theft', all: ['ip_theft'], any: [['state', 'state_cue']] },
  { name: 'infrastructure_attack', all: ['infrastructure'], any: [['sabotage', 'cyber'], ANGLE] },
  { name: 'influence_operation', all: ['influence'], any: [['state', 'state_cue']] },
  { name: 'election_intrusion', all: ['election', 'cyber'], any: [['state', 'state_cue']] },
  { name: 'supplier_risk', all: ['supplier_risk'], any: [['state', 'gov_action', 'state_vendor']] },
  { name: 'strategy_against_adversaries', all: ['strategy'], any: [['state_cue', 'state_agent', 'adversaries']] },
  { name: 'spyware_against_officials', all: ['spyware_vendor'], any: [['gov_target', 'state']] },
  { name: 'espionage_on_government', all: ['espionage', 'gov_target', 'cyber'] },
  { name: 'regional_actor', all: ['region_actor', 'cyber'] },
  { name: 'regime_crime', all: ['regime_crime'] },
];

/**
 * What the labelling guide says before any data is seen: features for the kinds of story it calls relevant
 * start at +1, those it calls irrelevant at -1 (scaled by the fit's priorWeight). The fit shrinks toward
 * these instead of toward zero, so a kind the training data holds few examples of still counts.
 */
export const GUIDE_PRIOR: Readonly<Record<string, number>> = {
  'fact:kind': 2,
  ...Object.fromEntries(STORY_KINDS.map((k) => [`kind:${k.name}`, 1])),
  'both:state_agent+cyber': 1,
  'both:state_agent+espionage': 1,
  'both:state_cue+cyber': 1,
  'both:actor+cyber': 1,
  'fact:actor_sponsored': 1,
  'both:gov_action+actor': 1,
  'both:diplomacy+cyber+state': 1,
  'both:ip_theft+state': 1,
  'both:state_agent+infrastructure': 1,
  'both:infrastructure+sabotage+state': 1,
  'both:strategy+state_cue': 1,
  'both:spyware_vendor+gov_target': 1,
  'both:influence+state': 1,
  'both:election+cyber+state': 1,
  'both:supplier_risk+state': 1,
  'both:supplier_risk+gov_action': 1,
  'both:gov_target+espionage': 1,
  'both:region_actor+cyber': 1,
  'concept:crime': -1,
  'fact:title_product': -1,
  'fact:title_crime': -1,
  'concept:roundup': -1,
  'concept:product@title': -1,
};

/**
 * Computes a story's features. `rules` are the topic matcher's results for the same story (omit them to
 * score without rule features). Deterministic: the same story gives the same features.
 */
export function extractFeatures(
  knowledge: Knowledge,
  doc: ScoreDoc,
  set: FeatureSet,
  rules: readonly RuleInput[] = [],
  withEvidence = true,
  prepared?: { title: FieldTokens; lead: FieldTokens },
): Extracted {
  const a = knowledge.analyse(titleOf(doc), leadOf(doc), prepared);
  const values = new Map<string, number>();
  const evidence = new Map<string, string>();
  const on = (name: string, why?: string) => {
    values.set(name, 1);
    if (withEvidence && why && !evidence.has(name)) evidence.set(name, why);
  };

  if (set.words || set.bigrams || set.titleWords) {
    const tw = abstractWords(a.title, a.titleEntities);
    const lw = abstractWords(a.lead, a.leadEntities);
    for (const { stems: seq, words } of [tw, lw]) {
      for (let i = 0; i < seq.length; i++) {
        if (set.words) on(`word:${seq[i]}`, withEvidence ? words[i] : undefined);
        if (set.bigrams && i + 1 < seq.length) on(`bigram:${seq[i]} ${seq[i + 1]}`, withEvidence ? `${words[i]} ${words[i + 1]}` : undefined);
      }
    }
    if (set.titleWords) tw.stems.forEach((w, i) => on(`title:${w}`, withEvidence ? tw.words[i] : undefined));
  }

  // What the knowledge lists found: states, actors, concepts; the "facts" the pairs combine.
  const facts = new Map<string, string>();
  const entities = [...a.titleEntities, ...a.leadEntities];
  const states = new Set<string>();
  for (const e of entities) {
    states.add(e.state);
    if (e.kind === 'state') {
      if (!facts.has('state')) facts.set('state', `${e.written} (${e.state})`);
    } else if (!facts.has('actor')) {
      facts.set('actor', e.reason);
      facts.set(e.sponsored ? 'actor_sponsored' : 'actor_origin', e.reason);
    }
  }
  if (entities.some((e) => e.kind === 'actor')) facts.set('state', facts.get('state') ?? facts.get('actor')!);
  if (states.size >= 2) facts.set('two_states', [...states].slice(0, 3).join(', '));
  // One state, no actor and no state cue: most often a country's own agencies or victims (domestic news).
  if (states.size === 1 && !facts.has('actor') && !a.concepts.has('state_cue')) facts.set('one_state_only', [...states][0]!);
  const titleState = a.titleEntities.find((e) => e.kind === 'state' || e.kind === 'actor');
  if (titleState) facts.set('state_title', titleState.kind === 'actor' ? titleState.reason : `${titleState.written} in title`);
  const cluster = trackedCluster(`${titleOf(doc)} ${leadOf(doc)}`);
  if (cluster) {
    facts.set('cluster', `${cluster.name}: a tracked threat cluster (${cluster.scheme})`);
    if (cluster.state) facts.set('state_cluster', `${cluster.name}: ${cluster.scheme}`);
  }
  const isPower = (state: string) => (knowledge.entities.actorsPerState.get(state) ?? 0) >= CYBER_POWER_ACTORS;
  const agent = stateAsAgent(a.title, a.titleEntities, isPower) ?? stateAsAgent(a.lead, a.leadEntities, isPower);
  if (agent) facts.set('state_agent', agent);
  const victim = stateAsVictim(a.title, a.titleEntities) ?? stateAsVictim(a.lead, a.leadEntities);
  if (victim) facts.set('state_victim', victim);
  if (victim && !agent && !facts.has('actor') && !a.concepts.has('state_cue') && !cluster?.state) facts.set('victim_only', victim);
  // "nation-state actors", "state-sponsored hackers" with no state, group or cluster named: a category in
  // commentary or product news ("defences against nation-state threats"), not a state at work.
  if (a.concepts.has('state_cue') && states.size === 0 && !cluster) facts.set('generic_state', `"${a.conceptPhrases.get('state_cue')}", no state or group named`);
  // What the title is about. A title on a patch, a product or a crime that names no state, group or state
  // actor is vendor or crime news, whatever state the description mentions in passing.
  const inTitle = (id: string) => ((a.concepts.get(id) ?? 0) & TITLE) !== 0;
  const stateInTitle = titleState !== undefined || inTitle('state_cue') || inTitle('espionage') || inTitle('region_actor');
  if (!stateInTitle && inTitle('product')) facts.set('title_product', `"${a.conceptPhrases.get('product')}" in title, no state there`);
  if (!stateInTitle && inTitle('crime')) facts.set('title_crime', `"${a.conceptPhrases.get('crime')}" in title, no state there`);
  const power = entities.find((e) => isPower(e.state));
  if (power) facts.set('cyber_power', `${power.state}, with ${knowledge.entities.actorsPerState.get(power.state)} known threat actors`);
  for (const [id, mask] of a.concepts) {
    const where = mask & TITLE ? 'title' : mask & LEAD ? 'description' : '';
    facts.set(id, withEvidence ? `"${a.conceptPhrases.get(id)}" in ${where}` : '');
  }
  // "EU governments", "governments in the region": the plural names targets (the concept lists match by
  // stem, where "governments" and "the government" that acts are one word).
  if (!facts.has('gov_target') && (a.title.lower.includes('governments') || a.lead.lower.includes('governments'))) facts.set('gov_target', '"governments"');
  // "deterrence against cyber adversaries": the word national policy uses for foreign states. Only as written:
  // "adversary" alone is any attacker in the security press ("adversary-in-the-middle"), and the concept
  // lists match by stem. It names the foreign side of a strategy (STORY_KINDS) and nothing else.
  const adversaries = ADVERSARIES.find((w) => a.title.lower.includes(w) || a.lead.lower.includes(w));
  if (adversaries) facts.set('adversaries', `"${adversaries}"`);

  // A state that steals for the regime (the guide's "North Korean Lazarus stealing for the regime"): its
  // cybercrime, IT-worker schemes and crypto theft are state conduct, not crime with no state angle. The kind
  // needs the story to name the state (or a state cue: "the regime"); one of its groups named alone is a named
  // group at work, as any state's group is, whose crime words do not take that kind away.
  const regimeGroup = entities.some((e) => e.kind === 'actor' && REGIME_CRIME_STATES.has(e.state));
  const regime = entities.find((e) => e.kind === 'state' && REGIME_CRIME_STATES.has(e.state)) ?? (a.concepts.has('state_cue') ? entities.find((e) => REGIME_CRIME_STATES.has(e.state)) : undefined);
  if (regime && (facts.has('crime') || facts.has('cyber'))) facts.set('regime_crime', `${regime.written}: a state known to steal for its regime; ${facts.get('crime') ?? facts.get('cyber')}`);

  // Without a cyber-affairs angle a story is not the beat, however many states, attacks or ministries it names
  // (a war, a trial, a strike at an airport): its features reduce to saying so, and the rules' verdicts. A
  // linear model cannot say "and"; this is the one "and" that holds for every kind of story. A topic's rules
  // that matched found a state angle with a cyber angle (every default topic requires both), so a rule match
  // is a cyber angle too: without this, a story the concept lists miss ("spies", "fake job offers") lost its
  // state and concept features whatever the rules had found.
  const beat = BEAT_ANGLES.some((x) => facts.has(x)) || (set.rules && rules.some((r) => r.matched));
  if (!beat && (set.knowledge || set.concepts)) {
    on('fact:no_cyber_angle', withEvidence ? (states.size ? `${[...states].slice(0, 3).join(', ')} named, nothing about cyber` : 'nothing about cyber') : undefined);
  }
  if (set.knowledge && beat) {
    // Crime by a group from a state is not state conduct unless the story says the state is behind it.
    const crimeOnly = facts.has('crime') && !facts.has('state_cue') && !facts.has('espionage') && !facts.has('regime_crime') && !regimeGroup;
    // A state cue in the description alone, with nothing named, is a mention in passing.
    const inPassing = facts.has('generic_state') && !inTitle('state_cue');
    const kinds = STORY_KINDS.filter((k) => k.all.every((x) => facts.has(x)) && (k.any ?? []).every((alt) => alt.some((x) => facts.has(x))) && !(k.notCrime && crimeOnly) && !(k.notInPassing && inPassing));
    if (kinds.length > 0) {
      on('fact:kind', withEvidence ? kinds.map((k) => k.name.replace(/_/g, ' ')).join(', ') : undefined);
      if (kinds.length > 1) on('fact:kinds2');
      for (const k of kinds) on(`kind:${k.name}`, withEvidence ? [...k.all, ...(k.any ?? []).flat()].filter((x) => facts.has(x)).map((x) => facts.get(x)).join('; ') : undefined);
    }
    for (const k of ['cluster', 'state_cluster', 'one_state_only', 'state_agent', 'state_victim', 'victim_only', 'generic_state', 'title_product', 'title_crime', 'state', 'actor', 'actor_sponsored', 'actor_origin', 'two_states', 'state_title', 'cyber_power']) {
      const why = facts.get(k);
      if (why !== undefined) on(`fact:${k}`, why);
    }
    for (const st of states) on(`state:${st}`);
  }
  if (set.concepts && beat) {
    for (const [id, mask] of a.concepts) {
      on(`concept:${id}`, facts.get(id));
      if (mask & TITLE) on(`concept:${id}@title`, facts.get(id));
    }
  }
  if (set.pairs && beat) {
    for (const p of CONCEPT_PAIRS) {
      if (p.every((x) => facts.has(x))) on(`both:${p.join('+')}`, withEvidence ? p.map((x) => facts.get(x)).join('; ') : undefined);
    }
  }
  if (set.allPairs) {
    const keys = [...facts.keys()].sort();
    for (let i = 0; i < keys.length; i++) {
      for (let j = i + 1; j < keys.length; j++) on(`with:${keys[i]}+${keys[j]}`, withEvidence ? `${facts.get(keys[i]!)}; ${facts.get(keys[j]!)}` : undefined);
    }
  }
  if (set.rules) {
    // A topic's rules count when they matched: partial scores of topics that did not match carry no
    // meaning a model should learn (they are sums of whatever terms happened to appear).
    const matched = rules.filter((r) => r.matched);
    for (const r of matched) on(`rule:${r.topicId}:matched`, withEvidence ? r.topicId : undefined);
    if (matched.length > 0) on('rule:any', withEvidence ? matched.map((r) => r.topicId).join(', ') : undefined);
  }
  return { values, evidence, analysis: a };
}
