// The topics in force, and their compiled scorer, as one swappable value: the topics file until someone saves
// a version on the dashboard, then the newest saved version. Every instance checks the newest version id
// every few seconds and recompiles when it changed, so a saved edit applies without a restart and on every
// instance; the pipeline, the commands and the dispatcher read current() at the moment they need it.
import type { Topic } from '../domain/types.ts';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { RelevanceScorer } from './relevance.ts';

export interface TopicsInForce {
  /** The saved version in force; 0: the topics file. */
  version: number;
  topics: readonly Topic[];
  scorer: RelevanceScorer;
}

/** Saved versions (TopicVersionsRepo satisfies it). */
export interface TopicVersionsPort {
  currentId(): Promise<number>;
  get(id: number): Promise<{ id: number; topicsJson: string | null } | null>;
}

export interface LiveTopicsDeps {
  /** The topics file's topics (version 0, and what a version with no topics of its own means). */
  fileTopics: Topic[];
  /** Builds the scorer for a list of topics (matching/load-relevance.ts relevanceFactory). */
  compile: (topics: Topic[]) => { scorer: RelevanceScorer; notice: string | null };
  /** compile(fileTopics), when the caller has it already. */
  fileCompiled?: { scorer: RelevanceScorer; notice: string | null };
  versions: TopicVersionsPort;
  /** Validates a saved version's JSON as a topics file (config/topics.ts parseTopics); throws one sentence. */
  parse: (raw: unknown, source: string) => Topic[];
  /** How often to look for a new version. */
  intervalMs: number;
  logger: Logger;
}

export interface LiveTopics {
  current(): TopicsInForce;
  /** Compiles a list of topics without putting it in force (the dashboard's preview). */
  compile(topics: Topic[]): RelevanceScorer;
  /** Looks for a new version now; resolves true when the topics in force changed. */
  refresh(): Promise<boolean>;
  /** Checks every intervalMs until stop(). */
  start(): void;
  stop(): Promise<void>;
}

export function createLiveTopics(deps: LiveTopicsDeps): LiveTopics {
  const fromFile = deps.fileCompiled ?? deps.compile(deps.fileTopics);
  let state: TopicsInForce = { version: 0, topics: deps.fileTopics, scorer: fromFile.scorer };
  /** The newest version id seen, even one that failed to load (so a bad row is reported once). */
  let seen = 0;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<boolean> | null = null;

  async function load(id: number): Promise<boolean> {
    if (id === 0) {
      state = { version: 0, topics: deps.fileTopics, scorer: fromFile.scorer };
      return true;
    }
    const v = await deps.versions.get(id);
    if (!v) return false;
    const topics = v.topicsJson === null ? deps.fileTopics : deps.parse(JSON.parse(v.topicsJson), `saved topics version ${id}`);
    const compiled = v.topicsJson === null ? fromFile : deps.compile(topics);
    if (compiled.notice) deps.logger.warn(compiled.notice);
    state = { version: id, topics, scorer: compiled.scorer };
    return true;
  }

  async function refresh(): Promise<boolean> {
    const id = await deps.versions.currentId();
    if (id === seen) return false;
    seen = id;
    try {
      const changed = await load(id);
      if (changed) deps.logger.info({ topics_version: id }, id === 0 ? 'topics: the topics file is in force' : `topics: saved version ${id} is in force (${state.topics.length} topics)`);
      return changed;
    } catch (err) {
      deps.logger.error({ topics_version: id }, `topics: saved version ${id} could not be applied (${errorMessage(err)}); keeping version ${state.version}. Save a corrected version or revert on the dashboard.`);
      return false;
    }
  }

  const guarded = () => (running ??= refresh().finally(() => (running = null)));

  return {
    current: () => state,
    compile: (topics) => deps.compile(topics).scorer,
    refresh: guarded,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        guarded().catch((err: unknown) => deps.logger.debug({ err: errorMessage(err) }, 'topics: could not check for a new version (the storage monitor reports outages)'));
      }, deps.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
  };
}
