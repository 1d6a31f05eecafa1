// A behavioural check of the shipped relevance model (config/relevance-model.json with the default topics and
// the threat-actor list): one short story, written for this test, per kind of story issue 10 says was missed
// on unseen news, and per kind the labelling guide calls out of scope. Not a measure of quality (the model
// card's cross-validated and held-out figures are): a guard that a refit or a knowledge change still gets the
// plain cases of each kind right, with a reason for every story it lets through.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopicsFile } from '../../src/config/topics.ts';
import { loadRelevance } from '../../src/matching/load-relevance.ts';

const root = process.cwd();
const settings = {
  scorer: 'model' as const,
  model_file: path.join(root, 'config', 'relevance-model.json'),
  actors_file: path.join(root, 'config', 'threat-actors.jsonl'),
};

interface Case {
  kind: string;
  title: string;
  description: string;
  want: boolean;
}

const IN_SCOPE: Case[] = [
  {
    kind: 'a campaign named by its threat-actor name, the state far from any cyber word',
    title: 'Mustang Panda returns with new loader',
    description:
      'The group sent lures about a regional summit to diplomats over the spring. Researchers who have followed it since 2019 describe it as China-affiliated.',
    want: true,
  },
  {
    kind: 'a threat-actor name and no state word at all',
    title: 'Sandworm wiper found on grid operator machines',
    description: 'Investigators recovered a destructive tool from the control network of an electricity company.',
    want: true,
  },
  {
    kind: 'a national cyber strategy aimed at adversaries',
    title: 'New national cyber strategy pledges to impose costs on foreign adversaries',
    description: 'The plan names China, Russia, Iran and North Korea as the main state threats to networks.',
    want: true,
  },
  {
    kind: 'a foreign intrusion into election systems',
    title: 'Iranian hackers accessed state election websites, officials say',
    description: 'The intrusion into voter registration systems was part of a wider campaign to interfere in the election.',
    want: true,
  },
  {
    kind: "state-linked sabotage of another nation's water system",
    title: 'Iran-linked hackers tampered with water utility controllers in the US',
    description: 'The attackers changed settings on industrial control systems at a water treatment plant.',
    want: true,
  },
  {
    kind: 'a short title, the state the subject of the sentence',
    title: 'China uses new backdoor on Czech organisations',
    description: 'China has used a previously unseen backdoor against Czech government bodies, the national cyber agency said.',
    want: true,
  },
  {
    kind: 'a regime stealing for itself',
    title: 'North Korean IT workers funnel salaries to weapons programmes',
    description: 'Prosecutors say the fake IT workers used stolen identities to get remote jobs at US firms.',
    want: true,
  },
  {
    kind: 'sabotage of energy systems, the state named only as where it came from',
    title: 'Finland reports wave of cyberattacks on its power utilities',
    description: 'The destructive intrusion into the grid operator was suspected of originating in Russia, officials said.',
    want: true,
  },
  {
    kind: "a state's influence operation",
    title: 'Russia-linked influence operation pushed fake news sites before the vote',
    description: 'Researchers tied a network of inauthentic accounts to a Kremlin-backed campaign aimed at European voters.',
    want: true,
  },
  {
    kind: 'a government acting against high-risk foreign suppliers',
    title: 'Britain orders telecom operators to strip high-risk suppliers from 5G networks',
    description: 'Ministers said equipment from Huawei and ZTE posed a cybersecurity risk to national networks and must go by 2027.',
    want: true,
  },
  {
    kind: 'high-risk suppliers, the government acting not named',
    title: 'Government orders operators to strip high-risk suppliers from 5G core',
    description: 'Ministers said equipment from Huawei and ZTE posed a national security risk and must go by 2027.',
    want: true,
  },
];

/**
 * Stories of the kinds that the shipped model still leaves out (relevance under the threshold; a story
 * no topic's rules match needs the stricter one):
 * kept here so that a refit or a knowledge change that starts getting them right is noticed (the test then
 * fails, and the case moves to IN_SCOPE). The model card's limits name them.
 */
const KNOWN_MISSES: Case[] = [
  {
    // No cyber tool or intrusion word beside the espionage: no topic's rules match it, and the model alone
    // does not reach the stricter threshold.
    kind: 'espionage against a ministry, the attacker described by region and motive',
    title: 'Foreign ministry networks breached in espionage campaign',
    description: 'An East Asian actor pursuing geopolitical interests stole diplomatic cables from the ministry for months.',
    want: true,
  },
];

const OUT_OF_SCOPE: Case[] = [
  {
    kind: 'a ransomware gang with no state behind it',
    title: 'Ransomware gang claims attack on regional hospital chain',
    description: 'The cybercrime group posted stolen patient files on its leak site and demanded a ransom.',
    want: false,
  },
  {
    kind: 'patch news',
    title: 'Vendor patches critical flaw in VPN appliances',
    description: 'The update fixes a remote code execution vulnerability; customers should install version 9.2.',
    want: false,
  },
  {
    kind: 'trade talks without cyber',
    title: 'US and China resume trade talks in Geneva',
    description: 'Negotiators discussed tariffs on steel and farm goods in the first round since the summer.',
    want: false,
  },
  {
    kind: 'a state only as the place where the crime happened',
    title: 'Phishing kit targets bank customers in Brazil',
    description: 'Fraudsters sent fake text messages that led to pages stealing card numbers.',
    want: false,
  },
  {
    kind: 'one hacker of some nationality sentenced for fraud',
    title: 'Romanian hacker sentenced for selling stolen card data',
    description: 'The man pleaded guilty in a US court to running a carding shop.',
    want: false,
  },
  {
    kind: 'hackers of a state with no known state hacking, suspected by the police',
    title: 'Police suspect Portuguese hackers behind telecom breach',
    description: 'Investigators believe a handful of local students broke into the operator customer database.',
    want: false,
  },
  {
    kind: "a worm whose name contains a state-linked group's name",
    title: 'New Turla_Loader worm spreads through package registry',
    description: 'The self-copying code hides in developer packages and steals access tokens; researchers named it after a film.',
    want: false,
  },
  {
    kind: 'nation-state actors as a category in passing',
    title: 'Browser zero-day used in targeted attacks',
    description: 'Researchers say the exploit chain is sophisticated enough for nation-state actors; users should update now.',
    want: false,
  },
  {
    kind: "election politics around a state's interference, nothing cyber or online",
    title: 'Candidates spar over Russian election interference in final debate',
    description: 'The moderator asked both about sanctions on Moscow and the inquiry into foreign interference.',
    want: false,
  },
  {
    kind: 'a state breaching sanctions',
    title: 'UN panel says Pyongyang breached sanctions with coal shipments',
    description: 'The ships switched off their transponders before unloading at ports abroad.',
    want: false,
  },
  {
    kind: 'vendor business news',
    title: 'Security startup raises $40 million to expand its endpoint product',
    description: 'The funding round was led by growth investors; the company plans to hire 100 engineers.',
    want: false,
  },
];

describe('the shipped relevance model on the kinds of story the issue names', async () => {
  const topics = await loadTopicsFile(path.join(root, 'config', 'topics.yaml'));
  const { scorer, notice } = await loadRelevance(topics, settings);

  it('loads without a notice', () => expect(notice).toBeNull());

  it.each(IN_SCOPE)('in scope: $kind', ({ title, description }) => {
    const d = scorer.decide({ title, description }, true);
    expect(d.inScope, d.summary).toBe(true);
    // Every alert says why in one line, with at least one reason beyond the score.
    expect(d.summary).toMatch(/^in scope: relevance [01]\.\d\d >= 0\.\d\d( without a rule match)?; \S/);
    expect(d.summary).not.toContain('\n');
  });

  it.each(KNOWN_MISSES)('known miss (still out of scope): $kind', ({ title, description }) => {
    const d = scorer.decide({ title, description }, true);
    expect(d.inScope, d.summary).toBe(false);
  });

  it.each(OUT_OF_SCOPE)('out of scope: $kind', ({ title, description }) => {
    const d = scorer.decide({ title, description }, true);
    expect(d.inScope, d.summary).toBe(false);
    expect(d.summary).toMatch(/^out of scope: relevance 0\.\d\d < 0\.\d\d/);
  });
});
