// Add to Slack's OAuth state across a key rotation (src/platforms/slack/state-store.ts), with bolt's own
// ClearStateStore signing and verifying: made under the current secret, accepted under any configured one.
import { ClearStateStore } from '@slack/oauth';
import { describe, expect, it } from 'vitest';
import { rotatingStateStore } from '../../../src/platforms/slack/state-store.ts';

const CURRENT = 'current-secret';
const PREVIOUS = 'previous-secret';
const OPTIONS = { scopes: ['commands', 'chat:write'] };
const now = new Date('2026-12-02T12:00:00Z');
const later = (minutes: number) => new Date(now.getTime() + minutes * 60_000);

describe('rotatingStateStore', () => {
  const cases: Array<{ name: string; made: () => Promise<string>; secrets: string[]; at: Date; accepted: boolean }> = [
    { name: 'made by the store, current key', made: () => rotatingStateStore([CURRENT, PREVIOUS]).generateStateParam(OPTIONS, now), secrets: [CURRENT], at: later(1), accepted: true },
    { name: 'made before the rotation (previous key), previous key still configured', made: () => new ClearStateStore(PREVIOUS).generateStateParam(OPTIONS, now), secrets: [CURRENT, PREVIOUS], at: later(1), accepted: true },
    { name: 'made before the rotation, previous key no longer configured', made: () => new ClearStateStore(PREVIOUS).generateStateParam(OPTIONS, now), secrets: [CURRENT], at: later(1), accepted: false },
    { name: 'made by the store: never under the previous key', made: () => rotatingStateStore([CURRENT, PREVIOUS]).generateStateParam(OPTIONS, now), secrets: [PREVIOUS], at: later(1), accepted: false },
    { name: 'expired (bolt: 10 minutes), under either key', made: () => new ClearStateStore(PREVIOUS).generateStateParam(OPTIONS, now), secrets: [CURRENT, PREVIOUS], at: later(11), accepted: false },
    { name: 'signed by a key nobody configured', made: () => new ClearStateStore('someone-else').generateStateParam(OPTIONS, now), secrets: [CURRENT, PREVIOUS], at: later(1), accepted: false },
    { name: 'not a state at all', made: async () => 'forged', secrets: [CURRENT, PREVIOUS], at: later(1), accepted: false },
  ];

  it.each(cases)('$name: accepted = $accepted', async ({ made, secrets, at, accepted }) => {
    const state = await made();
    const verified = rotatingStateStore(secrets).verifyStateParam(at, state);
    if (accepted) await expect(verified).resolves.toMatchObject(OPTIONS);
    else await expect(verified).rejects.toThrow();
  });

  it('needs a secret', () => {
    expect(() => rotatingStateStore([])).toThrow(/at least one secret/);
  });
});
