// Tokenisation shared by scoring and ROUGE: lowercase, then maximal runs of Unicode letters and digits.
// Punctuation, apostrophes and symbols separate tokens ("U.S." -> "u", "s"; "don't" -> "don", "t").
// No stemming and no stop-word removal for ROUGE, so both systems are measured on exactly the same tokens.

const TOKEN = /[\p{L}\p{N}]+/gu;

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

/** Common English function words: they carry no topic, so scoring ignores them. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below ' +
    'between both but by can could did do does doing down during each few for from further had has have having ' +
    'he her here hers herself him himself his how i if in into is it its itself just me more most my myself no ' +
    'nor not now of off on once only or other our ours ourselves out over own same she should so some such than ' +
    'that the their theirs them themselves then there these they this those through to too under until up very ' +
    'was we were what when where which while who whom why will with would you your yours yourself yourselves ' +
    'said says say told one two new also s t d ll m re ve year years last first like get got may might must ' +
    'us mr mrs ms dr'
  ).split(' '),
);

/** Content tokens: tokens that are not stop words and not single characters. */
export function contentTokens(text: string): string[] {
  return tokenize(text).filter((t) => t.length > 1 && !STOPWORDS.has(t));
}
