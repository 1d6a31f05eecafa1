// The default topics added for the kinds of story issue 10 says were missed on unseen news (foreign suppliers
// as a security risk, state influence operations, cyber espionage against governments): each matches the plain
// case of its kind and leaves alone the near miss that shares its words. Stories written for this test.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopicsFile } from '../../src/config/topics.ts';
import { compileTopics } from '../../src/matching/index.ts';
import { CONCEPTS } from '../../src/matching/knowledge/concepts.ts';

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


// Words the rules no longer count (session 13, docs/relevance-check/README.md): "breach", "compromise" and
// "vulnerability" are not a cyber angle for a state topic ("breached sanctions", "no compromise", "vulnerability
// to famine"), and "election interference" or "foreign influence" is an influence operation only with an online
// or cyber angle. "Exploit" stays a cyber word, and "foreign interference" stays a state angle where the topic
// asks for a cyber word anyway. Stories written for this test.
const wordCases: { topic: string; title: string; description: string; matches: boolean }[] = [
  {
    topic: 'state-cyber-operations',
    title: 'UN panel says North Korea breached sanctions on coal',
    description: 'Ships unloaded at foreign ports with their transponders switched off.',
    matches: false,
  },
  {
    topic: 'state-cyber-operations',
    title: 'Pyongyang rules out any compromise before the talks',
    description: 'Envoys said the summit would go ahead regardless.',
    matches: false,
  },
  {
    topic: 'state-cyber-operations',
    title: "North Korea's vulnerability to drought worries aid agencies",
    description: 'The harvest fell for a second year.',
    matches: false,
  },
  {
    topic: 'state-cyber-operations',
    title: 'Chinese spy agency exploits a flaw in mail servers',
    description: 'The flaw was patched in March.',
    matches: true,
  },
  {
    topic: 'state-cyber-operations',
    title: 'Port authority treats malware found on its cranes as foreign interference',
    description: 'Investigators from the counterespionage service took over the case.',
    matches: true,
  },
  {
    topic: 'influence-operations',
    title: 'Candidates clash over Russian election interference in the last debate',
    description: 'Both promised an inquiry if elected.',
    matches: false,
  },
  {
    topic: 'influence-operations',
    title: 'Russian election interference moved to social media, investigators say',
    description: 'Hundreds of accounts posted the same claims within minutes.',
    matches: true,
  },
];

// Attacks on governments and on a country's energy systems with no attacker named (session 16,
// docs/relevance-check/README.md): a destructive act on infrastructure is a state angle, but needs a cyber word
// of its own ("sabotage" and "blackout" are not one); the tools of covert access against a government are
// espionage, generic attack words are not; "govt" reads as "government". Stories written for this test.
const targetCases: { topic: string; title: string; description: string; matches: boolean }[] = [
  {
    topic: 'critical-infrastructure-attacks',
    title: 'Wiper attack erases systems at an Estonian electricity company',
    description: 'Investigators have not said who was behind the destructive malware.',
    matches: true,
  },
  {
    topic: 'critical-infrastructure-attacks',
    title: "Hackers sabotage a water treatment plant's controls",
    description: 'The intruders changed chemical levels before operators noticed.',
    matches: true,
  },
  {
    topic: 'critical-infrastructure-attacks',
    title: 'Saboteurs blow up an oil pipeline in the south',
    description: 'Gas spilled from the damaged pipeline during the sabotage and ignited.',
    matches: false,
  },
  {
    topic: 'critical-infrastructure-attacks',
    title: 'Storm blackout leaves the grid operator scrambling',
    description: 'Crews worked through the night to restore electricity.',
    matches: false,
  },
  {
    topic: 'government-espionage',
    title: 'Backdoor found on foreign ministry servers',
    description: 'The implant sent documents to servers abroad for months.',
    matches: true,
  },
  {
    topic: 'government-espionage',
    title: 'Zero-day exploited in attacks on govt networks',
    description: 'Researchers said the campaign hit several govt agencies in the region.',
    matches: true,
  },
  {
    topic: 'government-espionage',
    title: 'Ransomware gang hits the ministry of finance',
    description: 'The malware encrypted files and the hackers demanded payment.',
    matches: false,
  },
];

// A state's demonym before a state body is the actor ("Russian government hackers") unless the words after it
// make the state what is attacked ("Russian government networks"): the rules read it as the scorer's features
// do (session 19, docs/relevance-check/README.md). Stories written for this test.
const actorCases: { topic: string; title: string; description: string; matches: boolean }[] = [
  {
    topic: 'state-cyber-operations',
    title: 'Russian government networks hacked in overnight intrusion',
    description: 'Officials said they had not identified the attackers.',
    matches: false,
  },
  {
    topic: 'state-cyber-operations',
    title: 'Chinese military systems breached by unknown hackers',
    description: 'The ministry said the intrusion was contained within hours.',
    matches: false,
  },
  {
    topic: 'state-cyber-operations',
    title: 'Russian government hackers break into mail servers of a think tank',
    description: 'The intrusion lasted several weeks.',
    matches: true,
  },
  {
    topic: 'state-cyber-operations',
    title: 'Chinese military hackers go after satellite operators',
    description: 'Researchers tied the malware to earlier intrusions.',
    matches: true,
  },
  {
    topic: 'state-cyber-operations',
    title: 'The Chinese government ran a hacking campaign against exiled dissidents, report says',
    description: 'The report names the malware the operators used.',
    matches: true,
  },
];

// Accusations, indictments and sanctions are governments' responses: a vendor's report that attributes a campaign
// to a state is state-cyber-operations' story, not this topic's (docs/relevance-check, candidate (n)).
const responseCases: typeof cases = [
  {
    topic: 'cyber-accusations-sanctions',
    title: 'China-nexus group deploys a new backdoor against telecom firms',
    description: 'The activity has been attributed by the security firm to a Chinese cyber espionage cluster.',
    matches: false,
  },
  {
    topic: 'state-cyber-operations',
    title: 'China-nexus group deploys a new backdoor against telecom firms',
    description: 'The activity has been attributed by the security firm to a Chinese cyber espionage cluster.',
    matches: true,
  },
  {
    topic: 'cyber-accusations-sanctions',
    title: 'Britain accuses Russian military intelligence of cyberattacks on its ministries',
    description: 'The foreign office summoned the ambassador over the hacking campaign.',
    matches: true,
  },
  {
    topic: 'cyber-accusations-sanctions',
    title: 'Justice Department charges Iranian hackers over attacks on water utilities',
    description: 'The indictment names four members of a cyber unit of the Revolutionary Guard.',
    matches: true,
  },
  {
    topic: 'cyber-accusations-sanctions',
    title: 'Crypto exchange blames North Korean hackers for the theft of its hot wallet',
    description: 'The company said the Lazarus group was behind the cyberattack.',
    matches: false,
  },
  {
    topic: 'cyber-accusations-sanctions',
    title: 'Denmark blames Russia for cyberattack on a water utility',
    description: 'The Danish intelligence service said Russian military hackers were behind it.',
    matches: true,
  },
  {
    topic: 'cyber-accusations-sanctions',
    title: 'EU sanctions Chinese firms over cyberattacks on member states',
    description: 'The council froze the assets of two companies it says supported the hacking.',
    matches: true,
  },
];

// Infrastructure named as such: a software utility, a nuclear programme and a network port are not it (candidates (q)
// and (q')).
const infrastructureCases: typeof cases = [
  {
    topic: 'critical-infrastructure-attacks',
    title: 'North Korean hackers hide malware in an npm utility package',
    description: 'The state-backed group planted a backdoor in the developer tool.',
    matches: false,
  },
  {
    topic: 'critical-infrastructure-attacks',
    title: 'North Korean hackers steal crypto to fund the nuclear program',
    description: 'The state-backed cyberattacks raised money for the regime.',
    matches: false,
  },
  {
    topic: 'critical-infrastructure-attacks',
    title: 'Chinese hackers scan for an open port on edge devices',
    description: 'The state-sponsored group exploited a flaw in the firewall.',
    matches: false,
  },
  {
    topic: 'critical-infrastructure-attacks',
    title: 'Iranian hackers breach utility companies and a nuclear power plant',
    description: 'The state-sponsored cyberattack hit control systems.',
    matches: true,
  },
  {
    topic: 'critical-infrastructure-attacks',
    title: 'Chinese hackers breach a port authority network',
    description: 'The state-sponsored intrusion reached the terminal systems.',
    matches: true,
  },
];

// Cyber talks are the acts of diplomacy; diplomats as the targets of espionage, or a minister as the source of a
// statement, are not (docs/relevance-check, candidate (p)).
const diplomacyCases: typeof cases = [
  {
    topic: 'cyber-diplomacy',
    title: 'New backdoor targets Asian governments and diplomats for espionage',
    description: 'The Chinese cyber espionage campaign stole documents from embassies.',
    matches: false,
  },
  {
    topic: 'government-espionage',
    title: 'New backdoor targets Asian governments and diplomats for espionage',
    description: 'The Chinese cyber espionage campaign stole documents from embassies.',
    matches: true,
  },
  {
    topic: 'cyber-diplomacy',
    title: 'Russian-linked cyberattacks on games websites were averted, foreign minister says',
    description: 'The foreign minister said cyber security teams blocked the attacks before they caused harm.',
    matches: false,
  },
  {
    topic: 'cyber-diplomacy',
    title: 'US and China agree to hold high-level talks on cyber security',
    description: 'The two governments will form a working group on hacking and cyber espionage.',
    matches: true,
  },
  {
    topic: 'cyber-diplomacy',
    title: 'Britain and Japan sign a cyber security pact against Chinese and Russian hacking',
    description: 'The bilateral agreement covers information sharing on state threats.',
    matches: true,
  },
];

// The tables against the shipped topics file, compiled once.
const defaultMatcher = loadTopicsFile(path.join(process.cwd(), 'config', 'topics.yaml')).then(compileTopics);

describe.each([
  { name: 'default topics for the kinds of story that were missed', table: cases },
  { name: 'everyday words and election politics in the default topics', table: wordCases },
  { name: 'attacks on governments and energy systems with no attacker named', table: targetCases },
  { name: 'a state before a target is the victim, not the actor', table: actorCases },
  { name: "a vendor's attribution is not a government's accusation", table: responseCases },
  { name: 'diplomats as targets are not diplomacy', table: diplomacyCases },
  { name: 'infrastructure named as such', table: infrastructureCases },
])('$name', ({ table }) => {
  it.each(table)('$topic: "$title" matches: $matches', async ({ topic, title, description, matches }) => {
    const hit = (await defaultMatcher).match({ title, description }).find((m) => m.topicId === topic);
    expect(hit, `${topic} is a default topic`).toBeDefined();
    expect(hit!.matched, hit!.reasons.join('; ')).toBe(matches);
  });
});

describe("influence-operations' online angle", () => {
  it("lists the scorer's computing words, so the rules and the influence concept's loose words agree", async () => {
    const topics = await loadTopicsFile(path.join(process.cwd(), 'config', 'topics.yaml'));
    const groups = topics.find((t) => t.id === 'influence-operations')?.groups?.allOf;
    expect(groups?.length).toBe(3);
    const computing = CONCEPTS.find((c) => c.id === 'computing')!.terms;
    expect(groups![2]!.filter((x) => typeof x === 'string' && computing.includes(x))).toEqual(computing);
  });
});
