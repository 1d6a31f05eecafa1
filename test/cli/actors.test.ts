// cyberbrief actors list / import: what is loaded, and a refresh from a MISP galaxy file (made up for this
// test), written atomically to matching.actors_file or --out; bad files change nothing.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-actors-'));
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

async function run(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env, cwd: dir });
  return { code, out, err };
}

const GALAXY = JSON.stringify({
  name: 'Threat Actor',
  values: [
    { value: 'Paper Heron', meta: { synonyms: ['HERON-7', 'Mercury'], 'cfr-suspected-state-sponsor': 'China', country: 'CN' } },
    { value: 'Glass Otter', meta: { country: 'RU' } },
    { value: 'Quiet Gang', meta: {} },
  ],
});

describe('cyberbrief actors', () => {
  it('lists the shipped list with counts per state', async () => {
    const r = await run(['actors', 'list']);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^\d+ threat actors \(\d+ aliases\) from .*config\/threat-actors\.jsonl$/);
    expect(r.out[1]).toMatch(/^ {2}China \d+, Russia \d+, Iran \d+, North Korea \d+/);
  });

  it('imports a MISP galaxy file to --out and lists it by state, with each alias rule', async () => {
    const out = path.join(dir, 'actors.jsonl');
    const dry = await run(['actors', 'import', write('galaxy.json', GALAXY), '--out', out, '--dry-run']);
    expect(dry.out).toEqual([`actors import: would write 2 actors with a state (1 with a suspected sponsor), 2 aliases; 2 new, 0 gone to ${out}.`]);
    expect(existsSync(out)).toBe(false);
    const r = await run(['actors', 'import', path.join(dir, 'galaxy.json'), '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([`actors import: wrote 2 actors with a state (1 with a suspected sponsor), 2 aliases; 2 new, 0 gone to ${out}. Restart the bot to use them.`]);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('{"name":"Glass Otter","aliases":[],"state_sponsor":null,"origin":"Russia"}');
    const override = write('o.yaml', `matching:\n  actors_file: ${JSON.stringify(out)}\n`);
    const list = await run(['actors', 'list', '--state', 'china'], { CYBERBRIEF_CONFIG: override });
    expect(list.out).toEqual([`2 threat actors (2 aliases) from ${out}`, '  China 1, Russia 1', 'Paper Heron  [sponsor China]  Paper Heron (in cyber stories), HERON-7, Mercury (with an actor cue)']);
    const json = await run(['actors', 'list', '--json'], { CYBERBRIEF_CONFIG: override });
    expect(json.out.join('\n').split('\n').map((l) => JSON.parse(l).name)).toEqual(['Glass Otter', 'Paper Heron']);
  });

  it.each([
    { name: 'no file', argv: ['actors', 'import'], error: 'cyberbrief actors import: give one file, a MISP galaxy threat-actor.json; see cyberbrief actors --help.' },
    { name: 'a file that is not a galaxy', argv: ['actors', 'import', write('bad.json', '{"values": 3}')], error: /^cyberbrief actors: .*bad\.json:1 needs a string "name"|actors: .*bad\.json has no "values" list/ },
    { name: 'an empty JSON object', argv: ['actors', 'import', write('empty-object.json', '{}\n')], error: /^cyberbrief actors: .*empty-object\.json has no "values" list; expected a MISP galaxy cluster file such as threat-actor\.json\.$/ },
    { name: 'a JSON array', argv: ['actors', 'import', write('array.json', '[\n  {"value": "A"}\n]\n')], error: /^cyberbrief actors: .*array\.json has no "values" list; expected a MISP galaxy cluster file such as threat-actor\.json\.$/ },
    { name: 'a galaxy with no state', argv: ['actors', 'import', write('nostate.json', '{"values": [{"value": "A"}]}')], error: /has no actor with a state sponsor or country; nothing to load\.$/ },
    { name: 'a missing file', argv: ['actors', 'import', path.join(dir, 'missing.json')], error: `cyberbrief actors import: cannot read ${path.join(dir, 'missing.json')}: there is no such file (ENOENT); check the path.` },
    { name: 'an unknown subcommand', argv: ['actors', 'remove'], error: 'cyberbrief actors: unknown subcommand "remove"; use list or import.' },
  ])('refuses $name in one sentence, changing nothing', async ({ argv, error }) => {
    const out = path.join(dir, 'untouched.jsonl');
    const r = await run([...argv, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err).toHaveLength(1);
    if (typeof error === 'string') expect(r.err[0]).toBe(error);
    else expect(r.err[0]).toMatch(error);
    expect(existsSync(out)).toBe(false);
  });
});

describe('cyberbrief match --explain', () => {
  it('shows the decision, the topics filed under, the model contributions with the actor reason, and the rules', async () => {
    const items = write('items.jsonl', JSON.stringify({ id: 'x1', title: 'FamousSparrow hackers breach foreign ministry networks', description: 'The espionage campaign stole diplomatic cables.' }) + '\n');
    const r = await run(['match', '--input', items, '--explain']);
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    expect(r.out[0]).toBe('IN   x1  FamousSparrow hackers breach foreign ministry networks');
    expect(r.out[1]).toMatch(/^ {5}in scope: relevance [01]\.\d\d >= 0\.\d\d( without a rule match)?; /);
    expect(r.out[2]).toMatch(/^ {5}filed under: [a-z-]+/);
    expect(r.out.join('\n')).toContain('FamousSparrow: China-linked group (MISP galaxy)');
    expect(r.out.some((l) => /^ {5}rule state-cyber-operations /.test(l))).toBe(true);
    const json = await run(['match', '--input', items, '--json', '--explain']);
    const line = JSON.parse(json.out[0]!);
    expect(line).toMatchObject({ id: 'x1', matched: true });
    expect(line.contributions[0]).toEqual({ feature: expect.any(String), points: expect.any(Number), evidence: expect.anything() });
  });
});
