// Splits the text after `/news` into a subcommand and arguments. Quotes (straight or the curly ones chat
// clients substitute) group words: keywords add "trade secrets".
export interface ParsedText {
  name: string;
  args: string[];
}

const QUOTES: Record<string, string> = { '"': '"', "'": "'", '\u201c': '\u201d', '\u2018': '\u2019', '\u00ab': '\u00bb' };

export function tokenizeArgs(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let closing: string | null = null;
  let inToken = false;
  for (const ch of text) {
    if (closing !== null) {
      if (ch === closing || (closing === '"' && ch === '\u201d')) {
        closing = null;
      } else {
        cur += ch;
      }
      continue;
    }
    if (/\s/.test(ch)) {
      if (inToken) out.push(cur);
      cur = '';
      inToken = false;
      continue;
    }
    const close = QUOTES[ch];
    if (close !== undefined && (!inToken || cur === '-')) {
      closing = close;
      inToken = true;
      continue;
    }
    cur += ch;
    inToken = true;
  }
  if (inToken) out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

export function parseCommandText(text: string): ParsedText {
  const tokens = tokenizeArgs(text);
  const [first, ...args] = tokens;
  return { name: (first ?? '').toLowerCase(), args };
}
