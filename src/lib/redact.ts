// Secrets out of anything printed: configured values (tokens, signing secrets, API keys, the passwords of
// URL-valued settings), passwords inside URLs, secret-looking query and form parameters, and Slack and bearer
// tokens by their shape. The logger runs every line through redactText; the CLI runs what it prints through
// it too; messages that name a URL-valued setting show it with redactUrl.

export const REDACTED = '[redacted]';

/** Values shorter than this are not scrubbed by value (they would hide ordinary words). */
export const MIN_SECRET_LENGTH = 6;

// scheme://user:password@ (the user may be empty; the password runs to the last @ before the path, so a
// password holding an unencoded @ is hidden whole).
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@"'<>]*:)([^\s/?#"'<>]+)(@)/gi;
// A query or form parameter named for a secret: the name is one of these words, or ends in one after a `.`,
// `_` or `-` (hub.secret, client_secret, refresh_token, X-Amz-Signature), or libpq's sslpassword.
const SECRET_PARAM = /([?&]([A-Za-z0-9_.-]{1,64})=)([^&\s"']+)/g;
const SECRET_NAME = /(?:^|[._-])(?:token|api_?key|key|secret|password|passwd|sig|signature|credential)$|^(?:ssl)?password$/i;
// Tokens nobody configured but recognisable by their shape: Slack's (an installed workspace's bot token, a
// user token, an app token) and any bearer credential written out in a header.
const TOKEN_SHAPES = /\bxox[abeoprs]-[A-Za-z0-9-]{6,}|\bxapp-[A-Za-z0-9-]{6,}/g;
const BEARER = /\b(bearer\s+)[A-Za-z0-9._~+/-]{6,}=*/gi;

/**
 * Only the passwords inside URLs (for output that may hold feed URLs with ordinary query strings). Text without
 * both a `://` and an `@` holds none, and skips the pattern (most lines: 10,000 feed URLs a poll).
 */
export function redactUrlPasswords(text: string): string {
  return text.includes('://') && text.includes('@') ? text.replace(URL_PASSWORD, `$1${REDACTED}$3`) : text;
}

/** Replace secrets in one string: configured values, URL passwords, secret-looking query parameters. */
export function redactText(text: string, secrets: readonly string[]): string {
  return redactUrlPasswords(redactValues(text, secrets))
    .replace(SECRET_PARAM, (all: string, head: string, name: string) => (SECRET_NAME.test(name) ? `${head}${REDACTED}` : all))
    .replace(TOKEN_SHAPES, REDACTED)
    .replace(BEARER, `$1${REDACTED}`);
}

/** Replace each configured secret value (longest first, so one that contains another goes whole). */
export function redactValues(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length >= MIN_SECRET_LENGTH && out.includes(s)) out = out.split(s).join(REDACTED);
  }
  return out;
}

/**
 * The secret values worth scrubbing: long enough, each also as it appears inside a JSON string (a log
 * line escapes quotes and backslashes), deduplicated, longest first.
 */
export function secretList(values: readonly (string | null | undefined)[]): string[] {
  const long = values.filter((s): s is string => !!s && s.length >= MIN_SECRET_LENGTH);
  const all = new Set([...long, ...long.map((s) => JSON.stringify(s).slice(1, -1))]);
  return [...all].sort((a, b) => b.length - a.length);
}

/** A URL for messages: its password (if any) replaced; a value that is not a URL has URL passwords scrubbed. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password) return redactUrlPasswords(url);
    u.password = REDACTED;
    return u.href.replace(encodeURIComponent(REDACTED), REDACTED);
  } catch {
    return redactUrlPasswords(url);
  }
}

/** The password of a URL (as written and decoded), for the list of values to scrub; [] when none. */
export function urlPasswords(url: string | null | undefined): string[] {
  if (!url) return [];
  try {
    const raw = new URL(url).password;
    if (!raw) return [];
    let decoded = raw;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      /* keep the raw form */
    }
    return [...new Set([raw, decoded])];
  } catch {
    return [];
  }
}
