// doctor's line on values sealed at rest: how many open with the current key, how many still need
// CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS (so `secrets rekey` is due), how many open with no configured key, and
// how many were stored unencrypted before the key was set (`secrets rekey` seals them).
// Cheap: one read of the sealed rows and one AES-GCM open each; no line without CYBERBRIEF_ENCRYPTION_KEY.
import type { Config } from '../config/schema.ts';
import { errorMessage } from '../lib/errors.ts';
import { surveySealed } from '../lib/reseal.ts';
import type { Check } from './doctor.ts';
import { configuredSecretBox } from '../lib/secret-box.ts';
import { slackInstallations, webSubSecrets } from './sealed-values.ts';
import type { CliContext } from './types.ts';

export async function checkSealedValues(ctx: CliContext, config: Config): Promise<Check | null> {
  const box = configuredSecretBox(config.secrets);
  if (!box) return null;
  const name = 'encryption';
  try {
    const storage = await ctx.openStorage(config, { migrate: false });
    try {
      const surveys = [await surveySealed(slackInstallations(storage), box), await surveySealed(webSubSecrets(storage), box)];
      const total = surveys.reduce((n, s) => n + s.current + s.previous.length + s.unreadable.length, 0);
      const per = (count: (s: (typeof surveys)[number]) => number) =>
        surveys
          .filter((s) => count(s) > 0)
          .map((s) => `${s.name} ${count(s)}`)
          .join(', ');
      const unreadable = surveys.reduce((n, s) => n + s.unreadable.length, 0);
      const previous = surveys.reduce((n, s) => n + s.previous.length, 0);
      const plain = surveys.reduce((n, s) => n + s.plain.length, 0);
      const plainNote = plain ? `${plain} ${plain === 1 ? 'value' : 'values'} stored unencrypted before the key was set (${per((s) => s.plain.length)})` : '';
      if (unreadable) {
        return { name, ok: false, detail: `${unreadable} of ${total} sealed ${total === 1 ? 'value opens' : 'values open'} with no configured key (${per((s) => s.unreadable.length)}); run 'cyberbrief secrets rekey --dry-run' to see which and what to do` };
      }
      if (previous) {
        return { name, ok: true, warn: true, detail: `${previous} of ${total} sealed ${total === 1 ? 'value still needs' : 'values still need'} CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS (${per((s) => s.previous.length)})${plain ? `, and ${plainNote}` : ''}; run 'cyberbrief secrets rekey'` };
      }
      if (plain) {
        return { name, ok: true, warn: true, detail: `${total} sealed ${total === 1 ? 'value opens' : 'values open'} with the current key; ${plainNote}: run 'cyberbrief secrets rekey' to seal them` };
      }
      const drop = config.secrets.previousEncryptionKeys.length ? '; CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS is no longer needed and can be removed' : '';
      return { name, ok: true, detail: `${total} sealed ${total === 1 ? 'value opens' : 'values open'} with the current key${drop}` };
    } finally {
      await storage.close();
    }
  } catch (err) {
    return { name, ok: true, warn: true, detail: `sealed values not counted: ${errorMessage(err).replace(/^storage: /, '')}` };
  }
}
