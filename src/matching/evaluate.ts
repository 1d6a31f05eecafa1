// Precision, recall and F1 of binary predictions against labels (1 = relevant).

export interface Label {
  id: string;
  label: 0 | 1;
}

export interface Evaluation {
  total: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  precision: number;
  recall: number;
  f1: number;
  /** Labelled ids with no prediction (not counted). */
  missing: string[];
  falsePositiveIds: string[];
  falseNegativeIds: string[];
}

export function evaluate(predicted: ReadonlyMap<string, boolean>, labels: readonly Label[]): Evaluation {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  const missing: string[] = [];
  const fpIds: string[] = [];
  const fnIds: string[] = [];
  for (const { id, label } of labels) {
    const p = predicted.get(id);
    if (p === undefined) {
      missing.push(id);
      continue;
    }
    if (p && label === 1) tp++;
    else if (p) {
      fp++;
      fpIds.push(id);
    } else if (label === 1) {
      fn++;
      fnIds.push(id);
    } else tn++;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    total: tp + fp + fn + tn,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    trueNegatives: tn,
    precision,
    recall,
    f1,
    missing,
    falsePositiveIds: fpIds,
    falseNegativeIds: fnIds,
  };
}

/** Parses one labels line, `{id, label}` (label 0/1 or true/false); `where` names the file and line. */
export function parseLabelLine(line: string, where: string): Label {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new Error(`${where}: not valid JSON; expected {"id": "...", "label": 0 or 1}`);
  }
  const o = (v ?? {}) as { id?: unknown; label?: unknown };
  const label = o.label === 1 || o.label === true ? 1 : o.label === 0 || o.label === false ? 0 : null;
  if (typeof o.id !== 'string' || label === null) {
    throw new Error(`${where}: expected {"id": "...", "label": 0 or 1}`);
  }
  return { id: o.id, label };
}

/** Parses a labels file: one `{id, label}` JSON object per line (label 0/1 or true/false). */
export function parseLabels(text: string, source: string): Label[] {
  const out: Label[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() !== '') out.push(parseLabelLine(line, `${source}:${i + 1}`));
  });
  return out;
}
