/** Slack's Web API errors as the metrics count them (src/metrics/counters.ts), by kind. */
import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from '@slack/web-api';
import { countFailure, type FailureKind } from './counters';

/** Slack errors that the token or the app's installation must mend. */
const AUTH_ERRORS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'missing_scope']);
const SERVER_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable']);

/** The kind of a Slack failure; null for an error that is not Slack's. */
export function slackFailureKind(error: unknown): FailureKind | null {
  if (error instanceof WebAPIRateLimitedError) return 'rate_limited';
  if (error instanceof WebAPIPlatformError) {
    const code = String(error.data.error);
    if (code === 'ratelimited') return 'rate_limited';
    if (code === 'request_timeout') return 'timeout';
    if (AUTH_ERRORS.has(code)) return 'auth';
    if (SERVER_ERRORS.has(code)) return 'server_error';
    if (code.endsWith('_not_found')) return 'not_found';
    return 'refused';
  }
  if (error instanceof WebAPIRequestError) return /timeout|ECONNABORTED|ETIMEDOUT/i.test(error.original.message) ? 'timeout' : 'unreachable';
  if (error instanceof WebAPIHTTPError) return error.statusCode >= 500 ? 'server_error' : 'refused';
  return null;
}

/** Counts a failed Slack call (what is not a Slack error is not counted). */
export function countSlackFailure(error: unknown): void {
  const kind = slackFailureKind(error);
  if (kind) countFailure('slack', kind);
}
