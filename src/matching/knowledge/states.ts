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
  /** Other names, demonyms and adjectives, capitals and metonyms. */
  names: string[];
}

export const STATES: readonly StateEntry[] = [
  { name: 'China', names: ['China', 'Chinese', 'PRC', "People's Republic of China", 'Beijing', 'CCP', 'Chinese Communist Party', 'Xi Jinping'] },
  { name: 'Russia', names: ['Russia', 'Russian', 'Russians', 'Russian Federation', 'Moscow', 'Kremlin', 'Putin', 'Vladimir Putin'] },
  { name: 'Iran', names: ['Iran', 'Iranian', 'Iranians', 'Islamic Republic', 'Tehran', 'Persian'] },
  { name: 'North Korea', names: ['North Korea', 'North Korean', 'North Koreans', 'N Korea', 'N Korean', 'DPRK', 'Pyongyang', "Democratic People's Republic of Korea", 'Kim Jong Un'] },
  { name: 'United States', names: ['United States', 'U.S.', 'US', 'USA', 'America', 'American', 'Americans', 'Washington', 'White House', 'Pentagon', 'State Department', 'Biden administration', 'Trump administration'] },
  { name: 'United Kingdom', names: ['United Kingdom', 'UK', 'U.K.', 'Britain', 'British', 'Great Britain', 'London', 'Downing Street', 'Whitehall', 'England', 'English government', 'Scotland', 'Wales'] },
  { name: 'Ukraine', names: ['Ukraine', 'Ukrainian', 'Ukrainians', 'Kyiv', 'Kiev'] },
  { name: 'Israel', names: ['Israel', 'Israeli', 'Israelis', 'Tel Aviv', 'Jerusalem'] },
  { name: 'Taiwan', names: ['Taiwan', 'Taiwanese', 'Taipei'] },
  { name: 'Japan', names: ['Japan', 'Japanese', 'Tokyo'] },
  { name: 'South Korea', names: ['South Korea', 'South Korean', 'South Koreans', 'Seoul', 'Republic of Korea', 'ROK'] },
  { name: 'India', names: ['India', 'Indian', 'Indians', 'New Delhi', 'Delhi'] },
  { name: 'Pakistan', names: ['Pakistan', 'Pakistani', 'Pakistanis', 'Islamabad'] },
  { name: 'Afghanistan', names: ['Afghanistan', 'Afghan', 'Kabul', 'Taliban'] },
  { name: 'Bangladesh', names: ['Bangladesh', 'Bangladeshi', 'Dhaka'] },
  { name: 'Sri Lanka', names: ['Sri Lanka', 'Sri Lankan', 'Colombo'] },
  { name: 'Nepal', names: ['Nepal', 'Nepalese', 'Nepali', 'Kathmandu'] },
  { name: 'Vietnam', names: ['Vietnam', 'Vietnamese', 'Hanoi', 'Viet Nam'] },
  { name: 'Thailand', names: ['Thailand', 'Thai', 'Bangkok'] },
  { name: 'Cambodia', names: ['Cambodia', 'Cambodian', 'Phnom Penh'] },
  { name: 'Laos', names: ['Laos', 'Laotian', 'Vientiane'] },
  { name: 'Myanmar', names: ['Myanmar', 'Burma', 'Burmese', 'Naypyidaw'] },
  { name: 'Malaysia', names: ['Malaysia', 'Malaysian', 'Kuala Lumpur'] },
  { name: 'Singapore', names: ['Singapore', 'Singaporean'] },
  { name: 'Indonesia', names: ['Indonesia', 'Indonesian', 'Jakarta'] },
  { name: 'Philippines', names: ['Philippines', 'Philippine', 'Filipino', 'Manila'] },
  { name: 'Mongolia', names: ['Mongolia', 'Mongolian', 'Ulaanbaatar'] },
  { name: 'Kazakhstan', names: ['Kazakhstan', 'Kazakh', 'Astana'] },
  { name: 'Uzbekistan', names: ['Uzbekistan', 'Uzbek', 'Tashkent'] },
  { name: 'Kyrgyzstan', names: ['Kyrgyzstan', 'Kyrgyz', 'Bishkek'] },
  { name: 'Tajikistan', names: ['Tajikistan', 'Tajik', 'Dushanbe'] },
  { name: 'Turkmenistan', names: ['Turkmenistan', 'Turkmen', 'Ashgabat'] },
  { name: 'Australia', names: ['Australia', 'Australian', 'Australians', 'Canberra', 'Aussie'] },
  { name: 'New Zealand', names: ['New Zealand', 'Wellington government'] },
  { name: 'Canada', names: ['Canada', 'Canadian', 'Canadians', 'Ottawa'] },
  { name: 'Mexico', names: ['Mexico', 'Mexican', 'Mexico City'] },
  { name: 'Brazil', names: ['Brazil', 'Brazilian', 'Brasilia'] },
  { name: 'Argentina', names: ['Argentina', 'Argentine', 'Argentinian', 'Buenos Aires'] },
  { name: 'Chile', names: ['Chile', 'Chilean'] },
  { name: 'Colombia', names: ['Colombia', 'Colombian', 'Bogota'] },
  { name: 'Venezuela', names: ['Venezuela', 'Venezuelan', 'Caracas'] },
  { name: 'Peru', names: ['Peru', 'Peruvian'] },
  { name: 'Ecuador', names: ['Ecuador', 'Ecuadorian', 'Quito'] },
  { name: 'Bolivia', names: ['Bolivia', 'Bolivian'] },
  { name: 'Cuba', names: ['Cuba', 'Cuban', 'Havana'] },
  { name: 'Nicaragua', names: ['Nicaragua', 'Nicaraguan', 'Managua'] },
  { name: 'Costa Rica', names: ['Costa Rica', 'Costa Rican'] },
  { name: 'Panama', names: ['Panama', 'Panamanian'] },
  { name: 'Germany', names: ['Germany', 'German', 'Germans', 'Berlin', 'Bundestag'] },
  { name: 'France', names: ['France', 'French', 'Paris', 'Elysee'] },
  { name: 'Italy', names: ['Italy', 'Italian', 'Rome'] },
  { name: 'Spain', names: ['Spain', 'Spanish', 'Madrid'] },
  { name: 'Portugal', names: ['Portugal', 'Portuguese', 'Lisbon'] },
  { name: 'Netherlands', names: ['Netherlands', 'Dutch', 'The Hague', 'Amsterdam', 'Holland'] },
  { name: 'Belgium', names: ['Belgium', 'Belgian', 'Brussels'] },
  { name: 'Luxembourg', names: ['Luxembourg', 'Luxembourgish'] },
  { name: 'Switzerland', names: ['Switzerland', 'Swiss', 'Bern', 'Geneva'] },
  { name: 'Austria', names: ['Austria', 'Austrian', 'Vienna'] },
  { name: 'Ireland', names: ['Ireland', 'Irish', 'Dublin'] },
  { name: 'Denmark', names: ['Denmark', 'Danish', 'Copenhagen'] },
  { name: 'Norway', names: ['Norway', 'Norwegian', 'Oslo'] },
  { name: 'Sweden', names: ['Sweden', 'Swedish', 'Stockholm'] },
  { name: 'Finland', names: ['Finland', 'Finnish', 'Helsinki'] },
  { name: 'Iceland', names: ['Iceland', 'Icelandic', 'Reykjavik'] },
  { name: 'Estonia', names: ['Estonia', 'Estonian', 'Tallinn'] },
  { name: 'Latvia', names: ['Latvia', 'Latvian', 'Riga'] },
  { name: 'Lithuania', names: ['Lithuania', 'Lithuanian', 'Vilnius'] },
  { name: 'Poland', names: ['Poland', 'Polish', 'Warsaw'] },
  { name: 'Czech Republic', names: ['Czech Republic', 'Czechia', 'Czech', 'Prague'] },
  { name: 'Slovakia', names: ['Slovakia', 'Slovak', 'Bratislava'] },
  { name: 'Hungary', names: ['Hungary', 'Hungarian', 'Budapest'] },
  { name: 'Romania', names: ['Romania', 'Romanian', 'Bucharest'] },
  { name: 'Bulgaria', names: ['Bulgaria', 'Bulgarian'] },
  { name: 'Greece', names: ['Greece', 'Greek', 'Athens'] },
  { name: 'Cyprus', names: ['Cyprus', 'Cypriot', 'Nicosia'] },
  { name: 'Malta', names: ['Malta', 'Maltese'] },
  { name: 'Slovenia', names: ['Slovenia', 'Slovenian', 'Ljubljana'] },
  { name: 'Croatia', names: ['Croatia', 'Croatian', 'Zagreb'] },
  { name: 'Serbia', names: ['Serbia', 'Serbian', 'Belgrade'] },
  { name: 'Bosnia', names: ['Bosnia', 'Bosnian', 'Sarajevo', 'Bosnia and Herzegovina'] },
  { name: 'Montenegro', names: ['Montenegro', 'Montenegrin', 'Podgorica'] },
  { name: 'North Macedonia', names: ['North Macedonia', 'Macedonian', 'Skopje'] },
  { name: 'Albania', names: ['Albania', 'Albanian', 'Tirana'] },
  { name: 'Kosovo', names: ['Kosovo', 'Kosovar', 'Pristina'] },
  { name: 'Moldova', names: ['Moldova', 'Moldovan', 'Chisinau'] },
  { name: 'Belarus', names: ['Belarus', 'Belarusian', 'Minsk', 'Lukashenko'] },
  { name: 'Georgia', names: ['Tbilisi', 'Georgian government'] },
  { name: 'Armenia', names: ['Armenia', 'Armenian', 'Yerevan'] },
  { name: 'Azerbaijan', names: ['Azerbaijan', 'Azerbaijani', 'Azeri', 'Baku'] },
  { name: 'Turkey', names: ['Turkish', 'Türkiye', 'Turkiye', 'Ankara', 'Erdogan'] },
  { name: 'Syria', names: ['Syria', 'Syrian', 'Damascus'] },
  { name: 'Lebanon', names: ['Lebanon', 'Lebanese', 'Beirut', 'Hezbollah'] },
  { name: 'Jordan', names: ['Jordanian', 'Amman'] },
  { name: 'Iraq', names: ['Iraq', 'Iraqi', 'Baghdad'] },
  { name: 'Saudi Arabia', names: ['Saudi Arabia', 'Saudi', 'Saudis', 'Riyadh'] },
  { name: 'United Arab Emirates', names: ['United Arab Emirates', 'UAE', 'Emirati', 'Abu Dhabi', 'Dubai'] },
  { name: 'Qatar', names: ['Qatar', 'Qatari', 'Doha'] },
  { name: 'Kuwait', names: ['Kuwait', 'Kuwaiti'] },
  { name: 'Bahrain', names: ['Bahrain', 'Bahraini', 'Manama'] },
  { name: 'Oman', names: ['Omani', 'Muscat'] },
  { name: 'Yemen', names: ['Yemen', 'Yemeni', 'Sanaa', 'Houthi', 'Houthis'] },
  { name: 'Palestine', names: ['Palestine', 'Palestinian', 'Palestinians', 'Gaza', 'Hamas', 'West Bank'] },
  { name: 'Egypt', names: ['Egypt', 'Egyptian', 'Cairo'] },
  { name: 'Libya', names: ['Libya', 'Libyan', 'Tripoli'] },
  { name: 'Tunisia', names: ['Tunisia', 'Tunisian', 'Tunis'] },
  { name: 'Algeria', names: ['Algeria', 'Algerian', 'Algiers'] },
  { name: 'Morocco', names: ['Morocco', 'Moroccan', 'Rabat'] },
  { name: 'Sudan', names: ['Sudan', 'Sudanese', 'Khartoum'] },
  { name: 'Ethiopia', names: ['Ethiopia', 'Ethiopian', 'Addis Ababa'] },
  { name: 'Kenya', names: ['Kenya', 'Kenyan', 'Nairobi'] },
  { name: 'Nigeria', names: ['Nigeria', 'Nigerian', 'Abuja'] },
  { name: 'Ghana', names: ['Ghana', 'Ghanaian', 'Accra'] },
  { name: 'South Africa', names: ['South Africa', 'South African', 'Pretoria'] },
  { name: 'Uganda', names: ['Uganda', 'Ugandan', 'Kampala'] },
  { name: 'Rwanda', names: ['Rwanda', 'Rwandan', 'Kigali'] },
  { name: 'Tanzania', names: ['Tanzania', 'Tanzanian'] },
  { name: 'Zimbabwe', names: ['Zimbabwe', 'Zimbabwean', 'Harare'] },
  { name: 'Senegal', names: ['Senegal', 'Senegalese', 'Dakar'] },
  { name: 'Mali', names: ['Malian', 'Bamako'] },
  { name: 'European Union', names: ['European Union', 'EU', 'European Commission', 'European Council', 'European Parliament', 'ENISA'] },
  { name: 'NATO', names: ['NATO', 'North Atlantic Treaty Organization'] },
  { name: 'United Nations', names: ['United Nations', 'UN', 'U.N.', 'UN Security Council', 'UN General Assembly'] },
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
    if (s.name.toLowerCase() === lower || s.names.some((n) => n.toLowerCase() === lower)) return s.name;
  }
  return v;
}

/** How a state name is written as an adjective in a reason ("China-linked group"). */
export function stateLabel(name: string): string {
  return name;
}
