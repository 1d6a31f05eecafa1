// Times, days and zones as typed: refused with one sentence that quotes what was typed, cut to 40 characters
// on a character boundary (an emoji at the cut whole, never half of it) and saying it was cut.
import { describe, expect, it } from 'vitest';
import { extraWords, parseTime, parseWeekday, parseZone } from '../../src/commands/time-args.ts';
import { ZONE_ABBREVIATIONS, zonesMeantBy } from '../../src/commands/zone-abbreviations.ts';

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('what was typed, quoted in a refusal', () => {
  it.each([
    { name: 'a time, short: whole', run: () => parseTime('25:99'), quoted: '"25:99"' },
    { name: 'a zone with an emoji last before the cut: kept whole', run: () => parseZone(`${'Z'.repeat(38)}🕒${'z'.repeat(10)}`), quoted: `"${'Z'.repeat(38)}🕒…"` },
    { name: 'a day with an emoji across the code-unit cut: left out whole', run: () => parseWeekday(`${'d'.repeat(39)}🕒${'d'.repeat(10)}`), quoted: `"${'d'.repeat(39)}…"` },
    { name: 'an extra word of emoji', run: () => { throw extraWords('22:00-07:00 UTC', ['🕒'.repeat(60)], '/news quiet <from>-<to> <zone>', '/news quiet 22:00-07:00 UTC'); }, quoted: `"${'🕒'.repeat(39)}…"` },
    { name: 'invisible format characters left out', run: () => parseTime('0\u200b8:\u202e00x'), quoted: '"08:00x"' },
  ])('$name', ({ run, quoted }) => {
    const message = refusal(run);
    expect(message.startsWith(`${quoted} is `)).toBe(true);
    expect(message).not.toMatch(/\p{Cs}/u);
  });
});

describe('a mistyped zone or day names the one meant', () => {
  const USE_ZONE = 'use an IANA name (Region/City) such as Europe/Berlin, America/New_York, Asia/Kolkata or Australia/Sydney, or UTC.';
  const USE_DAY = 'use mon, tue, wed, thu, fri, sat or sun.';
  it.each([
    { typed: 'Europe/Berln', run: parseZone, want: `"Europe/Berln" is not a time zone I know; did you mean Europe/Berlin? Otherwise ${USE_ZONE}` },
    { typed: 'europe/brlin', run: parseZone, want: `"europe/brlin" is not a time zone I know; did you mean Europe/Berlin? Otherwise ${USE_ZONE}` },
    // `America/New York` typed with a space reaches the zone as its first word.
    { typed: 'America/New', run: parseZone, want: `"America/New" is not a time zone I know; did you mean America/New_York? Otherwise ${USE_ZONE}` },
    { typed: 'Mars/Olympus', run: parseZone, want: `"Mars/Olympus" is not a time zone I know; ${USE_ZONE}` },
    { typed: 'Europe', run: parseZone, want: `"Europe" is not a time zone I know; ${USE_ZONE}` },
    { typed: 'mnday', run: parseWeekday, want: `"mnday" is not a day of the week; did you mean mon? Otherwise ${USE_DAY}` },
    { typed: 'thrusday', run: parseWeekday, want: `"thrusday" is not a day of the week; did you mean thu? Otherwise ${USE_DAY}` },
    { typed: 'xyz', run: parseWeekday, want: `"xyz" is not a day of the week; ${USE_DAY}` },
  ])('$typed', ({ typed, run, want }) => {
    expect(refusal(() => run(typed))).toBe(want);
  });
});

// An abbreviation is not a place: Intl takes EST as UTC-5 all year (a brief at 08:00 EST would come at 09:00
// New York time all summer), BST as Bangladesh, NST as New Zealand, AST as Alaska; EDT or CEST it refuses with
// no suggestion. Each is refused with the place or places it stands for.
describe('a time-zone abbreviation is refused, naming the zone meant', () => {
  const lead = (typed: string) => `"${typed}" is a time-zone abbreviation, which names a fixed offset or several places rather than one place's clock with its daylight-saving changes; did you mean`;
  it.each([
    { typed: 'EST', want: `${lead('EST')} America/New_York?` },
    { typed: 'est', want: `${lead('est')} America/New_York?` },
    { typed: 'EDT', want: `${lead('EDT')} America/New_York?` },
    { typed: 'PST', want: `${lead('PST')} America/Los_Angeles?` },
    { typed: 'MST', want: `${lead('MST')} America/Denver or America/Phoenix?` },
    { typed: 'CET', want: `${lead('CET')} Europe/Berlin or Europe/Paris?` },
    { typed: 'CEST', want: `${lead('CEST')} Europe/Berlin or Europe/Paris?` },
    { typed: 'BST', want: `${lead('BST')} Europe/London?` },
    { typed: 'IST', want: `${lead('IST')} Asia/Kolkata, Europe/Dublin or Asia/Jerusalem?` },
    { typed: 'NST', want: `${lead('NST')} America/St_Johns?` },
    { typed: 'AEST', want: `${lead('AEST')} Australia/Sydney or Australia/Brisbane?` },
  ])('$typed', ({ typed, want }) => {
    expect(refusal(() => parseZone(typed))).toBe(want);
  });

  it('suggests only zones it takes', () => {
    for (const abbr of ZONE_ABBREVIATIONS) for (const zone of zonesMeantBy(abbr)!) expect(parseZone(zone)).toBe(zone);
  });

  it.each(['UTC', 'GMT', 'Europe/Berlin', 'America/New_York', 'US/Eastern', 'Etc/GMT+5'])('%s is still taken', (zone) => {
    expect(() => parseZone(zone)).not.toThrow();
  });
});
