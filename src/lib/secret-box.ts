// Encryption at rest for secrets kept in the database (Slack installations' tokens): AES-256-GCM with a
// 32-byte key from the environment (CYBERBRIEF_ENCRYPTION_KEY), a fresh 12-byte IV per value, and the
// value's purpose as associated data, so a ciphertext moved to another row or purpose fails to open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export interface SecretBox {
  seal(plaintext: string, purpose: string): string;
  /** Throws when the value was not sealed with this key for this purpose (tampered, moved, other key). */
  open(sealed: string, purpose: string): string;
}

/** The key as configured: 64 hex digits or base64 of 32 bytes. */
export function keyBytes(key: string): Buffer {
  const bytes = /^[0-9a-f]{64}$/i.test(key) ? Buffer.from(key, 'hex') : Buffer.from(key, 'base64');
  if (bytes.length !== 32) throw new Error('secret-box: the key must be 32 bytes (64 hex digits or base64)');
  return bytes;
}

export function createSecretBox(key: string): SecretBox {
  const k = keyBytes(key);
  return {
    seal(plaintext, purpose) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', k, iv);
      cipher.setAAD(Buffer.from(purpose, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed, purpose) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('secret-box: not a sealed value');
      const decipher = createDecipheriv('aes-256-gcm', k, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(purpose, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new Error('secret-box: the value does not open with this key (wrong CYBERBRIEF_ENCRYPTION_KEY, or the row was altered)');
      }
    },
  };
}
