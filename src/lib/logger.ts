// Structured logging with pino. Every line passes through one redacting writer, so a configured secret
// (token, signing secret, API key) or a password inside a URL never reaches the output, whatever field or
// message it was put in.
import { createRequire } from 'node:module';
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

/** Keys whose values are always hidden, at the top of a line and one level down. */
const SECRET_KEYS = ['token', 'password', 'secret', 'apiKey', 'api_key', 'authorization', 'signingSecret', 'signing_secret'];
/** Headers hidden one level down (`{ res: { headers: { authorization } } }`). */
const SECRET_HEADERS = ['authorization', 'x-slack-signature'];
/**
 * The paths pino hides itself, in log lines and child bindings: no wildcard, so a line without these keys costs
 * it nothing (with `*.token` and the like, pino ran every field of every line through a redactor that parsed
 * its paths again each time: 44 MB allocated for the 1,000 info lines of a poll cycle). redactNested does the
 * wildcards' part for log lines (child bindings are the code's own labels).
 */
const REDACT_PATHS = [...SECRET_KEYS, 'headers.authorization', 'req.headers.authorization'];

const own = (o: object, key: string) => Object.prototype.propertyIsEnumerable.call(o, key);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a field's value holds a secret key, or a `headers` object with a secret header, one level down. */
function holdsSecret(v: Record<string, unknown>): boolean {
  for (const k of SECRET_KEYS) if (own(v, k)) return true;
  const h = own(v, 'headers') ? v.headers : undefined;
  return isObject(h) && SECRET_HEADERS.some((k) => own(h, k));
}

/**
 * Every own property of `v` as a descriptor holding its value: an accessor is read on `v` itself. Since V8 12
 * (Node 22) an error's `stack` is an own accessor whose getter reads the error it is called on, so a copy of
 * the accessor on another object has no stack; a getter that throws leaves that property out.
 */
function ownValueDescriptors(v: object): PropertyDescriptorMap {
  const out: PropertyDescriptorMap = {};
  for (const key of Reflect.ownKeys(v)) {
    const d = Object.getOwnPropertyDescriptor(v, key)!;
    if (!d.get && !d.set) {
      out[key as string] = d;
      continue;
    }
    try {
      out[key as string] = { value: d.get ? (d.get.call(v) as unknown) : undefined, enumerable: d.enumerable, configurable: true, writable: true };
    } catch {
      // left out: the serialiser would have met the same error
    }
  }
  return out;
}

/**
 * A copy of `v` (its prototype kept, as pino's redaction copies) with its secret keys and headers hidden.
 * `whole`: every own property copied with its value (an error's message and stack, for pino's error serialiser).
 */
function hidden(v: Record<string, unknown>, whole = false): Record<string, unknown> {
  const proto = Object.getPrototypeOf(v) as object | null;
  const copy = (whole ? Object.create(proto, ownValueDescriptors(v)) : Object.assign(Object.create(proto), v)) as Record<string, unknown>;
  for (const k of SECRET_KEYS) if (own(copy, k)) copy[k] = REDACTED;
  const h = copy.headers;
  if (own(copy, 'headers') && isObject(h) && SECRET_HEADERS.some((k) => own(h, k))) {
    const headers = Object.assign(Object.create(Object.getPrototypeOf(h) as object | null) as Record<string, unknown>, h);
    for (const k of SECRET_HEADERS) if (own(headers, k)) headers[k] = REDACTED;
    copy.headers = headers;
  }
  return copy;
}

/**
 * A log line's fields with the secrets one level down hidden (`{ slack: { token } }`, `{ res: { headers: {
 * authorization } } }`), as the wildcard paths `*.token`, ..., `*.headers.authorization` and
 * `*.headers["x-slack-signature"]` did in pino: one pass over the line's fields, which come back as they are
 * when nothing is hidden, else a copy (the caller's objects are never changed). An error under `err` stays an
 * error, for pino's serialiser.
 */
export function redactNested(fields: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | null = null;
  for (const key in fields) {
    if (!Object.prototype.hasOwnProperty.call(fields, key)) continue;
    const v = fields[key];
    if (!isObject(v) || !holdsSecret(v)) continue;
    out ??= { ...fields };
    out[key] = hidden(v, key === 'err' && v instanceof Error);
  }
  return out ?? fields;
}

/**
 * pino's destination: every line through redactText to the target. A plain object with `write`, not a Writable
 * stream, which turned each line into a Buffer and back and ran a stream's bookkeeping per line.
 */
function redactingSink(secrets: readonly string[], target: NodeJS.WritableStream): { write(line: string): void } {
  return { write: (line) => void target.write(redactText(line, secrets)) };
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
      formatters: { level: (label) => ({ level: label }), log: redactNested },
    },
    redactingSink(secrets, sink),
  );
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
