/**
 * What can go wrong when talking to IT Glue, as typed errors. Their messages name the method,
 * the path and IT Glue's own explanation, never the API key.
 */

/** `invalid-response`: IT Glue answered with a body the program does not understand (not retried). */
export type ItGlueErrorKind = 'auth' | 'not-found' | 'invalid' | 'invalid-response' | 'rate-limited' | 'unavailable';

export class ItGlueError extends Error {
  override readonly name = 'ItGlueError';
  constructor(
    readonly kind: ItGlueErrorKind,
    message: string,
    readonly status: number | null,
    /** From a Retry-After header, when IT Glue sent one. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }

  /** Worth trying again later: rate limits, server errors and network failures. */
  get retryable(): boolean {
    return this.kind === 'rate-limited' || this.kind === 'unavailable';
  }
}

interface JsonApiError {
  title?: string;
  detail?: string;
}

function explanation(body: unknown): string {
  const errors = (body as { errors?: JsonApiError[] } | null)?.errors;
  const first = Array.isArray(errors) ? errors[0] : undefined;
  const text = first?.detail || first?.title;
  return typeof text === 'string' && text ? `: ${text.slice(0, 300)}` : '';
}

/** The longest Retry-After taken as is: IT Glue's rate-limit window (3000 requests per 5 minutes). */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** Retry-After as seconds or an HTTP date, in ms (at most MAX_RETRY_AFTER_MS); null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined | null, now = Date.now()): number | null {
  if (!value) return null;
  const seconds = Number(value);
  const at = Date.parse(value);
  let ms: number;
  if (Number.isFinite(seconds) && seconds >= 0) ms = seconds * 1000;
  else if (!Number.isNaN(at)) ms = Math.max(at - now, 0);
  else return null;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

export function errorForResponse(what: string, status: number, body: unknown, retryAfter: string | null | undefined): ItGlueError {
  const detail = explanation(body);
  if (status === 401 || status === 403) {
    return new ItGlueError('auth', `IT Glue refused the API key (${status}) on ${what}: check ITGLUE_API_KEY and ITGLUE_API_URL (the key's region)`, status);
  }
  if (status === 404) return new ItGlueError('not-found', `IT Glue has no such record (${what})${detail}`, status);
  if (status === 429) {
    return new ItGlueError('rate-limited', `IT Glue's rate limit was reached (${what})`, status, parseRetryAfter(retryAfter));
  }
  if (status >= 500) return new ItGlueError('unavailable', `IT Glue answered ${status} (${what})${detail}`, status, parseRetryAfter(retryAfter));
  return new ItGlueError('invalid', `IT Glue refused the request (${status}, ${what})${detail}`, status);
}
