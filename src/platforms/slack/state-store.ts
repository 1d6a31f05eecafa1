// Add to Slack's OAuth state across an encryption-key rotation. The state is signed with a secret derived
// from CYBERBRIEF_ENCRYPTION_KEY (every instance derives the same one); an install started before the key
// changed comes back with a state signed under the previous key, so a state is accepted under any of the
// secrets (the current key's first, then those of CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS) and made under the
// current one only. Expiry (10 minutes) and the browser-bound cookie are bolt's, unchanged.
import oauth, { type InstallURLOptions, type StateStore } from '@slack/oauth';

// A CommonJS package whose re-exported classes Node's ESM loader cannot name: taken from its exports object.
const { ClearStateStore } = oauth;

export function rotatingStateStore(secrets: readonly string[]): StateStore {
  if (secrets.length === 0) throw new Error('slack: the OAuth state store needs at least one secret.');
  const stores = secrets.map((s) => new ClearStateStore(s));
  return {
    generateStateParam: (options: InstallURLOptions, now: Date) => stores[0]!.generateStateParam(options, now),
    async verifyStateParam(now: Date, state: string): Promise<InstallURLOptions> {
      let failure: unknown;
      for (const store of stores) {
        try {
          return await store.verifyStateParam(now, state);
        } catch (err) {
          failure ??= err;
        }
      }
      // The current secret's answer: expired, or signed by none of them.
      throw failure;
    },
  };
}
