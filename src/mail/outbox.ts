/**
 * The outbox: without SMTP_URL, each message is written as `<outbox>/<Message-ID>.eml`, which any
 * mail program opens. The name comes from the Message-ID, so writing a message again replaces it.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

function outboxFileName(messageId: string): string {
  return `${messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9.@_%-]/g, '_')}.eml`;
}

/** Writes the message whole (through a temporary file), returns its path. */
export async function writeOutboxFile(dir: string, messageId: string, raw: Buffer): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, outboxFileName(messageId));
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, raw);
  await rename(partial, path);
  return path;
}
