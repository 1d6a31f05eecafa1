// The values cyberbrief keeps sealed in the database, as kinds that lib/reseal.ts re-seals: Slack
// installations (platforms/slack/installation-store.ts) and WebSub subscription secrets (websub/secrets.ts),
// each opened with the associated data its owner seals it with.
import type { SealedKind } from '../lib/reseal.ts';
import { installationPurpose } from '../platforms/slack/installation-store.ts';
import type { Storage } from '../storage/index.ts';
import { isPlainSecret, plainSecretText, secretPurpose } from '../websub/secrets.ts';

const AGAIN = 'add the key it was sealed with to CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS and run this again';

export function slackInstallations(storage: Pick<Storage, 'slackInstallations'>): SealedKind<{ enterpriseId: string; teamId: string }> {
  const repo = storage.slackInstallations;
  return {
    name: 'Slack installations',
    async read() {
      const rows = (await repo.sealedData()).map((r) => {
        const key = { enterpriseId: r.enterpriseId, teamId: r.teamId };
        const label = r.teamId ? `Slack installation of team ${r.teamId}${r.enterpriseId ? ` (enterprise ${r.enterpriseId})` : ''}` : `Slack installation of organisation ${r.enterpriseId} (org-wide)`;
        return { key, label, sealed: r.data, purpose: installationPurpose(key) };
      });
      // Installations are only ever stored sealed (the Slack adapter needs a key to keep them).
      return { rows, plain: [] };
    },
    replace: (changes) => repo.replaceData(changes.map((c) => ({ ...c.key, from: c.from, to: c.to }))),
    remedy: `${AGAIN}, or have the workspace install the app again (Add to Slack), which replaces it`,
  };
}

export function webSubSecrets(storage: Pick<Storage, 'websub'>): SealedKind<number> {
  const repo = storage.websub;
  return {
    name: 'WebSub secrets',
    async read() {
      const subs = await repo.list();
      const label = (s: (typeof subs)[number]) => `WebSub secret of feed ${s.feedId} (subscription ${s.id})`;
      const rows = subs.filter((s) => !isPlainSecret(s.secret)).map((s) => ({ key: s.id, label: label(s), sealed: s.secret, purpose: secretPurpose(s.callbackId) }));
      const plain = subs
        .filter((s) => isPlainSecret(s.secret))
        .map((s) => ({ key: s.id, label: label(s), stored: s.secret, plaintext: plainSecretText(s.secret), purpose: secretPurpose(s.callbackId) }));
      return { rows, plain };
    },
    replace: (changes) => repo.replaceSecrets(changes.map((c) => ({ id: c.key, from: c.from, to: c.to }))),
    remedy: `${AGAIN}; otherwise the bot makes a new secret at the subscription's next renewal, and ignores pushes for the feed until then (it is still polled)`,
  };
}
