// AES-256-GCM sealing of secrets at rest: a value opens only with the same key and purpose, any change to
// it is detected, and the same value sealed twice looks different.
import { describe, expect, it } from 'vitest';
import { createSecretBox, keyBytes } from '../../src/lib/secret-box.ts';

const HEX = '0f'.repeat(32);
const B64 = Buffer.alloc(32, 7).toString('base64');

describe('secret box', () => {
  it('round-trips a value, with a fresh IV each time', () => {
    const box = createSecretBox(HEX);
    const a = box.seal('xoxb-secret-token', 'slack-installation::T1');
    const b = box.seal('xoxb-secret-token', 'slack-installation::T1');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(a).not.toContain('xoxb');
    expect(box.open(a, 'slack-installation::T1')).toBe('xoxb-secret-token');
  });

  it.each([
    ['another purpose (a row copied onto another workspace)', (s: string) => s, 'slack-installation::T2', HEX],
    ['another key', (s: string) => s, 'slack-installation::T1', B64],
    ['a changed ciphertext', (s: string) => s.slice(0, -2) + (s.endsWith('A') ? 'BB' : 'AA'), 'slack-installation::T1', HEX],
    ['a changed tag', (s: string) => s.split('.').map((p, i) => (i === 2 ? Buffer.alloc(16).toString('base64url') : p)).join('.'), 'slack-installation::T1', HEX],
    ['not a sealed value', () => 'xoxb-in-clear', 'slack-installation::T1', HEX],
  ])('refuses %s', (_, change, purpose, key) => {
    const sealed = createSecretBox(HEX).seal('xoxb-secret-token', 'slack-installation::T1');
    expect(() => createSecretBox(key).open(change(sealed), purpose)).toThrow(/^secret-box: /);
  });

  it('takes 64 hex digits or base64 of 32 bytes, and nothing else', () => {
    expect(keyBytes(HEX)).toHaveLength(32);
    expect(keyBytes(B64)).toHaveLength(32);
    expect(() => keyBytes('short')).toThrow(/32 bytes/);
  });
});
