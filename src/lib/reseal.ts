// Re-sealing values at rest under the current key after a key rotation (`cyberbrief secrets rekey`, and
// `cyberbrief doctor`'s count). Generic over the kind of value: a kind reads its sealed rows and replaces
// them by compare-and-set, so a value a running instance wrote meanwhile is never overwritten. A value that
// opens with no configured key is left as it is and reported by its row.
import type { SecretBox } from './secret-box.ts';

export interface SealedRow<K> {
  key: K;
  /** The row as an operator finds it: "team T1 (enterprise E1)", "feed 12". */
  label: string;
  sealed: string;
  purpose: string;
}

export interface SealedKind<K> {
  /** Plural, for the counts: "Slack installations". */
  name: string;
  /** Every sealed value of the kind, and how many values of the kind are stored unencrypted (never touched here). */
  read(): Promise<{ rows: SealedRow<K>[]; plain: number }>;
  /** In one transaction, each row whose value is still `from` gets `to`; returns how many rows changed. */
  replace(changes: Array<{ key: K; from: string; to: string }>): Promise<number>;
  /** What to do about a value that opens with no configured key (after "<label> opens with no configured key: "). */
  remedy: string;
}

/** How a kind's values stand: opened with the current key, only with a previous one, or with none. */
export interface SealedSurvey<K> {
  name: string;
  current: number;
  previous: Array<{ row: SealedRow<K>; plaintext: string }>;
  unreadable: Array<SealedRow<K>>;
  plain: number;
}

export interface ResealReport {
  name: string;
  /** Re-sealed under the current key (in a dry run: would be). */
  resealed: number;
  current: number;
  /** Labels of the rows that open with no configured key, each with what to do. */
  unreadable: Array<{ label: string; remedy: string }>;
  /** Values changed by someone else between reading and re-sealing: left to that write. */
  changedMeanwhile: number;
  plain: number;
}

/** Rows re-sealed per transaction: short transactions, so running instances wait little for a row. */
export const RESEAL_BATCH = 100;

export async function surveySealed<K>(kind: SealedKind<K>, box: SecretBox): Promise<SealedSurvey<K>> {
  const { rows, plain } = await kind.read();
  const out: SealedSurvey<K> = { name: kind.name, current: 0, previous: [], unreadable: [], plain };
  for (const row of rows) {
    let opened;
    try {
      opened = box.unseal(row.sealed, row.purpose);
    } catch {
      out.unreadable.push(row);
      continue;
    }
    if (opened.byPreviousKey) out.previous.push({ row, plaintext: opened.plaintext });
    else out.current += 1;
  }
  return out;
}

/** Re-seals under the current key every value of `kind` that needs a previous key; `dryRun` only counts. */
export async function resealKind<K>(kind: SealedKind<K>, box: SecretBox, opts: { dryRun: boolean; batchSize?: number }): Promise<ResealReport> {
  const s = await surveySealed(kind, box);
  const report: ResealReport = {
    name: kind.name,
    resealed: opts.dryRun ? s.previous.length : 0,
    current: s.current,
    unreadable: s.unreadable.map((r) => ({ label: r.label, remedy: kind.remedy })),
    changedMeanwhile: 0,
    plain: s.plain,
  };
  if (opts.dryRun) return report;
  const size = opts.batchSize ?? RESEAL_BATCH;
  for (let i = 0; i < s.previous.length; i += size) {
    const batch = s.previous.slice(i, i + size).map(({ row, plaintext }) => ({ key: row.key, from: row.sealed, to: box.seal(plaintext, row.purpose) }));
    const changed = await kind.replace(batch);
    report.resealed += changed;
    report.changedMeanwhile += batch.length - changed;
  }
  return report;
}
