/** Reads a small `application/x-www-form-urlencoded` request body. */
import type { IncomingMessage } from 'node:http';

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

export class NotAFormError extends Error {
  override readonly name = 'NotAFormError';
}

/** The client went away before the whole body arrived: there is no one left to answer. */
export class BodyAbortedError extends Error {
  override readonly name = 'BodyAbortedError';
}

export async function readForm(req: IncomingMessage, limitBytes: number): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new NotAFormError(`expected a form, got ${type || 'no content type'}`);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limitBytes) throw new BodyTooLargeError(`body of ${declared} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limitBytes) throw new BodyTooLargeError(`body over ${limitBytes} bytes`);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw error;
    if (req.destroyed && !req.complete) throw new BodyAbortedError('the client closed the connection before sending the whole body');
    throw error;
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
