// Time-zone abbreviations typed where a zone is asked for (/news brief ... EST, /news quiet ... CET). Intl
// accepts some of them, but as a fixed offset or an old alias that is not what people mean by them: EST is
// UTC-5 all year (America/Panama), so a brief at 08:00 EST would come at 09:00 New York time all summer; BST
// is Bangladesh (Asia/Dhaka), not British Summer Time; NST is New Zealand, not Newfoundland; AST is Alaska,
// not Atlantic; ART is Cairo, not Argentina; IST and CST each name several places. Others (EDT, CEST, AEST)
// Intl refuses, leaving the user with no suggestion. Each is refused with the zone or zones it stands for.
import { wordList } from '../lib/word-list.ts';

/** The IANA zones an abbreviation is commonly meant as, the most common first. */
const MEANT: Record<string, readonly string[]> = {
  est: ['America/New_York'],
  edt: ['America/New_York'],
  cst: ['America/Chicago', 'Asia/Shanghai'],
  cdt: ['America/Chicago'],
  mst: ['America/Denver', 'America/Phoenix'],
  mdt: ['America/Denver'],
  pst: ['America/Los_Angeles'],
  pdt: ['America/Los_Angeles'],
  akst: ['America/Anchorage'],
  akdt: ['America/Anchorage'],
  hst: ['Pacific/Honolulu'],
  hdt: ['Pacific/Honolulu'],
  ast: ['America/Halifax', 'Asia/Riyadh'],
  adt: ['America/Halifax'],
  nst: ['America/St_Johns'],
  ndt: ['America/St_Johns'],
  bst: ['Europe/London'],
  ist: ['Asia/Kolkata', 'Europe/Dublin', 'Asia/Jerusalem'],
  wet: ['Europe/Lisbon'],
  west: ['Europe/Lisbon'],
  cet: ['Europe/Berlin', 'Europe/Paris'],
  cest: ['Europe/Berlin', 'Europe/Paris'],
  met: ['Europe/Berlin', 'Europe/Paris'],
  mest: ['Europe/Berlin', 'Europe/Paris'],
  eet: ['Europe/Athens', 'Europe/Helsinki'],
  eest: ['Europe/Athens', 'Europe/Helsinki'],
  msk: ['Europe/Moscow'],
  sast: ['Africa/Johannesburg'],
  wat: ['Africa/Lagos'],
  cat: ['Africa/Maputo'],
  eat: ['Africa/Nairobi'],
  pkt: ['Asia/Karachi'],
  ict: ['Asia/Bangkok'],
  wib: ['Asia/Jakarta'],
  hkt: ['Asia/Hong_Kong'],
  sgt: ['Asia/Singapore'],
  jst: ['Asia/Tokyo'],
  kst: ['Asia/Seoul'],
  awst: ['Australia/Perth'],
  acst: ['Australia/Adelaide'],
  acdt: ['Australia/Adelaide'],
  aest: ['Australia/Sydney', 'Australia/Brisbane'],
  aedt: ['Australia/Sydney'],
  nzst: ['Pacific/Auckland'],
  nzdt: ['Pacific/Auckland'],
  art: ['America/Argentina/Buenos_Aires'],
  brt: ['America/Sao_Paulo'],
};

/** Every abbreviation this module knows, lower-case (for tests and documentation). */
export const ZONE_ABBREVIATIONS: readonly string[] = Object.keys(MEANT);

/** The zones `raw` is meant as when it is an abbreviation (EST: America/New_York), else null. */
export function zonesMeantBy(raw: string): readonly string[] | null {
  return MEANT[raw.trim().toLowerCase()] ?? null;
}

/** `A`, `A or B`, `A, B or C`. */
export const orList = (names: readonly string[]): string => wordList(names, 'or');
