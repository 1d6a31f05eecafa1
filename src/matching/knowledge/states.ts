// States and the words that name them: country names, demonyms (adjectives), capitals and seats of
// government used as metonyms ("Beijing said"), and blocs that act like states in cyber affairs (EU,
// NATO). Written for this project from general knowledge. A state angle is one of the two halves of a
// cyber-diplomacy story; the other is the cyber half (concepts.ts).
//
// Matching is case-aware: every entry below is written with its capitals and matched in that case only
// (or in all capitals), so "turkey" the bird, "chad" or "jordan" the name in lower case never count; the
// ambiguous ones that are also common English words or first names in title case (Georgia, Jordan, Chad,
// Niger, Guinea, Turkey, Victoria...) are left out or listed only in unambiguous forms.

export interface StateEntry {
  /** Canonical name, used in reasons and as the state's key. */
  name: string;
  /** Names, capitals and metonyms (the canonical name is matched only when listed here: not "Turkey", "Georgia"). */
  names: string[];
  /** Adjectives and demonyms ("Russian"): "Russian hackers" makes the state the actor, "Mexico campaign" does not. */
  demonyms: string[];
}

export const STATES: readonly StateEntry[] = [
  { name: 'China', names: ['China', 'PRC', "People's Republic of China", 'Beijing', 'CCP', 'Chinese Communist Party', 'Xi Jinping'], demonyms: ['Chinese'] },
  { name: 'Russia', names: ['Russia', 'Russian Federation', 'Moscow', 'Kremlin', 'Putin', 'Vladimir Putin'], demonyms: ['Russian', 'Russians'] },
  { name: 'Iran', names: ['Iran', 'Islamic Republic', 'Tehran'], demonyms: ['Iranian', 'Iranians', 'Persian'] },
  { name: 'North Korea', names: ['North Korea', 'N Korea', 'DPRK', 'Pyongyang', "Democratic People's Republic of Korea", 'Kim Jong Un'], demonyms: ['North Korean', 'North Koreans', 'N Korean'] },
  { name: 'United States', names: ['United States', 'U.S.', 'US', 'USA', 'America', 'Washington', 'White House', 'Pentagon', 'State Department', 'Biden administration', 'Trump administration'], demonyms: ['American', 'Americans'] },
  { name: 'United Kingdom', names: ['United Kingdom', 'UK', 'U.K.', 'Britain', 'Great Britain', 'London', 'Downing Street', 'Whitehall', 'England', 'English government', 'Scotland', 'Wales'], demonyms: ['British'] },
  { name: 'Ukraine', names: ['Ukraine', 'Kyiv', 'Kiev'], demonyms: ['Ukrainian', 'Ukrainians'] },
  { name: 'Israel', names: ['Israel', 'Tel Aviv', 'Jerusalem'], demonyms: ['Israeli', 'Israelis'] },
  { name: 'Taiwan', names: ['Taiwan', 'Taipei'], demonyms: ['Taiwanese'] },
  { name: 'Japan', names: ['Japan', 'Tokyo'], demonyms: ['Japanese'] },
  { name: 'South Korea', names: ['South Korea', 'Seoul', 'Republic of Korea', 'ROK'], demonyms: ['South Korean', 'South Koreans'] },
  { name: 'India', names: ['India', 'New Delhi', 'Delhi'], demonyms: ['Indian', 'Indians'] },
  { name: 'Pakistan', names: ['Pakistan', 'Islamabad'], demonyms: ['Pakistani', 'Pakistanis'] },
  { name: 'Afghanistan', names: ['Afghanistan', 'Kabul', 'Taliban'], demonyms: ['Afghan'] },
  { name: 'Bangladesh', names: ['Bangladesh', 'Dhaka'], demonyms: ['Bangladeshi'] },
  { name: 'Sri Lanka', names: ['Sri Lanka', 'Colombo'], demonyms: ['Sri Lankan'] },
  { name: 'Nepal', names: ['Nepal', 'Kathmandu'], demonyms: ['Nepalese', 'Nepali'] },
  { name: 'Vietnam', names: ['Vietnam', 'Hanoi', 'Viet Nam'], demonyms: ['Vietnamese'] },
  { name: 'Thailand', names: ['Thailand', 'Bangkok'], demonyms: ['Thai'] },
  { name: 'Cambodia', names: ['Cambodia', 'Phnom Penh'], demonyms: ['Cambodian'] },
  { name: 'Laos', names: ['Laos', 'Vientiane'], demonyms: ['Laotian'] },
  { name: 'Myanmar', names: ['Myanmar', 'Burma', 'Naypyidaw'], demonyms: ['Burmese'] },
  { name: 'Malaysia', names: ['Malaysia', 'Kuala Lumpur'], demonyms: ['Malaysian'] },
  { name: 'Singapore', names: ['Singapore'], demonyms: ['Singaporean'] },
  { name: 'Indonesia', names: ['Indonesia', 'Jakarta'], demonyms: ['Indonesian'] },
  { name: 'Philippines', names: ['Philippines', 'Manila'], demonyms: ['Philippine', 'Filipino'] },
  { name: 'Mongolia', names: ['Mongolia', 'Ulaanbaatar'], demonyms: ['Mongolian'] },
  { name: 'Kazakhstan', names: ['Kazakhstan', 'Astana'], demonyms: ['Kazakh'] },
  { name: 'Uzbekistan', names: ['Uzbekistan', 'Tashkent'], demonyms: ['Uzbek'] },
  { name: 'Kyrgyzstan', names: ['Kyrgyzstan', 'Bishkek'], demonyms: ['Kyrgyz'] },
  { name: 'Tajikistan', names: ['Tajikistan', 'Dushanbe'], demonyms: ['Tajik'] },
  { name: 'Turkmenistan', names: ['Turkmenistan', 'Ashgabat'], demonyms: ['Turkmen'] },
  { name: 'Australia', names: ['Australia', 'Canberra'], demonyms: ['Australian', 'Australians', 'Aussie'] },
  { name: 'New Zealand', names: ['New Zealand', 'Wellington government'], demonyms: [] },
  { name: 'Canada', names: ['Canada', 'Ottawa'], demonyms: ['Canadian', 'Canadians'] },
  { name: 'Mexico', names: ['Mexico', 'Mexico City'], demonyms: ['Mexican'] },
  { name: 'Brazil', names: ['Brazil', 'Brasilia'], demonyms: ['Brazilian'] },
  { name: 'Argentina', names: ['Argentina', 'Buenos Aires'], demonyms: ['Argentine', 'Argentinian'] },
  { name: 'Chile', names: ['Chile'], demonyms: ['Chilean'] },
  { name: 'Colombia', names: ['Colombia', 'Bogota'], demonyms: ['Colombian'] },
  { name: 'Venezuela', names: ['Venezuela', 'Caracas'], demonyms: ['Venezuelan'] },
  { name: 'Peru', names: ['Peru'], demonyms: ['Peruvian'] },
  { name: 'Ecuador', names: ['Ecuador', 'Quito'], demonyms: ['Ecuadorian'] },
  { name: 'Bolivia', names: ['Bolivia'], demonyms: ['Bolivian'] },
  { name: 'Cuba', names: ['Cuba', 'Havana'], demonyms: ['Cuban'] },
  { name: 'Nicaragua', names: ['Nicaragua', 'Managua'], demonyms: ['Nicaraguan'] },
  { name: 'Costa Rica', names: ['Costa Rica'], demonyms: ['Costa Rican'] },
  { name: 'Panama', names: ['Panama'], demonyms: ['Panamanian'] },
  { name: 'Germany', names: ['Germany', 'Berlin', 'Bundestag'], demonyms: ['German', 'Germans'] },
  { name: 'France', names: ['France', 'Paris', 'Elysee'], demonyms: ['French'] },
  { name: 'Italy', names: ['Italy', 'Rome'], demonyms: ['Italian'] },
  { name: 'Spain', names: ['Spain', 'Madrid'], demonyms: ['Spanish'] },
  { name: 'Portugal', names: ['Portugal', 'Lisbon'], demonyms: ['Portuguese'] },
  { name: 'Netherlands', names: ['Netherlands', 'The Hague', 'Amsterdam', 'Holland'], demonyms: ['Dutch'] },
  { name: 'Belgium', names: ['Belgium', 'Brussels'], demonyms: ['Belgian'] },
  { name: 'Luxembourg', names: ['Luxembourg'], demonyms: ['Luxembourgish'] },
  { name: 'Switzerland', names: ['Switzerland', 'Bern', 'Geneva'], demonyms: ['Swiss'] },
  { name: 'Austria', names: ['Austria', 'Vienna'], demonyms: ['Austrian'] },
  { name: 'Ireland', names: ['Ireland', 'Dublin'], demonyms: ['Irish'] },
  { name: 'Denmark', names: ['Denmark', 'Copenhagen'], demonyms: ['Danish'] },
  { name: 'Norway', names: ['Norway', 'Oslo'], demonyms: ['Norwegian'] },
  { name: 'Sweden', names: ['Sweden', 'Stockholm'], demonyms: ['Swedish'] },
  { name: 'Finland', names: ['Finland', 'Helsinki'], demonyms: ['Finnish'] },
  { name: 'Iceland', names: ['Iceland', 'Reykjavik'], demonyms: ['Icelandic'] },
  { name: 'Estonia', names: ['Estonia', 'Tallinn'], demonyms: ['Estonian'] },
  { name: 'Latvia', names: ['Latvia', 'Riga'], demonyms: ['Latvian'] },
  { name: 'Lithuania', names: ['Lithuania', 'Vilnius'], demonyms: ['Lithuanian'] },
  { name: 'Poland', names: ['Poland', 'Warsaw'], demonyms: ['Polish'] },
  { name: 'Czech Republic', names: ['Czech Republic', 'Czechia', 'Prague'], demonyms: ['Czech'] },
  { name: 'Slovakia', names: ['Slovakia', 'Bratislava'], demonyms: ['Slovak'] },
  { name: 'Hungary', names: ['Hungary', 'Budapest'], demonyms: ['Hungarian'] },
  { name: 'Romania', names: ['Romania', 'Bucharest'], demonyms: ['Romanian'] },
  { name: 'Bulgaria', names: ['Bulgaria'], demonyms: ['Bulgarian'] },
  { name: 'Greece', names: ['Greece', 'Athens'], demonyms: ['Greek'] },
  { name: 'Cyprus', names: ['Cyprus', 'Nicosia'], demonyms: ['Cypriot'] },
  { name: 'Malta', names: ['Malta'], demonyms: ['Maltese'] },
  { name: 'Slovenia', names: ['Slovenia', 'Ljubljana'], demonyms: ['Slovenian'] },
  { name: 'Croatia', names: ['Croatia', 'Zagreb'], demonyms: ['Croatian'] },
  { name: 'Serbia', names: ['Serbia', 'Belgrade'], demonyms: ['Serbian'] },
  { name: 'Bosnia', names: ['Bosnia', 'Sarajevo', 'Bosnia and Herzegovina'], demonyms: ['Bosnian'] },
  { name: 'Montenegro', names: ['Montenegro', 'Podgorica'], demonyms: ['Montenegrin'] },
  { name: 'North Macedonia', names: ['North Macedonia', 'Skopje'], demonyms: ['Macedonian'] },
  { name: 'Albania', names: ['Albania', 'Tirana'], demonyms: ['Albanian'] },
  { name: 'Kosovo', names: ['Kosovo', 'Pristina'], demonyms: ['Kosovar'] },
  { name: 'Moldova', names: ['Moldova', 'Chisinau'], demonyms: ['Moldovan'] },
  { name: 'Belarus', names: ['Belarus', 'Minsk', 'Lukashenko'], demonyms: ['Belarusian'] },
  { name: 'Georgia', names: ['Tbilisi', 'Georgian government'], demonyms: [] },
  { name: 'Armenia', names: ['Armenia', 'Yerevan'], demonyms: ['Armenian'] },
  { name: 'Azerbaijan', names: ['Azerbaijan', 'Baku'], demonyms: ['Azerbaijani', 'Azeri'] },
  { name: 'Turkey', names: ['Türkiye', 'Turkiye', 'Ankara', 'Erdogan'], demonyms: ['Turkish'] },
  { name: 'Syria', names: ['Syria', 'Damascus'], demonyms: ['Syrian'] },
  { name: 'Lebanon', names: ['Lebanon', 'Beirut', 'Hezbollah'], demonyms: ['Lebanese'] },
  { name: 'Jordan', names: ['Amman'], demonyms: ['Jordanian'] },
  { name: 'Iraq', names: ['Iraq', 'Baghdad'], demonyms: ['Iraqi'] },
  { name: 'Saudi Arabia', names: ['Saudi Arabia', 'Riyadh'], demonyms: ['Saudi', 'Saudis'] },
  { name: 'United Arab Emirates', names: ['United Arab Emirates', 'UAE', 'Abu Dhabi', 'Dubai'], demonyms: ['Emirati'] },
  { name: 'Qatar', names: ['Qatar', 'Doha'], demonyms: ['Qatari'] },
  { name: 'Kuwait', names: ['Kuwait'], demonyms: ['Kuwaiti'] },
  { name: 'Bahrain', names: ['Bahrain', 'Manama'], demonyms: ['Bahraini'] },
  { name: 'Oman', names: ['Muscat'], demonyms: ['Omani'] },
  { name: 'Yemen', names: ['Yemen', 'Sanaa'], demonyms: ['Yemeni', 'Houthi', 'Houthis'] },
  { name: 'Palestine', names: ['Palestine', 'Gaza', 'Hamas', 'West Bank'], demonyms: ['Palestinian', 'Palestinians'] },
  { name: 'Egypt', names: ['Egypt', 'Cairo'], demonyms: ['Egyptian'] },
  { name: 'Libya', names: ['Libya', 'Tripoli'], demonyms: ['Libyan'] },
  { name: 'Tunisia', names: ['Tunisia', 'Tunis'], demonyms: ['Tunisian'] },
  { name: 'Algeria', names: ['Algeria', 'Algiers'], demonyms: ['Algerian'] },
  { name: 'Morocco', names: ['Morocco', 'Rabat'], demonyms: ['Moroccan'] },
  { name: 'Sudan', names: ['Sudan', 'Khartoum'], demonyms: ['Sudanese'] },
  { name: 'Ethiopia', names: ['Ethiopia', 'Addis Ababa'], demonyms: ['Ethiopian'] },
  { name: 'Kenya', names: ['Kenya', 'Nairobi'], demonyms: ['Kenyan'] },
  { name: 'Nigeria', names: ['Nigeria', 'Abuja'], demonyms: ['Nigerian'] },
  { name: 'Ghana', names: ['Ghana', 'Accra'], demonyms: ['Ghanaian'] },
  { name: 'South Africa', names: ['South Africa', 'Pretoria'], demonyms: ['South African'] },
  { name: 'Uganda', names: ['Uganda', 'Kampala'], demonyms: ['Ugandan'] },
  { name: 'Rwanda', names: ['Rwanda', 'Kigali'], demonyms: ['Rwandan'] },
  { name: 'Tanzania', names: ['Tanzania'], demonyms: ['Tanzanian'] },
  { name: 'Zimbabwe', names: ['Zimbabwe', 'Harare'], demonyms: ['Zimbabwean'] },
  { name: 'Senegal', names: ['Senegal', 'Dakar'], demonyms: ['Senegalese'] },
  { name: 'Mali', names: ['Bamako'], demonyms: ['Malian'] },
  { name: 'European Union', names: ['European Union', 'EU', 'European Commission', 'European Council', 'European Parliament', 'ENISA'], demonyms: [] },
  { name: 'NATO', names: ['NATO', 'North Atlantic Treaty Organization'], demonyms: [] },
  { name: 'United Nations', names: ['United Nations', 'UN', 'U.N.', 'UN Security Council', 'UN General Assembly'], demonyms: [] },
];

/** MISP galaxy country fields use names, "People's Republic of China" and sometimes two-letter codes. */
export const COUNTRY_CODES: Readonly<Record<string, string>> = {
  CN: 'China', RU: 'Russia', IR: 'Iran', KP: 'North Korea', US: 'United States', GB: 'United Kingdom', UK: 'United Kingdom',
  UA: 'Ukraine', IL: 'Israel', TW: 'Taiwan', JP: 'Japan', KR: 'South Korea', IN: 'India', PK: 'Pakistan', VN: 'Vietnam',
  TR: 'Turkey', LB: 'Lebanon', BY: 'Belarus', AT: 'Austria', KE: 'Kenya', DE: 'Germany', FR: 'France', IT: 'Italy',
  ES: 'Spain', BR: 'Brazil', NG: 'Nigeria', ID: 'Indonesia', AE: 'United Arab Emirates', RO: 'Romania', SY: 'Syria',
  MA: 'Morocco', KZ: 'Kazakhstan', IQ: 'Iraq', MY: 'Malaysia', EG: 'Egypt', DZ: 'Algeria', LY: 'Libya', TN: 'Tunisia',
  PS: 'Palestine', SA: 'Saudi Arabia',
};

/** The canonical state name for a MISP country value, or the value itself when it is not known. */
export function canonicalState(value: string): string {
  const v = value.trim();
  const code = COUNTRY_CODES[v.toUpperCase()];
  if (code && v.length <= 3) return code;
  const lower = v.toLowerCase();
  for (const s of STATES) {
    if (s.name.toLowerCase() === lower || [...s.names, ...s.demonyms].some((n) => n.toLowerCase() === lower)) return s.name;
  }
  return v;
}

/** How a state name is written as an adjective in a reason ("China-linked group"). */
export function stateLabel(name: string): string {
  return name;
}
