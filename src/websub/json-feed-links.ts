// JSON Feed hub discovery (JSON Feed 1.0/1.1): `"hubs": [{"type": "WebSub", "url": "..."}]` and the feed's
// own `feed_url`, both top-level members. The text is the head of a stranger's document, cut at 64 KB, so it
// may end anywhere and may be anything: a single left-to-right pass that never builds more than the strings
// it reads, never recurses past MAX_DEPTH, and, when the text ends, stops or meets something that is not
// JSON, keeps what it had found (hubs whose object was complete). It never throws.

export interface JsonFeedLinks {
  /** URLs of the hubs whose type is WebSub (any case), in document order, not yet checked. */
  hubs: string[];
  /** The feed's `feed_url`, not yet checked; null when absent. */
  feedUrl: string | null;
}

const MAX_DEPTH = 32;
/** Thrown inside the scan at the end of the text or at anything that is not JSON; caught below. */
const STOP = Symbol('stop');

/** Whether the text looks like a JSON document (its first character, after a BOM and spaces, is `{`). */
export function looksLikeJson(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfeff || c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    return c === 0x7b;
  }
  return false;
}

export function jsonFeedLinks(text: string): JsonFeedLinks {
  const out: JsonFeedLinks = { hubs: [], feedUrl: null };
  const n = text.length;
  let i = 0;

  const stop = (): never => {
    throw STOP;
  };
  const space = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xfeff) i++;
      else break;
    }
  };
  const expect = (ch: string) => {
    space();
    if (text[i] !== ch) stop();
    i++;
  };

  /** A string at `i` (its opening quote), decoded. */
  function string(): string {
    if (text[i] !== '"') stop();
    i++;
    let s = '';
    let from = i;
    for (;;) {
      if (i >= n) stop();
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        s += text.slice(from, i);
        i++;
        return s;
      }
      if (c !== 0x5c) {
        i++;
        continue;
      }
      s += text.slice(from, i);
      const e = text[i + 1];
      if (e === undefined) stop();
      if (e === 'u') {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) stop();
        s += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else {
        const simple = ESCAPES[e!];
        if (simple === undefined) stop();
        s += simple;
        i += 2;
      }
      from = i;
    }
  }

  /** The members of an object at `i` (its `{`): `member` is called with `i` at each value and must consume it. */
  function members(depth: number, member: (key: string) => void): void {
    if (depth > MAX_DEPTH) stop();
    i++; // {
    space();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      space();
      const key = string();
      expect(':');
      space();
      member(key);
      space();
      if (text[i] === ',') i++;
      else if (text[i] === '}') {
        i++;
        return;
      } else stop();
    }
  }

  /** The elements of an array at `i` (its `[`), each consumed by `element`. */
  function elements(depth: number, element: () => void): void {
    if (depth > MAX_DEPTH) stop();
    i++; // [
    space();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      space();
      element();
      space();
      if (text[i] === ',') i++;
      else if (text[i] === ']') {
        i++;
        return;
      } else stop();
    }
  }

  /** Any value at `i`, passed over. */
  function skip(depth: number): void {
    const c = text[i];
    if (c === '{') members(depth + 1, () => skip(depth + 1));
    else if (c === '[') elements(depth + 1, () => skip(depth + 1));
    else if (c === '"') string();
    else {
      const start = i;
      while (i < n && /[-+.\w]/.test(text[i]!)) i++;
      if (i === start || i >= n) stop(); // nothing, or a number or literal the cut may have shortened
    }
  }

  /** One element of `hubs`: kept when it is an object whose type is WebSub and whose url is a string. */
  function hub(): void {
    if (text[i] !== '{') return skip(2);
    let type: string | null = null;
    let url: string | null = null;
    members(3, (key) => {
      if ((key === 'type' || key === 'url') && text[i] === '"') {
        const value = string();
        if (key === 'type') type = value;
        else url = value;
      } else skip(3);
    });
    if (url !== null && type !== null && (type as string).toLowerCase() === 'websub') out.hubs.push(url);
  }

  try {
    space();
    if (text[i] !== '{') return out;
    members(1, (key) => {
      if (key === 'hubs' && text[i] === '[') elements(2, hub);
      else if (key === 'feed_url' && text[i] === '"' && out.feedUrl === null) out.feedUrl = string();
      else skip(1);
    });
  } catch (err) {
    if (err !== STOP) throw err;
  }
  return out;
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
