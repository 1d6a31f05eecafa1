// Topics: each topic's terms, weights, threshold and groups, the saved versions (who, when, what), and for
// operators an editor with a preview over the stored stories of the last N days: which stories the change
// would newly file under the topic and which it would drop, each with its score and reasons, from the same
// relevance scorer the pipeline uses. Saving stores a new version; every instance puts it in force within
// web.topics_check_seconds; any version, or the topics file, can be brought back (as a new version).
/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { THRESHOLD_MAX, topicsToFile } from '../../config/topics.ts';
import type { Topic, WeightedTerm } from '../../domain/types.ts';
import { errorMessage } from '../../lib/errors.ts';
import { counted } from '../../lib/not-shown.ts';
import { wordList } from '../../lib/word-list.ts';
import type { RelevanceDecision, RelevanceScorer } from '../../matching/relevance.ts';
import type { PreviewItem } from '../../storage/index.ts';
import { field, type Ctx, type Kit, type WebEnv } from '../kit.tsx';
import { feedScope, mayEditTopics, type Viewer } from '../types.ts';
import { Csrf, StoryLink, Time } from '../views/layout.tsx';

const DAY_CHOICES = [1, 3, 7, 14, 30];
const TERMS_MAX_LINES = 5000;
const SHOWN_MAX = 50;

/** A term's options as the editor writes them after it: ` [exact]`, ` [not_before_target]`. */
const termMarks = (t: WeightedTerm) => `${t.case && t.case !== 'auto' ? ` [${t.case}]` : ''}${t.notBeforeTarget ? ' [not_before_target]' : ''}`;

/**
 * One term per line: `weight term`, the weight optional (1), a case mode optional at the end: `[exact]` or
 * `[fold]`, then `[not_before_target]` (the topics file's option of that name).
 */
export function termsText(terms: readonly WeightedTerm[]): string {
  return terms.map((t) => `${fmtWeight(t.weight)} ${t.term}${termMarks(t)}`).join('\n');
}

const fmtWeight = (w: number) => (Number.isInteger(w) ? String(w) : String(Math.round(w * 100) / 100));

/** Parses the editor's lines; throws one sentence naming the line. */
export function parseTermLines(text: string): WeightedTerm[] {
  return readTermLines(text).terms;
}

/** The editor's terms, and the line (from 1) each came from; throws one sentence naming the line. */
function readTermLines(text: string): { terms: WeightedTerm[]; lines: number[] } {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines.length > TERMS_MAX_LINES) throw new Error(`A topic holds at most ${TERMS_MAX_LINES} terms; this has ${lines.length} lines.`);
  const out: WeightedTerm[] = [];
  const from: number[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^(?:([+-]?\d+(?:\.\d+)?)\s+)?(.+?)(?:\s+\[(exact|fold|auto)\])?(\s+\[not_before_target\])?$/.exec(line);
    if (!m) throw new Error(`Line ${i + 1} ("${line.slice(0, 60)}") is not "weight term".`);
    const weight = m[1] === undefined ? 1 : Number(m[1]);
    if (!Number.isFinite(weight) || weight < -100 || weight > 100) throw new Error(`Line ${i + 1}: the weight must be between -100 and 100.`);
    out.push({ term: m[2]!, weight, ...(m[3] && m[3] !== 'auto' ? { case: m[3] as 'exact' | 'fold' } : {}), ...(m[4] ? { notBeforeTarget: true as const } : {}) });
    from.push(i + 1);
  });
  if (out.length === 0) throw new Error('A topic needs at least one term.');
  return { terms: out, lines: from };
}

/**
 * `topics` with topic `id` edited as the editor's form says, checked as a topics file is (so a saved version
 * always loads); throws one sentence.
 */
export function editedTopics(topics: readonly Topic[], id: string, form: { threshold: string; terms: string }, parse: (raw: unknown, source: string) => Topic[]): Topic[] {
  const threshold = Number(form.threshold);
  if (form.threshold.trim() === '' || !Number.isFinite(threshold) || threshold < 0 || threshold > THRESHOLD_MAX) {
    throw new Error(`The threshold must be a number from 0 to ${THRESHOLD_MAX}.`);
  }
  const { terms, lines } = readTermLines(form.terms);
  const list = topics.map((t) => (t.id === id ? { ...t, threshold, terms } : t));
  try {
    return parse(topicsToFile(list), 'the edited topics');
  } catch (err) {
    // The file's checks name a key of the list ("topics: the edited topics: topics.1.terms.3.term = ..."):
    // said of the edited topic's term, that is a line of the form.
    const index = topics.findIndex((t) => t.id === id);
    const term = new RegExp(`^topics: the edited topics: topics\\.${index}\\.terms\\.(\\d+)(?:\\.term)? = (.*)$`, 's').exec(errorMessage(err));
    if (term) throw new Error(`Line ${lines[Number(term[1])] ?? Number(term[1]) + 1}: ${term[2]}`);
    const rest = errorMessage(err).replace(/^topics: the edited topics: /, '');
    throw new Error(rest.charAt(0).toUpperCase() + rest.slice(1));
  }
}

/** What a change does to one topic, in one line: the version's "what". */
export function describeChange(before: Topic, after: Topic): string {
  const parts: string[] = [];
  if (before.threshold !== after.threshold) parts.push(`threshold ${fmtWeight(before.threshold)} → ${fmtWeight(after.threshold)}`);
  const key = (t: WeightedTerm) => `${t.term}\u0000${t.case ?? 'auto'}\u0000${t.notBeforeTarget ? 'T' : ''}`;
  const was = new Map(before.terms.map((t) => [key(t), t]));
  const now = new Map(after.terms.map((t) => [key(t), t]));
  for (const [k, t] of now) {
    const old = was.get(k);
    if (!old) parts.push(`+"${t.term}" (${fmtWeight(t.weight)})`);
    else if (old.weight !== t.weight) parts.push(`"${t.term}" ${fmtWeight(old.weight)} → ${fmtWeight(t.weight)}`);
  }
  for (const [k, t] of was) if (!now.has(k)) parts.push(`-"${t.term}"`);
  return parts.length ? `${after.id}: ${parts.join('; ')}` : '';
}

/** Who saved a version, for the history: the person and the identity that vouched for them. */
function actor(v: Viewer): string {
  const u = v.user;
  if (u.kind === 'operator') return 'operator (dashboard password)';
  if (u.kind === 'slack') return `${u.name} (Slack ${u.teamId}/${u.userId})`;
  return `${u.name} (Discord ${u.userId})`;
}

interface Changed {
  item: PreviewItem;
  /** The decision that files it under the topic (after for newly matched, before for dropped). */
  decision: RelevanceDecision;
}

interface PreviewResult {
  days: number;
  scored: number;
  before: number;
  after: number;
  added: Changed[];
  dropped: Changed[];
}

/** Stories scored between two yields to the event loop (health checks and other requests go on meanwhile). */
const SLICE = 200;

async function preview(items: PreviewItem[], topicId: string, current: RelevanceScorer, next: RelevanceScorer, days: number): Promise<PreviewResult> {
  const out: PreviewResult = { days, scored: items.length, before: 0, after: 0, added: [], dropped: [] };
  for (const [i, item] of items.entries()) {
    if (i > 0 && i % SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const doc = { title: item.title, description: item.description, content: item.content };
    const b = current.decide(doc);
    const a = next.decide(doc);
    const inB = b.topicIds.includes(topicId);
    const inA = a.topicIds.includes(topicId);
    if (inB) out.before += 1;
    if (inA) out.after += 1;
    if (inA && !inB) out.added.push({ item, decision: a });
    if (inB && !inA) out.dropped.push({ item, decision: next.decide(doc, true) });
  }
  return out;
}

function Story(props: { c: Changed; topicId: string; threshold: number }) {
  const d = props.c.decision;
  const rule = d.rules.find((r) => r.topicId === props.topicId);
  return (
    <li>
      <StoryLink title={props.c.item.title} url={props.c.item.url} />
      <p class="muted">
        {props.c.item.source} · <Time at={props.c.item.fetchedAt} />
        {` · topic score ${rule ? fmtWeight(rule.score) : '0'} (threshold ${fmtWeight(props.threshold)})${d.probability !== null ? ` · relevance ${d.probability.toFixed(2)}` : ''}`}
      </p>
      <p class="reasons">{[d.summary, ...(rule?.reasons ?? [])].join('; ')}</p>
    </li>
  );
}

function PreviewSection(props: { result: PreviewResult | null; error: string | null; topicId: string; threshold: number }) {
  const r = props.result;
  return (
    <section id="preview" class="preview" aria-labelledby="preview-title" aria-live="polite">
      <h2 id="preview-title">Preview</h2>
      {props.error ? <p class="notice error">{props.error}</p> : null}
      {!r && !props.error ? <p class="muted">Change the terms or the threshold to see which stored stories the change adds or drops.</p> : null}
      {r ? (
        <div>
          <p>{`Over the ${counted(r.scored, ['stored story', 'stored stories'])} of the last ${r.days === 1 ? 'day' : `${r.days} days`}: ${r.before} filed under this topic now, ${r.after} with the change (${r.added.length} newly matched, ${r.dropped.length} no longer matched).`}</p>
          <h3>{`Newly matched (${r.added.length})`}</h3>
          {r.added.length ? (
            <ul class="stories">
              {r.added.slice(0, SHOWN_MAX).map((c) => (
                <Story c={c} topicId={props.topicId} threshold={props.threshold} />
              ))}
            </ul>
          ) : (
            <p class="muted">None.</p>
          )}
          <h3>{`No longer matched (${r.dropped.length})`}</h3>
          {r.dropped.length ? (
            <ul class="stories">
              {r.dropped.slice(0, SHOWN_MAX).map((c) => (
                <Story c={c} topicId={props.topicId} threshold={props.threshold} />
              ))}
            </ul>
          ) : (
            <p class="muted">None.</p>
          )}
        </div>
      ) : null}
    </section>
  );
}

interface EditorState {
  topic: Topic;
  base: number;
  threshold: string;
  terms: string;
  days: number;
}

function Editor(props: { csrf: string; s: EditorState; preview: PreviewResult | null; error: string | null; previewError: string | null }) {
  const { s } = props;
  const id = s.topic.id;
  return (
    <div>
      <p>{s.topic.description || ''}</p>
      {props.error ? <p class="notice error" role="alert">{props.error}</p> : null}
      <form method="post" action={`/topics/${id}/save`} data-preview-url={`/topics/${id}/preview`}>
        <Csrf token={props.csrf} />
        <input type="hidden" name="base" value={String(s.base)} />
        <label for="threshold">Threshold (score needed to match)</label>
        <input id="threshold" name="threshold" type="number" step="0.5" min="0" max="10000" required value={s.threshold} />
        <label for="terms">Terms: one per line, "weight term" (the weight is optional; a negative weight counts against; add [exact] or [fold] for case, then [not_before_target] where a state's name before a target is no actor)</label>
        <textarea id="terms" name="terms" class="lines" rows={16} required spellcheck={false}>
          {s.terms}
        </textarea>
        {s.topic.groups ? <p class="muted">This topic's groups (all of, any of, none of) are kept as they are.</p> : null}
        <label for="days">Preview over the stored stories of the last</label>
        <select id="days" name="days">
          {DAY_CHOICES.map((d) => (
            <option value={String(d)} selected={d === s.days}>
              {`${d} day${d === 1 ? '' : 's'}`}
            </option>
          ))}
        </select>
        <p class="actions">
          <button type="submit" formaction={`/topics/${id}/preview`} class="secondary">
            Preview
          </button>
          <button type="submit">Save</button>
        </p>
      </form>
      <PreviewSection result={props.preview} error={props.previewError} topicId={id} threshold={Number(s.threshold) || 0} />
    </div>
  );
}

/**
 * Who decides what: with a relevance model, the model says whether a story is in scope and the topics only where it
 * is filed; it reads its rule features with the rules it was fitted with, so topics edited since then move stories
 * between topics, never into or out of scope, until a refit (the README's Relevance section).
 */
function ScopeNote(props: { scorer: RelevanceScorer; edited: string[]; editor: boolean }) {
  const model = props.scorer.model;
  if (!model) return <p>These topics' rules decide both whether a story is in scope and which topics it is filed under.</p>;
  return (
    <p>
      {`The relevance model (fitted ${model.file.fitted_on}) decides whether a story is in scope; these topics decide which of them it is filed under.`}
      {props.edited.length
        ? ` The rules of ${wordList(props.edited, 'and')} differ from the ones the model was fitted with: ${props.edited.length === 1 ? 'it files' : 'they file'} stories by the rules shown here, and the model scores with the earlier ones${props.editor ? ', until cyberbrief model fit refits it with these' : ''}.`
        : ''}
      {props.editor && model.rules ? ' An edit moves stories between topics, not into or out of scope.' : ''}
    </p>
  );
}

/** The topics file as the page names it: its path for those who may edit topics (who can act on it), not a server path for everyone. */
const topicsFileName = (file: string, editor: boolean) => (editor ? `the topics file ${file}` : "the topics file the bot's operators set up");

export function registerTopics(app: Hono<WebEnv>, kit: Kit): void {
  const { deps } = kit;
  const live = deps.topics;

  app.get('/topics', kit.signedIn, async (c) => {
    const viewer = kit.viewer(c);
    const csrf = c.get('session')!.csrf;
    const now = live.current();
    const editor = mayEditTopics(viewer);
    const versions = await deps.storage.topicVersions.list(20);
    const inForce = versions.find((v) => v.id === now.version);
    const edited = new Set(now.scorer.editedSinceFit);
    const nameOf = (id: string) => now.topics.find((t) => t.id === id)?.name ?? id;
    return kit.page(c, 200, {
      title: 'Topics',
      path: '/topics',
      body: (
        <div>
          <p>
            {now.version === 0 ? `In force: ${topicsFileName(deps.topicsFile, editor)}.` : `In force: version ${now.version}, saved by ${inForce?.createdBy ?? 'someone'}`}
            {inForce ? (
              <span>
                {' on '}
                <Time at={inForce.createdAt} />.
              </span>
            ) : null}
            {editor ? '' : ' Only the bot\'s operators can change topics: every channel of every workspace follows them.'}
          </p>
          <ScopeNote scorer={now.scorer} edited={[...edited].map(nameOf)} editor={editor} />
          {now.topics.map((t) => (
            <section aria-labelledby={`t-${t.id}`}>
              <h2 id={`t-${t.id}`}>{t.name}</h2>
              <p class="muted">{`${t.id} · threshold ${fmtWeight(t.threshold)} · ${t.terms.length} terms${edited.has(t.id) ? " · rules edited since the model's fit" : ''}`}</p>
              {t.description ? <p>{t.description}</p> : null}
              <details>
                <summary>{`Terms and weights of ${t.name}`}</summary>
                <div class="table-wrap">
                  <table>
                    <caption class="sr-only">{`Terms of ${t.name}`}</caption>
                    <thead>
                      <tr>
                        <th scope="col">Weight</th>
                        <th scope="col">Term</th>
                      </tr>
                    </thead>
                    <tbody>
                      {t.terms.map((x) => (
                        <tr>
                          <td>{fmtWeight(x.weight)}</td>
                          <td>{x.term + termMarks(x)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                {t.groups ? (
                  <ul>
                    {t.groups.allOf ? <li>{`All of: ${t.groups.allOf.map((l) => `(${l.map((g) => (typeof g === 'string' ? g : g.term)).join(' | ')})`).join(' and ')}`}</li> : null}
                    {t.groups.anyOf ? <li>{`Any of: ${t.groups.anyOf.map((g) => (typeof g === 'string' ? g : g.term)).join(', ')}`}</li> : null}
                    {t.groups.noneOf ? <li>{`None of: ${t.groups.noneOf.map((g) => (typeof g === 'string' ? g : g.term)).join(', ')}`}</li> : null}
                  </ul>
                ) : null}
              </details>
              {editor ? (
                <p>
                  <a class="button secondary" href={`/topics/${t.id}/edit`} aria-label={`Edit ${t.name}`}>
                    Edit
                  </a>
                </p>
              ) : null}
            </section>
          ))}
          <section aria-labelledby="versions">
            <h2 id="versions">Saved versions</h2>
            {versions.length === 0 ? <p class="muted">None yet: the topics file is in force.</p> : null}
            <ul class="stories">
              {versions.map((v) => (
                <li>
                  <strong>{`Version ${v.id}${v.id === now.version ? ' (in force)' : ''}`}</strong>
                  <p class="muted">
                    {`${v.createdBy}, `}
                    <Time at={v.createdAt} />
                  </p>
                  <p>{v.summary}</p>
                  {editor && v.id !== now.version ? (
                    <form method="post" action="/topics/revert">
                      <Csrf token={csrf} />
                      <input type="hidden" name="to" value={String(v.id)} />
                      <button type="submit" class="secondary">{`Bring back version ${v.id}`}</button>
                    </form>
                  ) : null}
                </li>
              ))}
            </ul>
            {editor && now.version !== 0 ? (
              <form method="post" action="/topics/revert">
                <Csrf token={csrf} />
                <input type="hidden" name="to" value="0" />
                <button type="submit" class="secondary">
                  Bring back the topics file
                </button>
              </form>
            ) : null}
          </section>
        </div>
      ),
    });
  });

  function editable(c: Ctx): { topic: Topic; viewer: Viewer } | Response {
    const viewer = kit.viewer(c);
    const topic = live.current().topics.find((t) => t.id === c.req.param('id'));
    if (!topic) return c.text('not found\n', 404);
    return { topic, viewer };
  }

  app.get('/topics/:id/edit', kit.signedIn, async (c) => {
    const e = editable(c);
    if (e instanceof Response) return kit.page(c, 404, { title: 'Not found', body: <p>There is no such topic. <a href="/topics">Back to the topics</a>.</p> });
    if (!mayEditTopics(e.viewer)) return kit.forbidden(c, "Sorry, only the bot's operators can change topics: every channel of every workspace follows them.");
    const s: EditorState = { topic: e.topic, base: live.current().version, threshold: fmtWeight(e.topic.threshold), terms: termsText(e.topic.terms), days: deps.settings.previewDays };
    return kit.page(c, 200, { title: `Edit ${e.topic.name}`, path: '/topics', scripts: ['/static/preview.js'], body: <Editor csrf={c.get('session')!.csrf} s={s} preview={null} error={null} previewError={null} /> });
  });

  /** The topic list with this topic edited as the form says; throws one sentence. */
  function proposed(topic: Topic, form: { threshold: string; terms: string }): Topic[] {
    return editedTopics(live.current().topics, topic.id, form, deps.parseTopics);
  }

  async function previewFor(viewer: Viewer, topicId: string, list: Topic[], days: number): Promise<PreviewResult> {
    const since = new Date(deps.clock.now().getTime() - days * 86_400_000);
    const items = await deps.storage.dashboard.previewItems(feedScope(viewer), since, deps.settings.previewMaxItems);
    return preview(items, topicId, live.current().scorer, live.compile(list), days);
  }

  app.post('/topics/:id/preview', kit.signedIn, async (c) => {
    const e = editable(c);
    if (e instanceof Response) return e;
    if (!mayEditTopics(e.viewer)) return kit.forbidden(c, "Sorry, only the bot's operators can change topics: every channel of every workspace follows them.");
    const form = await kit.form(c);
    const daysRaw = Number(field(form, 'days'));
    const days = DAY_CHOICES.includes(daysRaw) ? daysRaw : deps.settings.previewDays;
    const s: EditorState = { topic: e.topic, base: Number(field(form, 'base')) || 0, threshold: field(form, 'threshold'), terms: field(form, 'terms'), days };
    let result: PreviewResult | null = null;
    let previewError: string | null = null;
    try {
      result = await previewFor(e.viewer, e.topic.id, proposed(e.topic, s), days);
    } catch (err) {
      previewError = errorMessage(err);
    }
    if (c.req.header('x-preview') === 'fragment') {
      const html = await (<PreviewSection result={result} error={previewError} topicId={e.topic.id} threshold={Number(s.threshold) || 0} />).toString();
      return c.html(html, previewError ? 400 : 200);
    }
    return kit.page(c, previewError ? 400 : 200, { title: `Edit ${e.topic.name}`, path: '/topics', scripts: ['/static/preview.js'], body: <Editor csrf={c.get('session')!.csrf} s={s} preview={result} error={null} previewError={previewError} /> });
  });

  app.post('/topics/:id/save', kit.signedIn, async (c) => {
    const e = editable(c);
    if (e instanceof Response) return e;
    if (!mayEditTopics(e.viewer)) return kit.forbidden(c, "Sorry, only the bot's operators can change topics: every channel of every workspace follows them.");
    const form = await kit.form(c);
    const s: EditorState = { topic: e.topic, base: Number(field(form, 'base')) || 0, threshold: field(form, 'threshold'), terms: field(form, 'terms'), days: deps.settings.previewDays };
    const again = (error: string, status: number) =>
      kit.page(c, status, { title: `Edit ${e.topic.name}`, path: '/topics', scripts: ['/static/preview.js'], body: <Editor csrf={c.get('session')!.csrf} s={s} preview={null} error={error} previewError={null} /> });
    await live.refresh();
    const current = live.current();
    if (s.base !== current.version) {
      return again(`The topics changed since you opened this page (version ${current.version} is in force now), so nothing was saved; open the topic again and redo your change.`, 409);
    }
    let list: Topic[];
    try {
      list = proposed(e.topic, s);
    } catch (err) {
      return again(`Nothing was saved: ${errorMessage(err)}`, 400);
    }
    const summary = describeChange(e.topic, list.find((t) => t.id === e.topic.id)!);
    if (!summary) return kit.back(c, '/topics', { text: `Nothing changed in ${e.topic.name}.` });
    const id = await deps.storage.topicVersions.save({ topicsJson: JSON.stringify(topicsToFile(list)), summary, createdBy: actor(e.viewer), at: deps.clock.now() });
    await live.refresh();
    deps.logger.info({ topics_version: id, user: actor(e.viewer) }, `web: topics version ${id} saved: ${summary}`);
    return kit.back(c, '/topics', { text: `Saved version ${id}: ${summary}. It is in force now, on every instance within a few seconds.` });
  });

  app.post('/topics/revert', kit.signedIn, async (c) => {
    const viewer = kit.viewer(c);
    if (!mayEditTopics(viewer)) return kit.forbidden(c, "Sorry, only the bot's operators can change topics: every channel of every workspace follows them.");
    const form = await kit.form(c);
    const to = Number(field(form, 'to'));
    if (!Number.isSafeInteger(to) || to < 0) return kit.back(c, '/topics', { text: 'There is no such version.', error: true });
    const version = to === 0 ? null : await deps.storage.topicVersions.get(to);
    if (to !== 0 && !version) return kit.back(c, '/topics', { text: `There is no version ${to}.`, error: true });
    await live.refresh();
    if (live.current().version === to) return kit.back(c, '/topics', { text: `Version ${to} is already in force.` });
    const summary = to === 0 ? 'Back to the topics file' : `Back to version ${to} (${version!.summary})`;
    const id = await deps.storage.topicVersions.save({ topicsJson: version ? version.topicsJson : null, summary, createdBy: actor(viewer), at: deps.clock.now(), revertsTo: to });
    await live.refresh();
    deps.logger.info({ topics_version: id, user: actor(viewer) }, `web: topics version ${id} saved: ${summary}`);
    return kit.back(c, '/topics', { text: `Saved version ${id}: ${summary}. It is in force now, on every instance within a few seconds.` });
  });
}
