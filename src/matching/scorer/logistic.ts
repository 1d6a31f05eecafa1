// L2-regularised logistic regression, fitted by L-BFGS: a short, deterministic implementation (same
// data, same weights, bit for bit). Samples are sparse: parallel arrays of feature indices and values.

export interface Sample {
  indices: Int32Array;
  values: Float64Array;
}

export interface FitOptions {
  /** L2 strength: the penalty is lambda/2 * |w - prior|^2 (the bias is not penalised). */
  lambda: number;
  /** Weight of positive samples relative to negatives (1 = none). */
  positiveWeight?: number;
  /** Weights to shrink toward instead of zero (same length as the feature count). */
  prior?: Float64Array;
  maxIterations?: number;
  /** Stop when the gradient's largest component is below this. */
  tolerance?: number;
  /** Per-sample weights (1 when absent). */
  sampleWeights?: readonly number[];
}

export interface LinearModel {
  weights: Float64Array;
  bias: number;
}

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

export function margin(m: LinearModel, s: Sample): number {
  let z = m.bias;
  for (let k = 0; k < s.indices.length; k++) z += (m.weights[s.indices[k]!] ?? 0) * s.values[k]!;
  return z;
}

export function predict(m: LinearModel, s: Sample): number {
  return sigmoid(margin(m, s));
}

/** Fits weights for `dims` features on samples with labels 0/1. */
export function fitLogistic(samples: readonly Sample[], labels: readonly number[], dims: number, opts: FitOptions): LinearModel {
  const n = samples.length;
  if (n === 0) throw new Error('scorer: cannot fit on no samples');
  const posW = opts.positiveWeight ?? 1;
  const sw = labels.map((y, i) => (y === 1 ? posW : 1) * (opts.sampleWeights?.[i] ?? 1));
  const total = sw.reduce((a, b) => a + b, 0);
  const prior = opts.prior;
  const lambda = opts.lambda;
  // Parameters: dims weights, then the bias.
  const size = dims + 1;

  const lossAndGrad = (x: Float64Array, g: Float64Array): number => {
    g.fill(0);
    let loss = 0;
    const bias = x[dims]!;
    for (let i = 0; i < n; i++) {
      const s = samples[i]!;
      let z = bias;
      for (let k = 0; k < s.indices.length; k++) z += x[s.indices[k]!]! * s.values[k]!;
      const y = labels[i]!;
      // log(1 + e^-z) for y=1, log(1 + e^z) for y=0, computed stably.
      const t = y === 1 ? -z : z;
      loss += sw[i]! * (t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t)));
      const d = (sw[i]! * (sigmoid(z) - y)) / total;
      for (let k = 0; k < s.indices.length; k++) g[s.indices[k]!]! += d * s.values[k]!;
      g[dims]! += d;
    }
    loss /= total;
    for (let j = 0; j < dims; j++) {
      const w = x[j]! - (prior ? prior[j]! : 0);
      loss += 0.5 * lambda * w * w;
      g[j]! += lambda * w;
    }
    return loss;
  };

  const x = new Float64Array(size);
  if (prior) x.set(prior.subarray(0, dims));
  lbfgs(x, lossAndGrad, opts.maxIterations ?? 500, opts.tolerance ?? 1e-6);
  return { weights: x.slice(0, dims), bias: x[dims]! };
}

/** Minimises f in place from x with limited-memory BFGS (m = 10) and a backtracking Armijo line search. */
function lbfgs(x: Float64Array, f: (x: Float64Array, g: Float64Array) => number, maxIter: number, tol: number): void {
  const size = x.length;
  const m = 10;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  let g = new Float64Array(size);
  let fx = f(x, g);
  const d = new Float64Array(size);
  const xNew = new Float64Array(size);
  let gNew = new Float64Array(size);
  const alpha = new Float64Array(m);
  for (let iter = 0; iter < maxIter; iter++) {
    let gmax = 0;
    for (let j = 0; j < size; j++) gmax = Math.max(gmax, Math.abs(g[j]!));
    if (gmax < tol) return;
    // Two-loop recursion: d = -H g.
    for (let j = 0; j < size; j++) d[j] = -g[j]!;
    for (let k = S.length - 1; k >= 0; k--) {
      const a = rho[k]! * dot(S[k]!, d);
      alpha[k] = a;
      axpy(-a, Y[k]!, d);
    }
    if (S.length > 0) {
      const last = S.length - 1;
      const gamma = dot(S[last]!, Y[last]!) / dot(Y[last]!, Y[last]!);
      for (let j = 0; j < size; j++) d[j]! *= gamma;
    } else {
      const scale = 1 / Math.max(1, Math.sqrt(dot(g, g)));
      for (let j = 0; j < size; j++) d[j]! *= scale;
    }
    for (let k = 0; k < S.length; k++) {
      const b = rho[k]! * dot(Y[k]!, d);
      axpy(alpha[k]! - b, S[k]!, d);
    }
    let slope = dot(g, d);
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let j = 0; j < size; j++) d[j] = -g[j]!;
      slope = dot(g, d);
    }
    let step = 1;
    let fNew = Infinity;
    for (let ls = 0; ls < 40; ls++) {
      for (let j = 0; j < size; j++) xNew[j] = x[j]! + step * d[j]!;
      fNew = f(xNew, gNew);
      if (fNew <= fx + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew < fx) && !(fNew <= fx + 1e-4 * step * slope)) return;
    const s = new Float64Array(size);
    const y = new Float64Array(size);
    for (let j = 0; j < size; j++) {
      s[j] = xNew[j]! - x[j]!;
      y[j] = gNew[j]! - g[j]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    x.set(xNew);
    const swap = g;
    g = gNew;
    gNew = swap;
    const improvement = fx - fNew;
    fx = fNew;
    if (improvement >= 0 && improvement < 1e-12 * Math.max(1, Math.abs(fx))) return;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j]! * b[j]!;
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let j = 0; j < x.length; j++) y[j]! += a * x[j]!;
}
