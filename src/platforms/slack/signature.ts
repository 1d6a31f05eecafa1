// Slack request signatures (v0 HMAC-SHA256 over "v0:<timestamp>:<body>"), as pure functions with the
// clock passed in. The adapter verifies every request to /slack/events with verifySlackSignature before
// Bolt sees it: Bolt refuses old timestamps only, this refuses any more than 5 minutes off either way.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CyberbriefError } from '../../lib/errors.ts';

/** Requests stamped more than this before or after now are refused (Slack recommends 5 minutes). */
export const MAX_SKEW_SECONDS = 300;

export function slackSignature(signingSecret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface VerifyInput {
  signingSecret: string;
  /** x-slack-request-timestamp */
  timestamp: string | undefined;
  /** x-slack-signature */
  signature: string | undefined;
  rawBody: string;
  nowMs: number;
}

/** Throws a CyberbriefError('forbidden') saying what is wrong; returns when the request is authentic. */
export function verifySlackSignature(input: VerifyInput): void {
  const fail = (why: string) => {
    throw new CyberbriefError('forbidden', `slack: request refused: ${why}; check SLACK_SIGNING_SECRET matches the app's signing secret.`);
  };
  if (!input.timestamp || !/^\d{1,12}$/.test(input.timestamp)) fail('missing or malformed x-slack-request-timestamp');
  const ts = Number(input.timestamp);
  if (Math.abs(Math.floor(input.nowMs / 1000) - ts) > MAX_SKEW_SECONDS) fail(`timestamp ${ts} is more than ${MAX_SKEW_SECONDS} seconds from now`);
  if (!input.signature || !input.signature.startsWith('v0=')) fail('missing or malformed x-slack-signature');
  const want = Buffer.from(slackSignature(input.signingSecret, ts, input.rawBody));
  const got = Buffer.from(input.signature!);
  if (got.length !== want.length || !timingSafeEqual(got, want)) fail('signature mismatch');
}
