/** `Authorization: Bearer <token>` checks for the endpoints that take a token (the codec endpoint, /metrics). */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Whether a request carries `token`. Both sides are hashed first, so that the comparison takes the
 * same time whatever was sent.
 */
export function bearerCheck(token: string): (req: IncomingMessage) => boolean {
  const expected = digest(token);
  return (req) => {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? '');
    return timingSafeEqual(digest(match?.[1] ?? ''), expected) && match !== null;
  };
}
