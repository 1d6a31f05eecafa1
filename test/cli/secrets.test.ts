// cyberbrief secrets rekey on both databases: after a key rotation, values sealed under the previous key are
// re-sealed under the current one, values stored unencrypted before a key was set are sealed, values
// already current and values no key opens are left as they are
// (the latter named by row, exit 1), a dry run changes nothing, a second run re-seals nothing, a write
// by a running instance between reading and re-sealing is not overwritten, and no key is ever printed.
import type { Installation } from '@slack/oauth';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { slackInstallations } from '../../src/cli/sealed-values.ts';
import { resealKind } from '../../src/lib/reseal.ts';
import { createSecretBox } from '../../src/lib/secret-box.ts';
import { createInstallationStore } from '../../src/platforms/slack/installation-store.ts';
import type { Storage } from '../../src/storage/index.ts';
import { secretKeeper } from '../../src/websub/secrets.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { runCli } from '../helpers/cli-run.ts';

notePostgresSkip();

const NEW = '4e'.repeat(32);
const OLD = Buffer.alloc(32, 0x0d).toString('base64');
const OLDER = '0e'.repeat(32);
const STRANGER = '5a'.repeat(32);
const KEYS = [NEW, OLD, OLDER, STRANGER];

const install = (teamId: string, token: string, enterpriseId?: string): Installation => ({
  team: teamId ? { id: teamId, name: `Team ${teamId}` } : undefined,
  enterprise: enterpriseId ? { id: enterpriseId, name: `Org ${enterpriseId}` } : undefined,
  user: { id: 'U1', token: undefined, scopes: undefined },
  bot: { token, scopes: ['chat:write'], id: 'B1', userId: 'UBOT' },
  tokenType: 'bot',
  isEnterpriseInstall: !teamId,
  appId: 'A1',
});

const cli = (argv: string[], env: Record<string, string>) => runCli(argv, env);

/** Every sealed value in the database, by row. */
async function snapshot(storage: Storage): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const r of await storage.slackInstallations.sealedData()) out[`slack:${r.enterpriseId}:${r.teamId}`] = r.data;
  for (const s of await storage.websub.list()) out[`websub:${s.feedId}`] = s.secret;
  return out;
}

describe.each(testDatabases)('cyberbrief secrets rekey on $name', (database) => {
  let storage: Storage;
  let url: string;
  let cleanup: () => Promise<void>;
  const env = () => ({ DATABASE_URL: url, CYBERBRIEF_ENCRYPTION_KEY: NEW, CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS: `${OLD},${OLDER}` });
  const feedIds: number[] = [];

  /** Slack: three under previous keys (a team, a team in an enterprise, an org-wide install), one current, one under an unknown key. WebSub: two previous, one current, one unknown, one stored plain. */
  async function seed(): Promise<void> {
    const at = new Date();
    const slack = (key: string) => createInstallationStore(storage.slackInstallations, createSecretBox(key));
    await slack(OLD).storeInstallation(install('T1', 'xoxb-token-one'));
    await slack(OLDER).storeInstallation(install('T2', 'xoxb-token-two', 'E1'));
    await slack(OLD).storeInstallation(install('', 'xoxb-token-org', 'E2'));
    await slack(NEW).storeInstallation(install('T3', 'xoxb-token-three'));
    await slack(STRANGER).storeInstallation(install('T4', 'xoxb-token-four'));
    const subs: Array<[string, string | null]> = [['a', OLD], ['b', OLDER], ['c', NEW], ['d', STRANGER], ['e', null]];
    feedIds.length = 0;
    for (const [name, key] of subs) {
      const feedId = (await storage.feeds.add({ url: `https://${name}.example/rss`, source: 'cli' }, at)).feed.id;
      feedIds.push(feedId);
      const callbackId = `callback-${name}`;
      const secret = secretKeeper(key ? createSecretBox(key) : null).store(`websub-secret-${name}`, callbackId);
      await storage.websub.insert({ feedId, callbackId, hubUrl: 'https://hub.example/', topicUrl: `https://${name}.example/rss`, secret, nextActionAt: at, at });
    }
  }

  beforeEach(async () => {
    ({ storage, url, cleanup } = await freshStorage(database));
    await seed();
  });
  afterEach(async () => cleanup());

  const noKeys = (text: string) => {
    for (const k of KEYS) expect(text).not.toContain(k);
    expect(text).not.toMatch(/xoxb-token|websub-secret-/);
  };

  it('--dry-run counts, names the unreadable rows, and changes nothing', async () => {
    const before = await snapshot(storage);
    const r = await cli(['secrets', 'rekey', '--dry-run'], env());
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').slice(1, 3)).toEqual([
      '  Slack installations: 3 to re-seal, 1 already current, 1 unreadable',
      '  WebSub secrets: 2 to re-seal, 1 already current, 1 unreadable, 1 stored unencrypted, 1 of them to seal',
    ]);
    expect(r.stdout).toMatch(/^secrets rekey: .* \(dry run: nothing changed\)\n/);
    noKeys(r.stdout);
    expect(await snapshot(storage)).toEqual(before);
  });

  it('re-seals under the current key, leaves unreadable rows untouched, and a second run re-seals nothing', async () => {
    const before = await snapshot(storage);
    const first = await cli(['secrets', 'rekey'], env());
    expect(first.code).toBe(1);
    expect(first.stdout.split('\n').slice(1)).toEqual([
      '  Slack installations: 3 re-sealed, 1 already current, 1 unreadable',
      '  WebSub secrets: 2 re-sealed, 1 already current, 1 unreadable, 1 stored unencrypted, 1 of them sealed',
      "  unreadable: Slack installation of team T4 opens with no configured key: add the key it was sealed with to CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS and run this again, or have the workspace install the app again (Add to Slack), which replaces it.",
      `  unreadable: WebSub secret of feed ${feedIds[3]} (subscription 4) opens with no configured key: add the key it was sealed with to CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS and run this again; otherwise the bot makes a new secret at the subscription's next renewal, and ignores pushes for the feed until then (it is still polled).`,
    ]);
    noKeys(first.stdout + first.stderr);

    const after = await snapshot(storage);
    // Untouched: the current and the unreadable values.
    for (const k of ['slack::T3', 'slack::T4', `websub:${feedIds[2]}`, `websub:${feedIds[3]}`]) expect(after[k]).toBe(before[k]);
    // Re-sealed: new ciphertexts that open with the current key alone.
    const current = createInstallationStore(storage.slackInstallations, createSecretBox(NEW));
    for (const [team, enterprise, token] of [['T1', null, 'xoxb-token-one'], ['T2', 'E1', 'xoxb-token-two'], [null, 'E2', 'xoxb-token-org']] as const) {
      expect((await current.botFor(team, enterprise))?.token).toBe(token);
    }
    const keeper = secretKeeper(createSecretBox(NEW));
    // Re-sealed, and the one stored unencrypted sealed: each opens with the current key alone.
    for (const [i, name] of [[0, 'a'], [1, 'b'], [4, 'e']] as const) {
      expect(after[`websub:${feedIds[i]}`]).not.toBe(before[`websub:${feedIds[i]}`]);
      expect(keeper.open(after[`websub:${feedIds[i]}`]!, `callback-${name}`)).toBe(`websub-secret-${name}`);
    }

    const second = await cli(['secrets', 'rekey'], env());
    expect(second.code).toBe(1);
    expect(second.stdout.split('\n').slice(1, 3)).toEqual([
      '  Slack installations: 0 re-sealed, 4 already current, 1 unreadable',
      '  WebSub secrets: 0 re-sealed, 4 already current, 1 unreadable',
    ]);
    expect(await snapshot(storage)).toEqual(after);

    // With the unreadable rows gone, the run is clean and says the previous keys can go.
    await storage.slackInstallations.delete('', 'T4');
    await storage.websub.delete(4);
    const third = await cli(['secrets', 'rekey', '--json'], env());
    expect(third.code).toBe(0);
    const json = JSON.parse(third.stdout) as { dryRun: boolean; kinds: Array<{ name: string; resealed: number; current: number; unreadable: unknown[] }> };
    expect(json.dryRun).toBe(false);
    expect(json.kinds.map((k) => [k.name, k.resealed, k.current, k.unreadable.length])).toEqual([['Slack installations', 0, 4, 0], ['WebSub secrets', 0, 4, 0]]);
    const plainRun = await cli(['secrets', 'rekey'], env());
    expect(plainRun).toMatchObject({ code: 0, stderr: '' });
    expect(plainRun.stdout).toContain('Every sealed value opens with the current key: CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS can be removed.');
  });

  it('doctor counts the sealed values that still need the previous keys, then none after the rekey', async () => {
    const line = async (over: Record<string, string> = {}) => {
      const r = await cli(['doctor', '--offline', '--json'], { ...env(), ...over });
      noKeys(r.stdout + r.stderr);
      return (r.stdout.split('\n').map((l) => JSON.parse(l) as { name: string; ok: boolean; warn?: boolean; detail: string })).find((c) => c.name === 'encryption');
    };
    expect(await line()).toEqual({ name: 'encryption', ok: false, detail: "2 of 9 sealed values open with no configured key (Slack installations 1, WebSub secrets 1); run 'cyberbrief secrets rekey --dry-run' to see which and what to do" });
    await storage.slackInstallations.delete('', 'T4');
    await storage.websub.delete(4);
    expect(await line()).toEqual({ name: 'encryption', ok: true, warn: true, detail: "5 of 7 sealed values still need CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS (Slack installations 3, WebSub secrets 2), and 1 value stored unencrypted before the key was set (WebSub secrets 1); run 'cyberbrief secrets rekey'" });
    expect((await cli(['secrets', 'rekey'], env())).code).toBe(0);
    expect(await line()).toEqual({ name: 'encryption', ok: true, detail: '8 sealed values open with the current key; CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS is no longer needed and can be removed' });
    expect(await line({ CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS: '' })).toEqual({ name: 'encryption', ok: true, detail: '8 sealed values open with the current key' });
    // A subscription made while no key was set: doctor says so until a rekey seals it.
    const at = new Date();
    const feedId = (await storage.feeds.add({ url: 'https://late.example/rss', source: 'cli' }, at)).feed.id;
    await storage.websub.insert({ feedId, callbackId: 'callback-late', hubUrl: 'https://hub.example/', topicUrl: 'https://late.example/rss', secret: secretKeeper(null).store('websub-secret-late', 'callback-late'), nextActionAt: at, at });
    expect(await line({ CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS: '' })).toEqual({ name: 'encryption', ok: true, warn: true, detail: "8 sealed values open with the current key; 1 value stored unencrypted before the key was set (WebSub secrets 1): run 'cyberbrief secrets rekey' to seal them" });
    expect((await cli(['secrets', 'rekey'], { ...env(), CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS: '' })).code).toBe(0);
    expect(await line({ CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS: '' })).toEqual({ name: 'encryption', ok: true, detail: '9 sealed values open with the current key' });
    expect(await line({ CYBERBRIEF_ENCRYPTION_KEY: '', CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS: '' })).toBeUndefined();
  });

  it('does not overwrite a value a running instance wrote between reading and re-sealing', async () => {
    const kind = slackInstallations(storage);
    const box = createSecretBox(NEW, [OLD, OLDER]);
    // A reinstall of T1 lands after the rows are read, before they are replaced.
    const racing = { ...kind, read: async () => {
      const rows = await kind.read();
      await createInstallationStore(storage.slackInstallations, box).storeInstallation(install('T1', 'xoxb-token-reinstalled'));
      return rows;
    } };
    const report = await resealKind(racing, box, { dryRun: false, batchSize: 2 });
    expect(report).toMatchObject({ resealed: 2, changedMeanwhile: 1, current: 1 });
    const store = createInstallationStore(storage.slackInstallations, createSecretBox(NEW));
    expect((await store.botFor('T1'))?.token).toBe('xoxb-token-reinstalled');
    expect((await store.botFor('T2', 'E1'))?.token).toBe('xoxb-token-two');
  });

  it.each([
    { name: 'without a current key', env: { CYBERBRIEF_ENCRYPTION_KEY: '', CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS: '' }, code: 1, message: /^cyberbrief secrets rekey: CYBERBRIEF_ENCRYPTION_KEY is not set; set the new key and move the old one to CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS\.$/ },
    { name: 'with a bad previous key', env: { CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS: `${OLD},${STRANGER.slice(2)}` }, code: 1, message: /^config: CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS is invalid: key 2 of 2 is not 32 bytes/ },
    { name: 'with a bad action', args: ['rotate'], env: {}, code: 2, message: /^cyberbrief secrets: expected 'rekey', got 'rotate'; run 'cyberbrief secrets --help'\.$/ },
  ])('refuses to run $name, in one line, changing nothing', async ({ env: over, args, code, message }) => {
    const before = await snapshot(storage);
    const r = await cli(['secrets', ...(args ?? ['rekey'])], { ...env(), ...over });
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    noKeys(r.stderr);
    expect(r.stderr).not.toContain(STRANGER.slice(2));
    expect(await snapshot(storage)).toEqual(before);
  });
});
