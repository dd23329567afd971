/**
 * Approval tokens never reach the log: every `/approvals/<token>` in a path, a URL or a whole log
 * line is written as `/approvals/[token]` (a `/result` after it stays). The token is the approver's
 * credential until it is used or expires, so neither a log reader nor a log shipper may see it.
 */

/** `/approvals/` followed by the token: everything up to the next `/`, `?`, `#`, quote, backslash or space. */
const APPROVAL_TOKEN = /(\/approvals\/)[^/?#"'\\\s<>]+/gi;

export const REDACTED_TOKEN = '[token]';

/** The text with each approval token replaced by `[token]`. */
export function redactApprovalTokens(text: string): string {
  return text.replace(APPROVAL_TOKEN, `$1${REDACTED_TOKEN}`);
}

/** A request target for the log: its path without the query (which may carry anything), tokens redacted. */
export function loggablePath(target: string | undefined): string {
  const path = (target ?? '').split(/[?#]/, 1)[0]!;
  return redactApprovalTokens(path.length > 200 ? `${path.slice(0, 200)}…` : path);
}
