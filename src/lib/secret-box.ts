// Encryption at rest for secrets kept in the database (Slack installations' tokens, WebSub secrets):
// AES-256-GCM with a 32-byte key from the environment (CYBERBRIEF_ENCRYPTION_KEY), a fresh 12-byte IV per
// value, and the value's purpose as associated data, so a ciphertext moved to another row or purpose fails to
// open. Key rotation: values sealed under a previous key (CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS) still open;
// every value is sealed under the current key, and `cyberbrief secrets rekey` re-seals the old ones.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export interface Unsealed {
  plaintext: string;
  /** True when the value opened with a previous key only: it should be sealed again under the current one. */
  byPreviousKey: boolean;
}

export interface SecretBox {
  seal(plaintext: string, purpose: string): string;
  /** Throws when the value was not sealed with any of the keys for this purpose (tampered, moved, other key). */
  open(sealed: string, purpose: string): string;
  /** As open, and says whether a previous key was needed. */
  unseal(sealed: string, purpose: string): Unsealed;
}

/** The key as configured: 64 hex digits or base64 of 32 bytes. */
export function keyBytes(key: string): Buffer {
  const bytes = /^[0-9a-f]{64}$/i.test(key) ? Buffer.from(key, 'hex') : Buffer.from(key, 'base64');
  if (bytes.length !== 32) throw new Error('secret-box: the key must be 32 bytes (64 hex digits or base64)');
  return bytes;
}

/** The plaintext, or null when `sealed` does not open with `key` for `purpose`. Throws when it is no sealed value. */
function openWith(key: Buffer, sealed: string, purpose: string): string | null {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('secret-box: not a sealed value');
  try {
    // Tags are always 16 bytes: a shorter one (GCM would accept 4) is refused, not checked on fewer bits.
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(purpose, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/**
 * The box the configured keys make (CYBERBRIEF_ENCRYPTION_KEY, then CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS), or null
 * without a current key: every owner of sealed values builds it here, so none forgets the previous keys.
 */
export function configuredSecretBox(secrets: { encryptionKey: string | null; previousEncryptionKeys: readonly string[] }): SecretBox | null {
  return secrets.encryptionKey ? createSecretBox(secrets.encryptionKey, secrets.previousEncryptionKeys) : null;
}

/** Seals under `key`; opens with `key`, else with each of `previous` in turn. */
export function createSecretBox(key: string, previous: readonly string[] = []): SecretBox {
  const k = keyBytes(key);
  const older = previous.map(keyBytes).filter((p) => !p.equals(k));
  function unseal(sealed: string, purpose: string): Unsealed {
    const current = openWith(k, sealed, purpose);
    if (current !== null) return { plaintext: current, byPreviousKey: false };
    for (const p of older) {
      const plaintext = openWith(p, sealed, purpose);
      if (plaintext !== null) return { plaintext, byPreviousKey: true };
    }
    throw new Error(
      older.length
        ? 'secret-box: the value opens with neither CYBERBRIEF_ENCRYPTION_KEY nor any of CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS (another key, or the row was altered)'
        : 'secret-box: the value does not open with this key (wrong CYBERBRIEF_ENCRYPTION_KEY, or the row was altered)',
    );
  }
  return {
    seal(plaintext, purpose) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', k, iv);
      cipher.setAAD(Buffer.from(purpose, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open: (sealed, purpose) => unseal(sealed, purpose).plaintext,
    unseal,
  };
}
