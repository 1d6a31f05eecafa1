// Re-sealing values at rest under the current key after a key rotation (`cyberbrief secrets rekey`, and
// `cyberbrief doctor`'s count). Generic over the kind of value: a kind reads its sealed rows and replaces
// them by compare-and-set, so a value a running instance wrote meanwhile is never overwritten. A value that
// opens with no configured key is left as it is and reported by its row. A value stored unencrypted (no key
// was set when it was written) is sealed under the current key the same way.
import type { SecretBox } from './secret-box.ts';

export interface SealedRow<K> {
  key: K;
  /** The row as an operator finds it: "team T1 (enterprise E1)", "feed 12". */
  label: string;
  sealed: string;
  purpose: string;
}

/** A value of a kind stored unencrypted, as it is in its row and as it reads. */
export interface PlainRow<K> {
  key: K;
  label: string;
  stored: string;
  plaintext: string;
  purpose: string;
}

export interface SealedKind<K> {
  /** Plural, for the counts: "Slack installations". */
  name: string;
  /** Every sealed value of the kind, and every value of the kind stored unencrypted. */
  read(): Promise<{ rows: SealedRow<K>[]; plain: PlainRow<K>[] }>;
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
  plain: Array<PlainRow<K>>;
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
  /** Values found stored unencrypted. */
  plain: number;
  /** Of those, sealed under the current key (in a dry run: would be). */
  plainSealed: number;
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

/**
 * Re-seals under the current key every value of `kind` that needs a previous key, and seals every value stored
 * unencrypted; `dryRun` only counts.
 */
export async function resealKind<K>(kind: SealedKind<K>, box: SecretBox, opts: { dryRun: boolean; batchSize?: number }): Promise<ResealReport> {
  const s = await surveySealed(kind, box);
  const report: ResealReport = {
    name: kind.name,
    resealed: opts.dryRun ? s.previous.length : 0,
    current: s.current,
    unreadable: s.unreadable.map((r) => ({ label: r.label, remedy: kind.remedy })),
    changedMeanwhile: 0,
    plain: s.plain.length,
    plainSealed: opts.dryRun ? s.plain.length : 0,
  };
  if (opts.dryRun) return report;
  const size = opts.batchSize ?? RESEAL_BATCH;
  const work: Array<{ field: 'resealed' | 'plainSealed'; changes: Array<{ key: K; from: string; to: string }> }> = [
    { field: 'resealed', changes: s.previous.map(({ row, plaintext }) => ({ key: row.key, from: row.sealed, to: box.seal(plaintext, row.purpose) })) },
    { field: 'plainSealed', changes: s.plain.map((p) => ({ key: p.key, from: p.stored, to: box.seal(p.plaintext, p.purpose) })) },
  ];
  for (const { field, changes } of work) {
    for (let i = 0; i < changes.length; i += size) {
      const batch = changes.slice(i, i + size);
      const changed = await kind.replace(batch);
      report[field] += changed;
      report.changedMeanwhile += batch.length - changed;
    }
  }
  return report;
}
