// Concept lexicons: the ideas a cyber-diplomacy story is made of, each a list of words and phrases in the
// topic-term syntax ("(a|b) c" alternatives; inflection, hyphen and joined spellings match alike; words in
// capitals match by case). Written for this project from the labelling guide's definition of the beat
// (state cyber operations, governments' responses, talks and norms, IP theft, attacks on critical
// infrastructure, influence operations, state use of spyware), not from any labelled item. The scorer
// turns each concept, and a few pairs of them, into a named feature whose weight is fitted.

export interface Concept {
  id: string;
  /** Shown in reasons: `concept "espionage": "cyberespionage" in title`. */
  label: string;
  terms: string[];
  /**
   * Words with an everyday sense too ("breaching sanctions", "exploiting workers", "a breast implant"): they
   * count for this concept only in a story that also has one of `context`'s concepts, or one of `terms`.
   */
  loose?: string[];
  context?: readonly string[];
  /** Found only to license another concept's loose words: never a feature or a reason of its own. */
  contextOnly?: boolean;
}

export const CONCEPTS: readonly Concept[] = [
  {
    id: 'cyber',
    label: 'cyber activity',
    terms: [
      '(cyber|cyberattack|cyber attack|cyber-attack|cyber operation|cyber campaign|cyber incident|cyber threat|cybersecurity|cyber security|cyberspace)',
      '(hack|hacker|hacking|hacked|hack-and-leak|hacktivist)',
      '(malware|spyware|rootkit|wiper|loader|dropper|infostealer|stealer|keylogger|webshell|web shell|botnet|RAT|remote access trojan)',
      '(phishing|spear-phishing|spearphishing|zero-day|0-day|exfiltrate|exfiltration|exploit kit|exploit kits|trojanized|trojanised|post-exploitation)',
      '(cyberespionage|cyber espionage|cyber-espionage|cyberspy|cyberspies|cyberspying|cyber spying|cyberwarfare|cyber warfare|cyberwar|cyber war)',
      '(threat actor|threat group|threat cluster|threat activity|APT|advanced persistent threat|DDoS|denial of service|supply chain attack|command and control|C2 server|credential theft|data theft|data leak)',
    ],
    // A breach of sanctions, exploiting workers, infiltrating a protest, a backdoor deal, a Trojan horse, a
    // dental implant: politics and general news use these words as often as security news does.
    loose: [
      '(breach|intrusion|infiltrate|infiltration|exploit|exploits|exploited|exploiting)',
      '(backdoor|implant|trojan|watering hole)',
    ],
    context: ['computing'],
  },
  {
    id: 'computing',
    label: 'computers and networks',
    contextOnly: true,
    terms: [
      '(computer|computers|network|networks|server|servers|software|data|database|databases|online|internet|digital|website|websites|web|email|emails|e-mail|device|devices|app|apps|smartphone|smartphones|cloud|account|accounts|password|passwords|credential|credentials|router|routers|firmware|endpoint|endpoints|domain|domains|malicious|payload|encryption)',
      '(vulnerability|vulnerabilities|flaw|flaws|CVE|patch|patched|security researcher|security researchers|security firm|security company|security vendor|threat intelligence|IT systems|computer systems|control systems|IT|ICS|SCADA|ransomware|cyber|cybersecurity|hacker|hackers|hacking|malware)',
      '(social media|Facebook|Twitter|YouTube|TikTok|Telegram|Instagram|WhatsApp|bots|posts|platform|platforms)',
      '(PLC|PLCs|industrial control|operational technology|OT|AI|artificial intelligence|script|scripts|code|remote access|remote connectivity|connectivity|vulnerable|cybercriminal|cybercriminals|cybercrime)',
    ],
  },
  {
    id: 'attack',
    label: 'an attack',
    terms: ['(attack|attacks|attacked|attacker|attackers|attacking|targeting|campaign|campaigns|operation|operations|strike|strikes|probe|probes|probing|offensive)'],
  },
  {
    id: 'espionage',
    label: 'espionage',
    terms: [
      '(espionage|cyberespionage|cyber espionage|spy|spying|spies|spyware|cyberspy|snoop|snooping|eavesdrop|eavesdropping|intelligence gathering|intelligence collection|surveillance)',
      '(steal secrets|stole secrets|sensitive information|classified information|state secrets|military secrets|diplomatic cables)',
    ],
  },
  {
    id: 'state_cue',
    label: 'a state actor described',
    terms: [
      'state-(sponsored|backed|linked|aligned|affiliated|nexus|directed|supported|run|controlled|funded)',
      '(nation|government)-(state|sponsored|backed|linked)',
      'state (actor|actors|hacker|hackers|hacking|group|threat actor|attacker|operative|cyber actor|spies|agency)',
      '(government|military|regime) (hacker|hackers|hacking|spies|cyber unit)',
      '(military intelligence|spy agency|spy agencies|foreign intelligence|intelligence officers|cyber command|cyber army|cyber troops|cyber force|cyber unit)',
      '(APT|advanced persistent threat|APT group)',
      '(regime|junta|authoritarian|autocratic|foreign adversaries|nation-state adversaries|adversarial nations|adversary nations|hostile state|hostile states|foreign power|foreign powers|foreign government|foreign governments|foreign state|foreign states)',
      'foreign (hacker|hackers|hacking|actor|actors|threat actor|threat actors|attacker|attackers|intruder|intruders|operative|operatives|spies|spy|agents|intelligence|interference|influence|cyberattack|cyberattacks|cyber actors)',
    ],
  },
  {
    id: 'region_actor',
    label: 'an attacker placed by region or motive',
    terms: [
      '(Asian|East Asian|South Asian|Southeast Asian|Central Asian|Middle Eastern|Eastern European|Far Eastern|Asia-based|Asia-nexus|Asia-linked)',
      '(Chinese-speaking|Russian-speaking|Persian-speaking|Korean-speaking|Arabic-speaking|Farsi-speaking)',
      '(geopolitical|geopolitically|politically motivated|strategic interests|strategic intelligence|regional rival|regional rivals|national interests|geopolitical interests|cyber-enabled espionage)',
    ],
  },
  {
    id: 'gov_target',
    label: 'a government or military target',
    terms: [
      // "government" alone is most often the one acting ("the government warned"), so only as an object.
      '(ministry|ministries|minister|ministers|public sector|public administration|federal agency|federal agencies|federal networks|state agencies)',
      // "govt" is the headline spelling of "government".
      '(government|govt) (agency|agencies|network|networks|entities|entity|officials|organizations|organisations|departments|bodies|institutions|systems|servers|websites|sites|email|emails|employees|staff|targets|victims|sector)',
      '(target|targets|targeted|targeting|against|hack|hacks|hacked|hacking|breach|breached|attack|attacks|attacked|infiltrated|compromised|spied on|spying on|spy on) (government|governments|the government|govt)',
      '(embassy|embassies|diplomat|diplomats|diplomatic|foreign affairs|foreign ministry|foreign office|consulate|ambassador)',
      '(parliament|parliamentary|lawmakers|legislators|senate|congress|congressional|election officials|politicians|political parties|prime minister|president)',
      // Not "defense" alone: "spyware defenses", "defense evasion" are a product's and a technique's.
      '(military|militaries|armed forces|army|navy|air force|defense ministry|defence ministry|ministry of defence|ministry of defense|defense department|department of defense|defense sector|defence sector|defense industry|defence industry|defense officials|defence officials|defense contractor|defense contractors|defence contractor|defence contractors|defense industrial base|soldiers|troops|think tank|think tanks)',
    ],
  },
  {
    id: 'gov_action',
    label: 'a government acting',
    terms: [
      '(sanction|sanctions|sanctioned|indict|indicted|indictment|charged|charges|prosecutors|extradite|extradition|expel|expelled|expulsion|summoned|bounty|reward|seize|seized|seizure|takedown|take down|dismantle|disrupt|disrupted|disruption)',
      '(accuse|accused|accusation|accusations|blame|blamed|blames|attribute|attributed|attribution|condemn|condemned|condemns|denounce|denied|deny|denies|retaliate|retaliation)',
      '(warn|warns|warned|warning|advisory|advisories|joint advisory|directive|emergency directive|executive order|ordered|bans|banned|ban|bar|bars|barred|phase out|phased out|rip out|restrict|restriction|restrictions|blacklist|blacklisted|entity list|export control|export controls|prohibit|prohibits)',
      '(FBI|CISA|NSA|GCHQ|NCSC|ANSSI|BSI|CERT-UA|Europol|Interpol|DOJ|Justice Department|Department of Justice|Treasury|OFAC|Homeland Security|DHS|Five Eyes|intelligence community|counterintelligence|MI5|MI6|CIA|ODNI|FCC|Commerce Department|State Department|Pentagon|Cyber Command|NATO|EU|European Commission)',
    ],
  },
  {
    id: 'diplomacy',
    label: 'talks, agreements and norms',
    terms: [
      '(talks|dialogue|negotiation|negotiations|negotiate|agreement|agreements|accord|treaty|pact|memorandum|MoU|norms|rules of the road|working group|summit|diplomacy|diplomatic|bilateral|multilateral|cooperation|alliance|allies|allied|joint statement|communique|convention|confidence-building)',
      '(United Nations|UN|Security Council|General Assembly|OEWG|open-ended working group|GGE|group of governmental experts|G7|G20|ASEAN|OSCE|Council of Europe|Budapest Convention|Paris Call|Tallinn Manual|Quad)',
      '(ambassador|envoy|foreign minister|secretary of state|cyber ambassador|cyber diplomacy|cyber diplomat|state visit|met with|hold talks|held talks)',
    ],
  },
  {
    id: 'ip_theft',
    label: 'theft of intellectual property',
    terms: [
      '(steal|stealing|stole|stolen|theft of) (secrets|trade secrets|technology|research|designs|blueprints|source code)',
      '(intellectual property|trade secret|trade secrets|economic espionage|industrial espionage|corporate espionage|technology theft|research theft|proprietary technology|proprietary data|stolen technology|IP theft)',
    ],
  },
  {
    id: 'infrastructure',
    label: 'critical infrastructure',
    terms: [
      '(critical infrastructure|critical national infrastructure|power grid|electric grid|electricity grid|grid|electricity|power plant|power station|nuclear plant|nuclear power|energy sector|energy company|energy companies|utilities)',
      '(water utility|water utilities|water system|water systems|water supply|water treatment|wastewater|dam|dams|pipeline|pipelines|oil and gas|refinery|LNG)',
      '(ICS|SCADA|PLC|PLCs|OT|operational technology|industrial control|industrial control system|industrial control systems|HMI)',
      '(telecom|telecoms|telecommunications|telecommunication|undersea cable|subsea cable|satellite|satellites|railway|railways|airport|airports|aviation|maritime|semiconductor|semiconductors)',
    ],
  },
  {
    id: 'sabotage',
    label: 'sabotage and disruption',
    terms: [
      '(sabotage|saboteur|destructive|disruptive|wiper|wiped|blackout|outage|outages|shut down|shutdown|manipulate|manipulated|tamper|tampering|pre-position|prepositioning|pre-positioned|bricked|cyberwarfare|cyber warfare|cyberwar|cyber war|hybrid war|hybrid warfare|hybrid attack|hybrid threats|military conflict)',
    ],
  },
  {
    id: 'influence',
    label: 'an influence or information operation',
    terms: [
      // Only what names an operation: "propaganda", "interference" or "trolls" alone are ordinary politics.
      '(influence operation|influence operations|influence campaign|influence campaigns|information operation|information operations|information warfare|disinformation campaign|troll farm|troll farms|bot network|bot networks|botnet of fake accounts|fake accounts|fake news sites|inauthentic|coordinated inauthentic behavior|covert influence|hack-and-leak)',
    ],
    // "Lies and disinformation" is how a ministry answers a sanction; an operation spreads it online. "Election
    // interference" or "foreign influence" with no computer, network, platform or account in the story is
    // election politics (a campaign, an inquiry, a vote), not an operation.
    loose: ['disinformation', '(election interference|election meddling|foreign interference|foreign influence)'],
    context: ['computing'],
  },
  {
    id: 'election',
    label: 'elections',
    terms: ['(election|elections|electoral|voting|voter|voters|ballot|ballots|polling station|referendum|campaign officials|presidential campaign)'],
  },
  {
    id: 'supplier_risk',
    label: 'foreign suppliers as a security risk',
    terms: [
      '(high-risk supplier|high-risk suppliers|high-risk vendor|high-risk vendors|untrusted vendor|untrusted vendors|untrusted supplier|untrusted suppliers|trusted vendor|trusted suppliers|foreign-made|foreign made|made abroad|foreign-manufactured|foreign-built|foreign-developed|foreign-owned|foreign-controlled|foreign-produced|foreign-sourced|foreign apps|foreign equipment|foreign technology|foreign vendors|foreign suppliers|foreign components|foreign software|foreign adversary|foreign adversaries|countries of concern|country of concern|adversary nations|adversarial nations|adversary countries|hostile nations|rip and replace|covered list|national security risk|national security risks|national security threat|national security threats|national security concerns|backdoor risk|supply chain risk|tech sovereignty|technological sovereignty|digital sovereignty|decoupling)',
    ],
  },
  {
    id: 'state_vendor',
    label: 'a vendor tied to a state in security debates',
    terms: [
      '(Huawei|ZTE|Hikvision|Dahua|Kaspersky|DJI|TikTok|ByteDance|China Mobile|China Telecom|China Unicom|Quectel|Positive Technologies|Unitree|DeepSeek|WeChat|Tencent|Alibaba Cloud)',
    ],
  },
  {
    id: 'spyware_vendor',
    label: 'commercial spyware',
    terms: [
      '(NSO Group|NSO|Pegasus|Predator|Intellexa|Cytrox|Candiru|Paragon|Graphite|FinFisher|FinSpy|Hacking Team|DarkMatter|Variston|mercenary spyware|commercial spyware|spyware vendor|spyware vendors|spyware maker|spyware makers|surveillance vendor|surveillance vendors|stalkerware)',
    ],
  },
  {
    id: 'strategy',
    label: 'national cyber strategy and defence',
    terms: [
      '(national cyber strategy|cyber strategy|cybersecurity strategy|national security strategy|cyber policy|cyber doctrine|offensive cyber|cyber offensive|offensive operations|defend forward|persistent engagement|deterrence|deter|cyber deterrence|cyber defence|cyber defense|national security|homeland security|cyber resilience act|cyber solidarity|cyber reserve|hack back)',
    ],
  },
  {
    id: 'prosecution',
    label: 'a prosecution',
    terms: ['(sentenced|sentence|sentences|pleads guilty|pleaded guilty|plead guilty|convicted|conviction|jailed|prison|extradited|extradition|arrested|arrest|arrests|charged|indicted|indictment|defendant|defendants|court|trial|suspect|suspects|teen|teenager|student)'],
  },
  {
    id: 'crime',
    label: 'cybercrime',
    terms: [
      '(ransomware|ransomware gang|ransomware group|ransom|extortion|extort|cybercrime|SEO poisoning|SEO fraud|SEO malware|SEO spam|ad fraud|click fraud|cybercriminal|cybercriminals|financially motivated|fraud|fraudster|scam|scammer|scams|carding|initial access broker|money mule|IT workers|IT worker scheme|fake IT workers|job scam|job scams|job scammers|crypto theft|cryptocurrency theft|crypto heist|ransomware affiliate|ransomware affiliates|affiliate program|affiliate programs|RaaS|ransomware-as-a-service|data extortion|cryptojacking|cryptominer|infostealer|stealer logs|dark web|darknet)',
    ],
  },
  {
    id: 'product',
    label: 'product, patch and business news',
    terms: [
      '(patch|patches|patched|update|updates|fix|fixes|fixed|vulnerability|vulnerabilities|flaw|flaws|bug|bugs|CVE|security update|release|releases|version|launch|launches|launched|unveils|announces|introduces|funding|raises|raised|acquires|acquisition|acquired|startup|investment|investors|IPO|earnings|revenue|partnership|integrates|integration)',
    ],
  },
  {
    id: 'roundup',
    label: 'a roundup or promotion',
    terms: ['(in other news|weekly recap|recap|roundup|round-up|week in review|newsletter|webinar|podcast|whitepaper|ebook|year in review|predictions|top threats|things to know)'],
  },
];
