// What a user typed, quoted back in one of our sentences (an unknown topic, a time that is not one): invisible
// format characters out (a bidi override would reorder the rest of the reply), cut as every shown text is
// (lib/bounded-text.ts clipText: on a character boundary, never half an emoji, with an ellipsis).
import { clipText } from '../lib/bounded-text.ts';
import { UsageError } from '../lib/errors.ts';

/** `raw` as shown inside a sentence, at most `max` characters, without quotes. */
export function typedText(raw: string, max = 40): string {
  return clipText(raw.replace(/\p{Cf}/gu, ''), max);
}

/** `raw` in double quotes, as a refusal names what was typed: `"8am" is not a time of day`. */
export const typedQuoted = (raw: string, max = 40): string => `"${typedText(raw, max)}"`;

/**
 * A usage error whose sentence quotes what was typed: `typed` (the parts as shown, from typedText or
 * typedQuoted) travel with it as the reply's `quoted`, so a Slack user's `*8am*` is echoed as typed, never bold.
 */
export const typedUsage = (message: string, ...typed: string[]): UsageError => new UsageError(message, { quoted: typed });
