// The global cap on polls in flight, adapted to what the network, this machine and the database keep up
// with (AIMD, as TCP does with its window). Polls are judged in windows of `current` completions:
// - congested: the window's median poll time rose well above the best median seen (the baseline), or a
//   large share of polls ended in timeouts or network errors, or the database writes fell behind (the write
//   batcher's backlog): the cap is cut by `decrease` (never below `min`);
// - otherwise, when the cap was actually the limit (most polls started while it was full): it doubles
//   while no congestion has been seen yet (slow start), then grows by an eighth per window (never above `max`).
// Pure: the scheduler feeds it samples and reads `current`.

export interface AdaptiveCapOptions {
  min: number;
  max: number;
  /** Congested when the window's median exceeds baseline × latencyFactor + latencySlackMs. */
  latencyFactor: number;
  latencySlackMs: number;
  /** Congested when more than this share of the window's polls timed out or failed to connect. */
  errorRatio: number;
  /** Congested when more poll outcomes than this wait to be written. */
  maxWriteBacklog: number;
  /** Multiplier applied on congestion, in (0, 1). */
  decrease: number;
}

export const DEFAULT_CAP_TUNING = { latencyFactor: 3, latencySlackMs: 100, errorRatio: 0.2, decrease: 0.7 } as const;

export interface CapSample {
  /** Wall time of the poll. */
  ms: number;
  /** Ended in a timeout or a network error (not an HTTP status: that is the host's answer). */
  failed: boolean;
  /** The cap was full when this poll started. */
  capped: boolean;
}

export type CapDecision = 'grow' | 'hold' | 'cut';

export class AdaptiveCap {
  private cap: number;
  private slowStart = true;
  private baseline: number | null = null;
  private times: number[] = [];
  private failures = 0;
  private cappedStarts = 0;
  /** What the last window decided (for logs and tests). */
  lastDecision: CapDecision | null = null;

  constructor(private readonly opts: AdaptiveCapOptions) {
    if (opts.min < 1 || opts.max < opts.min) throw new Error(`adaptive cap: need 1 <= min <= max (got min ${opts.min}, max ${opts.max}).`);
    if (!(opts.decrease > 0 && opts.decrease < 1)) throw new Error(`adaptive cap: decrease must be in (0, 1) (got ${opts.decrease}).`);
    this.cap = opts.min;
  }

  get current(): number {
    return this.cap;
  }

  /** The best window median seen (drifting up slowly if latency rises for good), or null before the first window. */
  get baselineMs(): number | null {
    return this.baseline;
  }

  /** Records one finished poll; `writeBacklog` is the number of outcomes waiting to be written now. */
  record(sample: CapSample, writeBacklog = 0): void {
    this.times.push(sample.ms);
    if (sample.failed) this.failures++;
    if (sample.capped) this.cappedStarts++;
    if (this.times.length >= this.cap) this.decide(writeBacklog);
  }

  private decide(writeBacklog: number): void {
    const n = this.times.length;
    const sorted = this.times.sort((a, b) => a - b);
    const median = sorted[Math.floor((n - 1) / 2)]!;
    const failRatio = this.failures / n;
    const capped = this.cappedStarts / n;
    this.times = [];
    this.failures = 0;
    this.cappedStarts = 0;
    if (this.baseline === null || median < this.baseline) this.baseline = median;
    else this.baseline += (median - this.baseline) * 0.05;
    const slow = median > this.baseline * this.opts.latencyFactor + this.opts.latencySlackMs;
    if (slow || failRatio > this.opts.errorRatio || writeBacklog > this.opts.maxWriteBacklog) {
      this.slowStart = false;
      this.cap = Math.max(this.opts.min, Math.floor(this.cap * this.opts.decrease));
      this.lastDecision = 'cut';
      return;
    }
    if (capped < 0.5) {
      this.lastDecision = 'hold';
      return;
    }
    const grown = this.slowStart ? this.cap * 2 : this.cap + Math.ceil(this.cap / 8);
    this.cap = Math.min(this.opts.max, grown);
    this.lastDecision = 'grow';
  }
}
