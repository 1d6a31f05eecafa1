// Per-subscription secrets: 32 random bytes each, kept sealed (AES-256-GCM, lib/secret-box.ts) when
// CYBERBRIEF_ENCRYPTION_KEY is set, as Slack installations are; the callback id is the associated data, so a
// sealed secret copied onto another subscription's row does not open. Without a key they are stored marked
// `plain:`, and the operator is told once at start-up; `cyberbrief secrets rekey` seals them once a key is set.
import { randomBytes } from 'node:crypto';
import type { SecretBox } from '../lib/secret-box.ts';

const PLAIN = 'plain:';

export interface SecretKeeper {
  /** Whether secrets are encrypted at rest. */
  readonly sealed: boolean;
  store(secret: string, callbackId: string): string;
  /** Throws when a sealed secret cannot be opened (no key, another key, an altered row). */
  open(stored: string, callbackId: string): string;
}

/** A new secret or callback id: 32 random bytes, base64url (43 characters). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The associated data of a subscription's sealed secret (also what `secrets rekey` opens it with). */
export const secretPurpose = (callbackId: string) => `websub-secret:${callbackId}`;

/** A secret stored without encryption (no key was set when it was made). */
export const isPlainSecret = (stored: string) => stored.startsWith(PLAIN);

/** The secret a value stored unencrypted holds (`secrets rekey` seals it once a key is set). */
export const plainSecretText = (stored: string) => stored.slice(PLAIN.length);

export function secretKeeper(box: SecretBox | null): SecretKeeper {
  const purpose = secretPurpose;
  return {
    sealed: box !== null,
    store: (secret, callbackId) => (box ? box.seal(secret, purpose(callbackId)) : `${PLAIN}${secret}`),
    open(stored, callbackId) {
      if (isPlainSecret(stored)) return plainSecretText(stored);
      if (!box) throw new Error('websub: this subscription secret is encrypted, and CYBERBRIEF_ENCRYPTION_KEY is not set; set the key it was stored with');
      return box.open(stored, purpose(callbackId));
    },
  };
}
