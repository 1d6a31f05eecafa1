// Bolt's installation store over the database, on both databases: installations stored sealed (no token
// in clear), read back, found for an organisation-wide install, refused when a sealed row is moved to
// another workspace, and deleted.
import type { Installation } from '@slack/oauth';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../../src/lib/secret-box.ts';
import { createInstallationStore } from '../../../src/platforms/slack/installation-store.ts';
import type { Storage } from '../../../src/storage/index.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../../helpers/databases.ts';

notePostgresSkip();

const install = (teamId: string, token: string): Installation => ({
  team: { id: teamId, name: `Team ${teamId}` },
  enterprise: undefined,
  user: { id: 'U1', token: undefined, scopes: undefined },
  bot: { token, scopes: ['chat:write'], id: 'B1', userId: 'UBOT' },
  tokenType: 'bot',
  isEnterpriseInstall: false,
  appId: 'A1',
});

describe.each(testDatabases)('the Slack installation store on $name', (database) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  const box = createSecretBox('1f'.repeat(32));

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(database));
  });
  afterEach(async () => cleanup());

  it('stores installations sealed and reads them back by workspace', async () => {
    const store = createInstallationStore(storage.slackInstallations, box);
    await store.storeInstallation(install('T1', 'xoxb-one-secret'));
    await store.storeInstallation(install('T2', 'xoxb-two-secret'));
    expect((await store.fetchInstallation({ teamId: 'T1', enterpriseId: undefined, isEnterpriseInstall: false })).bot?.token).toBe('xoxb-one-secret');
    expect(await store.botFor('T2')).toEqual({ token: 'xoxb-two-secret', botId: 'B1', botUserId: 'UBOT' });
    expect(await store.botFor('T3')).toBeNull();
    await expect(store.fetchInstallation({ teamId: 'T3', enterpriseId: undefined, isEnterpriseInstall: false })).rejects.toThrow(/not installed in workspace T3/);
    const raw = JSON.stringify(await storage.slackInstallations.list()) + JSON.stringify(await storage.slackInstallations.find('', 'T1'));
    expect(raw).not.toContain('xoxb');
  });

  it('an organisation-wide install serves its workspaces', async () => {
    const store = createInstallationStore(storage.slackInstallations, box);
    await store.storeInstallation({ ...install('T9', 'xoxb-org-secret'), team: undefined, enterprise: { id: 'E1', name: 'Org' }, isEnterpriseInstall: true });
    expect((await store.botFor('T5', 'E1'))?.token).toBe('xoxb-org-secret');
    expect((await store.fetchInstallation({ teamId: 'T5', enterpriseId: 'E1', isEnterpriseInstall: false })).enterprise?.id).toBe('E1');
  });

  it('a sealed installation copied onto another workspace does not open; deleting removes it', async () => {
    const store = createInstallationStore(storage.slackInstallations, box);
    await store.storeInstallation(install('T1', 'xoxb-one-secret'));
    await storage.slackInstallations.save({ enterpriseId: '', teamId: 'T6', teamName: 'x', data: (await storage.slackInstallations.find('', 'T1'))!.data, installedBy: null, at: new Date() });
    await expect(store.botFor('T6')).rejects.toThrow(/does not open/);
    expect((await storage.slackInstallations.list()).map((r) => r.teamId)).toEqual(['T1', 'T6']);
    await store.deleteInstallation!({ teamId: 'T1', enterpriseId: undefined, isEnterpriseInstall: false });
    expect(await store.botFor('T1')).toBeNull();
  });
});
