// The id a feedback button carries: made from a verdict and an alert id only, read back strictly.
import { describe, expect, it } from 'vitest';
import { FEEDBACK_ID_MAX, feedbackButtonId, parseFeedbackButtonId, VERDICT_LABELS } from '../../src/domain/feedback.ts';

describe('feedback button ids', () => {
  it.each([
    { verdict: 'relevant', alertId: 1, id: 'cyberbrief-feedback:relevant:1' },
    { verdict: 'not_relevant', alertId: 42, id: 'cyberbrief-feedback:not_relevant:42' },
    { verdict: 'relevant', alertId: Number.MAX_SAFE_INTEGER, id: `cyberbrief-feedback:relevant:${Number.MAX_SAFE_INTEGER}` },
  ] as const)('$id round-trips', ({ verdict, alertId, id }) => {
    expect(feedbackButtonId(verdict, alertId)).toBe(id);
    expect(feedbackButtonId(verdict, alertId).length).toBeLessThanOrEqual(FEEDBACK_ID_MAX);
    expect(parseFeedbackButtonId(id)).toEqual({ verdict, alertId });
  });

  it.each([
    { name: 'another prefix', raw: 'other-app:relevant:1' },
    { name: 'an unknown verdict', raw: 'cyberbrief-feedback:maybe:1' },
    { name: 'alert id 0', raw: 'cyberbrief-feedback:relevant:0' },
    { name: 'a leading zero', raw: 'cyberbrief-feedback:relevant:01' },
    { name: 'a negative id', raw: 'cyberbrief-feedback:relevant:-1' },
    { name: 'an id past 16 digits', raw: 'cyberbrief-feedback:relevant:12345678901234567' },
    { name: 'an id past the safe integer range', raw: `cyberbrief-feedback:relevant:${Number.MAX_SAFE_INTEGER + 1}` },
    { name: 'a channel smuggled in', raw: 'cyberbrief-feedback:relevant:42:C999' },
    { name: 'trailing space', raw: 'cyberbrief-feedback:relevant:42 ' },
    { name: 'a newline', raw: 'cyberbrief-feedback:relevant:42\n' },
    { name: 'upper case', raw: 'CYBERBRIEF-FEEDBACK:RELEVANT:42' },
    { name: 'an overlong string', raw: `cyberbrief-feedback:relevant:42${' '.repeat(100)}` },
    { name: 'empty', raw: '' },
    { name: 'a number', raw: 42 },
    { name: 'null', raw: null },
  ])('refuses $name', ({ raw }) => {
    expect(parseFeedbackButtonId(raw)).toBeNull();
  });

  it('refuses to make an id for a bad alert id', () => {
    expect(() => feedbackButtonId('relevant', 0)).toThrow(RangeError);
    expect(() => feedbackButtonId('relevant', 1.5)).toThrow(RangeError);
  });

  it('labels are fixed words', () => {
    expect(VERDICT_LABELS).toEqual({ relevant: 'Relevant', not_relevant: 'Not relevant' });
  });
});
