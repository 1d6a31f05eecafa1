// Structured logging with pino. Every line passes through one redacting writer, so a configured secret
// (token, signing secret, API key) or a password inside a URL never reaches the output, whatever field or
// message it was put in.
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import pino, { type Logger, type LevelWithSilent } from 'pino';
import type PinoPretty from 'pino-pretty';
import { REDACTED, redactText, secretList } from './redact.ts';

export { redactText };

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

/** Keys whose values are always hidden, at any depth pino can address. */
const REDACT_PATHS = [
  'token', 'password', 'secret', 'apiKey', 'api_key', 'authorization', 'signingSecret', 'signing_secret',
  '*.token', '*.password', '*.secret', '*.apiKey', '*.api_key', '*.authorization', '*.signingSecret', '*.signing_secret',
  'headers.authorization', 'req.headers.authorization', '*.headers.authorization', '*.headers["x-slack-signature"]',
];

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

/** pino-pretty, loaded only when readable output is asked for (most runs write JSON lines). */
const loadPretty = (): typeof PinoPretty => createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;

export function createLogger(opts: LoggerOptions): Logger {
  const target = opts.destination ?? process.stdout;
  const sink = opts.pretty
    ? loadPretty()({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', destination: target as never, sync: true })
    : target;
  const secrets = secretList(opts.secrets);
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
