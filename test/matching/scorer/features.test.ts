// Who a story's state is (the actor, the victim) and which kinds of story it tells, as the scorer's features read
// them with the shipped threat-actor list. Stories written for this test.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../../src/matching/load-relevance.ts';
import { ALL_FEATURES, extractFeatures } from '../../../src/matching/scorer/features.ts';

const knowledge = await loadKnowledge(path.join(process.cwd(), 'config', 'threat-actors.jsonl'));

const features = (title: string, description: string) => extractFeatures(knowledge, { title, description }, ALL_FEATURES);

describe('a state as the actor or the victim', () => {
  it.each([
    {
      name: 'a demonym after an actor cue that describes the target',
      title: 'New malware hunts for industrial controllers',
      description: 'The code activates only on computers associated with Egyptian power and desalination plants, researchers said.',
      agent: undefined,
      victim: 'Egyptian power and desalination plants',
    },
    {
      name: 'a state body that describes the target',
      title: 'Intruders breached Ukrainian military networks for months',
      description: 'The malware copied files to a cloud account every night.',
      agent: undefined,
      victim: 'Ukrainian military networks',
    },
    {
      name: 'a state named in a compound as the target',
      title: 'Crew deploys Syria-targeted wiper in cloud attacks',
      description: 'The script erases machines whose clock is set to the local time zone.',
      agent: undefined,
      victim: 'Syria-targeted',
    },
    {
      name: 'a campaign focused on a state',
      title: 'Russia-focused phishing campaign spoofs tax office',
      description: 'The emails carry a loader that installs a remote access trojan.',
      agent: undefined,
      victim: 'Russia-focused',
    },
    // Unchanged: the state as the actor.
    { name: 'an actor cue before a demonym and an actor noun', title: 'Espionage campaign linked to Chinese state hackers', description: 'The malware stole mail from ministries.', agent: 'linked to Chinese', victim: undefined },
    { name: 'a state body and an actor noun', title: 'Russian military hackers hit a utility', description: 'The malware wiped servers at the plant.', agent: 'Russian military', victim: undefined },
    { name: 'a participle of affiliation in a compound', title: 'China-linked hackers breach telecom', description: 'The intruders used a new backdoor.', agent: 'China-linked', victim: undefined },
    { name: 'a finite verb after the state', title: 'Iran targeted banks with a wiper', description: 'The malware erased disks at three lenders.', agent: 'Iran targeted', victim: undefined },
    { name: 'a demonym after a victim cue', title: 'Hackers targeting Polish government networks', description: 'The malware stole passwords.', agent: undefined, victim: 'targeting Polish' },
  ])('$name', ({ title, description, agent, victim }) => {
    const { values, evidence } = features(title, description);
    expect(values.has('fact:state_agent') ? evidence.get('fact:state_agent') : undefined).toBe(agent);
    expect(values.has('fact:state_victim') ? evidence.get('fact:state_victim') : undefined).toBe(victim);
  });
});

describe('a state known to steal for its regime', () => {
  it.each([
    {
      name: 'one of its groups named alone, with theft: a named group, not the regime at work',
      title: 'TraderTraitor lures developers with poisoned coding tests',
      description: 'The group used malware to drain wallets in a cryptocurrency theft worth $20 million.',
      kinds: ['named_group'],
    },
    {
      name: 'the state named',
      title: 'North Korean hackers steal $20 million in crypto',
      description: 'The malware drained wallets at an exchange in a cryptocurrency theft.',
      kinds: ['regime_crime', 'state_cyber_operation'],
    },
    {
      name: 'a group and a state cue',
      title: 'TraderTraitor stole $20 million for the regime',
      description: 'The group used malware to drain wallets in a cryptocurrency theft.',
      kinds: ['named_group', 'regime_crime', 'state_sponsored'],
    },
  ])('$name', ({ title, description, kinds }) => {
    const { values } = features(title, description);
    const found = [...values.keys()].filter((k) => k.startsWith('kind:')).map((k) => k.slice('kind:'.length)).sort();
    expect(found).toEqual(kinds);
  });
});

// A strategy's foreign side (session 27, docs/relevance-check/README.md): "adversaries" as written names the states
// a national policy is aimed at; "adversary" alone is any attacker ("adversary-in-the-middle"); a cyber command is
// a state body, not a strategy, so its name alone does not make both halves of the kind. Stories written for this test.
describe('a national cyber strategy aimed at adversaries', () => {
  it.each([
    {
      name: 'a cyber strategy against adversaries',
      title: 'Government cyber strategy vows to deter adversaries',
      description: 'The plan also funds the modernisation of federal networks.',
      kind: true,
    },
    {
      name: 'adversarial states in the description',
      title: 'Ministers publish a national cyber strategy',
      description: 'It names adversarial states as the main threat to networks.',
      kind: true,
    },
    {
      name: 'an attacker called an adversary, in a phishing story with a strategy word',
      title: 'Phishing kit uses adversary-in-the-middle pages',
      description: 'Firms should revisit their cybersecurity strategy, the researchers said.',
      kind: false,
    },
    {
      name: 'a cyber command named, nothing about a strategy',
      title: 'Senate confirms new head of Cyber Command',
      description: 'The general will also lead the signals intelligence agency.',
      kind: false,
    },
  ])('$name', ({ title, description, kind }) => {
    const { values } = features(title, description);
    expect(values.has('kind:strategy_against_adversaries')).toBe(kind);
  });
});

// Words only security news uses count as a cyber angle (session 27, candidate (i)): with one, a group whose alias is
// made of ordinary words is read as the group; without any, the story is not the beat. Stories written for this test.
describe('a trojanized tool is a cyber angle', () => {
  it.each([
    { name: 'a trojanized installer', title: 'Tropic Trooper ships a trojanized PDF reader', description: 'The lure reached readers in the region.', cyber: true },
    { name: 'a post-exploitation agent', title: 'Tropic Trooper deploys a post-exploitation agent', description: 'The lure reached readers in the region.', cyber: true },
    { name: 'none: ordinary words only', title: 'Tropic Trooper ships a new PDF reader', description: 'The release reached readers in the region.', cyber: false },
  ])('$name', ({ title, description, cyber }) => {
    const { values } = features(title, description);
    expect(values.has('fact:no_cyber_angle')).toBe(!cyber);
    expect(values.has('fact:actor')).toBe(cyber);
  });
});
