// Slack Web API errors, classified for the dispatcher: wait (rate limited), retry (transient) or give
// up and pause the channel (permanent).
import { DeliveryError } from '../../domain/chat.ts';
import { errorMessage } from '../../lib/errors.ts';

const PERMANENT = new Set([
  'channel_not_found', 'not_in_channel', 'is_archived', 'account_inactive', 'invalid_auth', 'not_authed', 'token_revoked',
  'token_expired', 'no_permission', 'missing_scope', 'restricted_action', 'team_access_not_granted', 'ekm_access_denied',
  'msg_too_long', 'invalid_blocks', 'invalid_blocks_format', 'too_many_attachments', 'message_not_found', 'cant_update_message',
  'edit_window_closed', 'channel_is_archived',
]);
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

interface SlackLikeError {
  code?: string;
  data?: { error?: string };
  retryAfter?: number;
  statusCode?: number;
  headers?: Record<string, string>;
}

export function classifySlackError(err: unknown, what: string): DeliveryError {
  const e = (err ?? {}) as SlackLikeError;
  const prefix = `slack: ${what} failed`;
  switch (e.code) {
    case 'slack_webapi_rate_limited_error':
      return new DeliveryError('rate_limited', `${prefix}: rate limited`, Math.max(1, e.retryAfter ?? 1) * 1000);
    case 'slack_webapi_platform_error': {
      const code = e.data?.error ?? 'unknown_error';
      if (code === 'ratelimited' || code === 'rate_limited') return new DeliveryError('rate_limited', `${prefix}: ${code}`, 1000);
      if (TRANSIENT.has(code)) return new DeliveryError('transient', `${prefix}: ${code}`);
      const hint = PERMANENT.has(code) ? '' : ' (unrecognised error, not retried)';
      return new DeliveryError('permanent', `${prefix}: ${code}${hint}`);
    }
    case 'slack_webapi_http_error': {
      const status = e.statusCode ?? 0;
      if (status === 429) {
        const after = Number(e.headers?.['retry-after'] ?? '1');
        return new DeliveryError('rate_limited', `${prefix}: HTTP 429`, (Number.isFinite(after) && after > 0 ? after : 1) * 1000);
      }
      if (status >= 500 || status === 408) return new DeliveryError('transient', `${prefix}: HTTP ${status}`);
      return new DeliveryError('permanent', `${prefix}: HTTP ${status}`);
    }
    default:
      return new DeliveryError('transient', `${prefix}: ${errorMessage(err)}`);
  }
}
