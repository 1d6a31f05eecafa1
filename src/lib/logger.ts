// Structured logging with pino. Every line passes through one redacting writer, so a configured secret
// (token, signing secret, API key) or a password inside a URL never reaches the output, whatever field or
// message it was put in.
import { Writable } from 'node:stream';
import pino, { type Logger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Human-readable output (a TTY); JSON lines otherwise. */
  pretty: boolean;
  /** Secret values to scrub wherever they appear. Short values (< 6 chars) are ignored to avoid noise. */
  secrets: readonly string[];
  /** Where lines go; defaults to stdout. */
  destination?: NodeJS.WritableStream;
}

const REDACTED = '[redacted]';

/** Keys whose values are always hidden, at any depth pino can address. */
const REDACT_PATHS = [
  'token', 'password', 'secret', 'apiKey', 'api_key', 'authorization', 'signingSecret', 'signing_secret',
  '*.token', '*.password', '*.secret', '*.apiKey', '*.api_key', '*.authorization', '*.signingSecret', '*.signing_secret',
  'headers.authorization', 'req.headers.authorization', '*.headers.authorization', '*.headers["x-slack-signature"]',
];

const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@"']+:)([^\s@/"']+)(@)/gi;
const SECRET_QUERY = /([?&](?:token|access_token|api_key|apikey|key|secret|password|sig|signature)=)([^&\s"']+)/gi;

/** Replace secrets in one string: configured values, URL passwords, secret-looking query parameters. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length >= 6 && out.includes(s)) out = out.split(s).join(REDACTED);
  }
  return out.replace(URL_PASSWORD, `$1${REDACTED}$3`).replace(SECRET_QUERY, `$1${REDACTED}`);
}

class RedactingStream extends Writable {
  constructor(
    private readonly secrets: readonly string[],
    private readonly target: NodeJS.WritableStream,
  ) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.target.write(redactText(chunk.toString(), this.secrets));
    cb();
  }
}

export function createLogger(opts: LoggerOptions): Logger {
  const target = opts.destination ?? process.stdout;
  const sink = opts.pretty
    ? pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', destination: target as never, sync: true })
    : target;
  const secrets = [...new Set(opts.secrets.filter((s) => s && s.length >= 6))].sort((a, b) => b.length - a.length);
  return pino(
    {
      level: opts.level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      formatters: { level: (label) => ({ level: label }) },
    },
    new RedactingStream(secrets, sink),
  );
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
