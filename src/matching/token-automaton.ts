// Aho-Corasick over word symbols instead of characters: every pattern is a sequence of token ids, and a
// document is scanned once, token by token, whatever the number of patterns.

export class TokenAutomaton {
  /** Transitions keyed by state * SYMBOL_SPACE + symbol. */
  private readonly next = new Map<number, number>();
  private fail: Int32Array = new Int32Array(1);
  /** Patterns ending in each state, including those reached through failure links. */
  private outputs: number[][] = [[]];
  private depth: number[] = [0];
  private stateCount = 1;
  private built = false;
  static readonly SYMBOL_SPACE = 1 << 21;

  /** Adds a pattern (non-empty symbol sequence); returns nothing, hits report `patternId`. */
  add(symbols: readonly number[], patternId: number): void {
    if (this.built) throw new Error('matcher: cannot add patterns after build()');
    let state = 0;
    for (const symbol of symbols) {
      const key = state * TokenAutomaton.SYMBOL_SPACE + symbol;
      let target = this.next.get(key);
      if (target === undefined) {
        target = this.stateCount++;
        this.next.set(key, target);
        this.outputs.push([]);
        this.depth.push((this.depth[state] ?? 0) + 1);
      }
      state = target;
    }
    this.outputs[state]?.push(patternId);
  }

  build(): void {
    this.fail = new Int32Array(this.stateCount);
    // Children lists by state for the breadth-first pass.
    const children: [number, number][][] = Array.from({ length: this.stateCount }, () => []);
    for (const [key, target] of this.next) {
      const state = Math.floor(key / TokenAutomaton.SYMBOL_SPACE);
      children[state]?.push([key - state * TokenAutomaton.SYMBOL_SPACE, target]);
    }
    const queue: number[] = [];
    for (const [, child] of children[0] ?? []) {
      this.fail[child] = 0;
      queue.push(child);
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head] ?? 0;
      for (const [symbol, child] of children[state] ?? []) {
        let f = this.fail[state] ?? 0;
        let target = this.step(f, symbol);
        while (target === undefined && f !== 0) {
          f = this.fail[f] ?? 0;
          target = this.step(f, symbol);
        }
        const failTo = target ?? 0;
        this.fail[child] = failTo;
        const inherited = this.outputs[failTo] ?? [];
        if (inherited.length > 0) this.outputs[child] = [...(this.outputs[child] ?? []), ...inherited];
        queue.push(child);
      }
    }
    this.built = true;
  }

  private step(state: number, symbol: number): number | undefined {
    return this.next.get(state * TokenAutomaton.SYMBOL_SPACE + symbol);
  }

  /** The state after reading `symbol` (-1 = a word no pattern uses: back to the root). */
  advance(state: number, symbol: number): number {
    if (symbol < 0) return 0;
    let s = state;
    for (;;) {
      const target = this.step(s, symbol);
      if (target !== undefined) return target;
      if (s === 0) return 0;
      s = this.fail[s] ?? 0;
    }
  }

  outputsOf(state: number): readonly number[] {
    return this.outputs[state] ?? [];
  }

  get size(): number {
    return this.stateCount;
  }
}
