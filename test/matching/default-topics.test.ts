// The default topics added for the kinds of story issue 10 says were missed on unseen news (foreign suppliers
// as a security risk, state influence operations, cyber espionage against governments): each matches the plain
// case of its kind and leaves alone the near miss that shares its words. Stories written for this test.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopicsFile } from '../../src/config/topics.ts';
import { compileTopics } from '../../src/matching/index.ts';

const cases: { topic: string; title: string; description: string; matches: boolean }[] = [
  {
    topic: 'foreign-supplier-risk',
    title: 'Regulator bans new foreign-made cameras over espionage concerns',
    description: 'The agency added the devices to its covered list, citing national security.',
    matches: true,
  },
  {
    topic: 'foreign-supplier-risk',
    title: 'Ministers order operators to strip high-risk telecom suppliers from their networks',
    description: 'The cybersecurity rules take effect next year.',
    matches: true,
  },
  {
    topic: 'foreign-supplier-risk',
    title: 'Order invites vetting of AI models for national security risks',
    description: 'Developers of the largest models will share test results with the government.',
    matches: false,
  },
  {
    topic: 'influence-operations',
    title: 'Kremlin-backed influence campaign used fake accounts to target voters',
    description: 'The platform removed the network of inauthentic pages.',
    matches: true,
  },
  {
    topic: 'influence-operations',
    title: 'Disinformation campaign about a celebrity spreads on social media',
    description: 'Fact-checkers traced the fake news to a marketing agency.',
    matches: false,
  },
  {
    topic: 'government-espionage',
    title: 'Espionage campaign hits foreign ministry with custom backdoor',
    description: 'The intruders stole diplomatic cables over several months.',
    matches: true,
  },
  {
    topic: 'government-espionage',
    title: 'Espionage malware sent to non-governmental organizations',
    description: 'The spear-phishing emails carried a backdoor aimed at charities and aid groups.',
    matches: false,
  },
  {
    topic: 'government-espionage',
    title: 'Ministry of health data breach exposes patient records',
    description: 'A misconfigured server left the files open for weeks.',
    matches: false,
  },
];

describe('default topics for the kinds of story that were missed', async () => {
  const topics = await loadTopicsFile(path.join(process.cwd(), 'config', 'topics.yaml'));
  const matcher = compileTopics(topics);
  it.each(cases)('$topic: "$title" matches: $matches', ({ topic, title, description, matches }) => {
    const hit = matcher.match({ title, description }).find((m) => m.topicId === topic);
    expect(hit, `${topic} is a default topic`).toBeDefined();
    expect(hit!.matched, hit!.reasons.join('; ')).toBe(matches);
  });
});
