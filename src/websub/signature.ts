// X-Hub-Signature (WebSub §8): `method=hex` where method is sha1, sha256, sha384 or sha512 and hex is the
// HMAC of the raw request body keyed with the subscription's secret. A pure function: timing-safe compare,
// no HTTP in sight.
import { createHmac, timingSafeEqual } from 'node:crypto';

const ALGORITHMS = new Set(['sha1', 'sha256', 'sha384', 'sha512']);
const HEX_LENGTH: Record<string, number> = { sha1: 40, sha256: 64, sha384: 96, sha512: 128 };

export type SignatureCheck = { ok: true; algorithm: string } | { ok: false; reason: 'missing' | 'malformed' | 'unsupported' | 'mismatch' };

export function checkSignature(secret: string, body: Uint8Array, header: string | string[] | undefined): SignatureCheck {
  if (header === undefined || header === '') return { ok: false, reason: 'missing' };
  if (Array.isArray(header)) return { ok: false, reason: 'malformed' };
  const m = /^\s*([a-z0-9]{1,16})=([0-9a-f]+)\s*$/i.exec(header);
  if (!m) return { ok: false, reason: 'malformed' };
  const algorithm = m[1]!.toLowerCase();
  if (!ALGORITHMS.has(algorithm)) return { ok: false, reason: 'unsupported' };
  const given = m[2]!.toLowerCase();
  if (given.length !== HEX_LENGTH[algorithm]) return { ok: false, reason: 'malformed' };
  const expected = createHmac(algorithm, secret).update(body).digest();
  const ok = timingSafeEqual(expected, Buffer.from(given, 'hex'));
  return ok ? { ok: true, algorithm } : { ok: false, reason: 'mismatch' };
}
