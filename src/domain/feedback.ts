// Analysts' feedback on an alert: the two verdicts, their button labels, and the id a button carries.
// The id names only the verdict and the outbox alert id (never feed text); the core parses it strictly
// on receipt and checks the alert belongs to the channel the click came from.

export type Verdict = 'relevant' | 'not_relevant';

export const VERDICTS: readonly Verdict[] = ['relevant', 'not_relevant'];

/** Button labels: ours, never taken from a feed. */
export const VERDICT_LABELS: Record<Verdict, string> = { relevant: 'Relevant', not_relevant: 'Not relevant' };

/** Every feedback button id starts with this, so adapters can route the click without parsing it. */
export const FEEDBACK_ID_PREFIX = 'cyberbrief-feedback:';

/** Longest id accepted on receipt (an id we make is under 50 characters). */
export const FEEDBACK_ID_MAX = 64;

const ID_RE = /^cyberbrief-feedback:(relevant|not_relevant):([1-9]\d{0,15})$/;

/** `cyberbrief-feedback:not_relevant:42`: fits Slack's button value and Discord's 100-character custom_id. */
export function feedbackButtonId(verdict: Verdict, alertId: number): string {
  if (!Number.isSafeInteger(alertId) || alertId < 1) throw new RangeError(`feedback: alert id ${alertId} is not a positive integer`);
  return `${FEEDBACK_ID_PREFIX}${verdict}:${alertId}`;
}

/** The verdict and alert id a button carries, or null when it is not exactly one of ours. */
export function parseFeedbackButtonId(raw: unknown): { verdict: Verdict; alertId: number } | null {
  if (typeof raw !== 'string' || raw.length > FEEDBACK_ID_MAX) return null;
  const m = ID_RE.exec(raw);
  if (!m) return null;
  const alertId = Number(m[2]);
  if (!Number.isSafeInteger(alertId)) return null;
  return { verdict: m[1] as Verdict, alertId };
}
