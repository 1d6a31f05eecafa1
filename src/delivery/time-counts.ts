// A multiset of times that says how many lie in a range without visiting them: sorted blocks of at most
// BLOCK_MAX values. Adding, removing and counting cost a binary search within one block plus a step per
// block (30,000 times make some 40 blocks), so a cluster window's size is counted per item without walking
// the window.

const BLOCK_MAX = 1024;

/** Index of the first value in `xs` (sorted) that is >= t (`strict` false) or > t (`strict` true). */
function bound(xs: readonly number[], t: number, strict: boolean): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = xs[mid]!;
    if (v < t || (strict && v === t)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class TimeCounts {
  /** Non-empty sorted blocks; every value of a block is <= every value of the next. */
  private blocks: number[][] = [];
  size = 0;

  add(t: number): void {
    this.size++;
    const { blocks } = this;
    // The first block whose last value is >= t takes it (else the last block).
    let b = 0;
    while (b < blocks.length - 1 && blocks[b]![blocks[b]!.length - 1]! < t) b++;
    const block = blocks[b];
    if (!block) {
      blocks.push([t]);
      return;
    }
    block.splice(bound(block, t, true), 0, t);
    if (block.length > BLOCK_MAX) blocks.splice(b + 1, 0, block.splice(BLOCK_MAX >>> 1));
  }

  /** Removes one occurrence of `t`; false when there is none. */
  remove(t: number): boolean {
    const { blocks } = this;
    for (let b = 0; b < blocks.length; b++) {
      const block = blocks[b]!;
      if (block[block.length - 1]! < t) continue;
      const i = bound(block, t, false);
      if (block[i] !== t) return false;
      block.splice(i, 1);
      if (block.length === 0) blocks.splice(b, 1);
      this.size--;
      return true;
    }
    return false;
  }

  /** How many values lie in [lo, hi]. */
  count(lo: number, hi: number): number {
    if (hi < lo) return 0;
    return this.below(hi, true) - this.below(lo, false);
  }

  /** Values < t, or <= t when `inclusive`. */
  private below(t: number, inclusive: boolean): number {
    let n = 0;
    for (const block of this.blocks) {
      const last = block[block.length - 1]!;
      if (last < t || (inclusive && last === t)) {
        n += block.length;
        continue;
      }
      return n + bound(block, t, inclusive);
    }
    return n;
  }
}
