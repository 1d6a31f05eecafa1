// Slack Web API errors, classified for the dispatcher: wait (rate limited), retry (transient) or give
// up (permanent). A permanent error is about the channel (gone, bot removed, token revoked: the
// dispatcher pauses the channel) or about this one message (too long, invalid blocks, the message to
// edit is gone: that alert alone fails and the channel keeps receiving the next stories).
import { DeliveryError } from '../../domain/chat.ts';
import { errorMessage } from '../../lib/errors.ts';

/** The channel (or the whole workspace) cannot take our messages until an admin acts. */
const CHANNEL = new Set([
  'channel_not_found', 'not_in_channel', 'is_archived', 'channel_is_archived', 'account_inactive', 'invalid_auth', 'not_authed',
  'token_revoked', 'token_expired', 'no_permission', 'missing_scope', 'restricted_action', 'team_access_not_granted',
  'ekm_access_denied', 'not_allowed_token_type', 'org_login_required',
  // Only thread replies (or nothing) may be posted there: every top-level story would fail the same way.
  'restricted_action_thread_only', 'restricted_action_read_only_channel', 'restricted_action_non_threadable_channel',
]);
/** This message cannot be posted or edited as it is; the next one may well go through. */
const MESSAGE = new Set([
  'msg_too_long', 'msg_blocks_too_long', 'invalid_blocks', 'invalid_blocks_format', 'invalid_attachments', 'too_many_attachments',
  'attachment_payload_limit_exceeded', 'no_text', 'invalid_metadata_format', 'invalid_metadata_schema', 'metadata_too_large',
  'metadata_must_be_sent_from_app', 'invalid_arguments', 'duplicate_message_not_found',
  // Edits of a message that was deleted, is not ours, or is too old to edit.
  'message_not_found', 'cant_update_message', 'edit_window_closed',
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
  if (err instanceof DeliveryError) return err;
  const e = (err ?? {}) as SlackLikeError;
  const prefix = `slack: ${what} failed`;
  switch (e.code) {
    case 'slack_webapi_rate_limited_error':
      return new DeliveryError('rate_limited', `${prefix}: rate limited`, Math.max(1, e.retryAfter ?? 1) * 1000);
    case 'slack_webapi_platform_error': {
      const code = e.data?.error ?? 'unknown_error';
      if (code === 'ratelimited' || code === 'rate_limited') return new DeliveryError('rate_limited', `${prefix}: ${code}`, 1000);
      if (TRANSIENT.has(code)) return new DeliveryError('transient', `${prefix}: ${code}`);
      if (MESSAGE.has(code)) return new DeliveryError('permanent', `${prefix}: ${code}`, null, 'message');
      // An unknown code pauses the channel: an admin sees it and nothing is silently dropped.
      const hint = CHANNEL.has(code) ? '' : ' (unrecognised error, not retried)';
      return new DeliveryError('permanent', `${prefix}: ${code}${hint}`);
    }
    case 'slack_webapi_http_error': {
      const status = e.statusCode ?? 0;
      if (status === 429) {
        const after = Number(e.headers?.['retry-after'] ?? '1');
        return new DeliveryError('rate_limited', `${prefix}: HTTP 429`, (Number.isFinite(after) && after > 0 ? after : 1) * 1000);
      }
      if (status >= 500 || status === 408) return new DeliveryError('transient', `${prefix}: HTTP ${status}`);
      // 400 (a malformed request) and 413 (a payload too large) are about this request, not the channel.
      if (status === 400 || status === 413) return new DeliveryError('permanent', `${prefix}: HTTP ${status}`, null, 'message');
      return new DeliveryError('permanent', `${prefix}: HTTP ${status}`);
    }
    default:
      return new DeliveryError('transient', `${prefix}: ${errorMessage(err)}`);
  }
}
