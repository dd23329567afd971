/**
 * A light SMTP server on loopback (smtp-server, the real protocol) that keeps each message's raw
 * text by its Message-ID and wakes whoever waits for it. Unlike the tests' FakeSmtpServer it does
 * not parse the messages, so that the benchmark's own work stays small next to the service's.
 */
import { SMTPServer } from 'smtp-server';

export class SmtpSink {
  /** Messages accepted. */
  count = 0;
  private readonly messages = new Map<string, string>();
  private readonly waiting = new Map<string, Array<(raw: string) => void>>();

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(): Promise<SmtpSink> {
    let sink: SmtpSink | null = null;
    const server = new SMTPServer({
      logger: false,
      disableReverseLookup: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      closeTimeout: 1_000,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          sink?.keep(Buffer.concat(chunks).toString('utf8'));
          callback();
        });
      },
    });
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', fail);
        ok();
      });
    });
    server.on('error', () => undefined);
    sink = new SmtpSink(server, (server.server.address() as { port: number }).port);
    return sink;
  }

  url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  private keep(raw: string) {
    this.count += 1;
    const headers = raw.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, ' ');
    const id = /^Message-ID:\s*(<[^>]+>)/im.exec(headers)?.[1];
    if (!id) return;
    this.messages.set(id, raw);
    for (const wake of this.waiting.get(id) ?? []) wake(raw);
    this.waiting.delete(id);
  }

  /** The raw message with this Message-ID, when it arrives (rejects after `timeoutMs`). */
  waitFor(messageId: string, timeoutMs = 60_000): Promise<string> {
    const found = this.messages.get(messageId);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`no message ${messageId} within ${timeoutMs} ms`)), timeoutMs);
      const list = this.waiting.get(messageId) ?? [];
      list.push((raw) => {
        clearTimeout(timer);
        ok(raw);
      });
      this.waiting.set(messageId, list);
    });
  }

  /** Drops the kept messages (not the count). */
  clear(): void {
    this.messages.clear();
  }

  async close(): Promise<void> {
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }
}
