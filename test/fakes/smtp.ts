/**
 * A local SMTP server for tests (smtp-server, the real protocol): it keeps every message it accepts,
 * parsed with mailparser. It can be stopped and started again on the same port, refuse recipients,
 * require a password, hold back its answer to a message, and speak TLS (smtp-server's built-in
 * self-signed certificate for localhost, so clients must be told not to check it). It keeps the
 * name of every command it received (`commands`), so a test can tell what a client sent before TLS.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  /** It came over TLS. */
  secure: boolean;
  raw: string;
  parsed: ParsedMail;
}

export interface FakeSmtpOptions {
  /** Recipients answered with 550 at RCPT TO. */
  refuse?: RegExp;
  /** Require AUTH with this user and password. */
  auth?: { user: string; pass: string };
  /** Milliseconds to wait before answering 250 to a message (the message is kept already). */
  answerDelayMs?: number;
  /** TLS from the first byte (smtps://, as on port 465), or offered through STARTTLS (as on 587). */
  tls?: 'implicit' | 'starttls';
  /** The address to listen on (and name in url()); default 127.0.0.1. */
  host?: string;
}

export class FakeSmtpServer {
  readonly received: ReceivedMail[] = [];
  /** The name of every command received (EHLO, STARTTLS, AUTH, MAIL, …), over all connections, in order. */
  readonly commands: string[] = [];
  private server: SMTPServer | null = null;
  private listeners: Array<() => void> = [];

  private constructor(
    private readonly options: FakeSmtpOptions,
    public port: number,
  ) {}

  static async start(options: FakeSmtpOptions = {}): Promise<FakeSmtpServer> {
    const fake = new FakeSmtpServer(options, 0);
    await fake.listen();
    return fake;
  }

  /** An SMTP_URL for this server, with credentials when given (smtps:// for implicit TLS). */
  url(credentials?: { user: string; pass: string }): string {
    const auth = credentials ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.pass)}@` : '';
    return `${this.options.tls === 'implicit' ? 'smtps' : 'smtp'}://${auth}${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  get running(): boolean {
    return this.server !== null;
  }

  /** Starts listening (again) on the same port. */
  async listen(): Promise<void> {
    if (this.server) return;
    const { refuse, auth, answerDelayMs, tls } = this.options;
    const options: SMTPServerOptions = {
      logger: false,
      disableReverseLookup: true,
      secure: tls === 'implicit',
      disabledCommands: [...(tls === 'starttls' ? [] : ['STARTTLS']), ...(auth ? [] : ['AUTH'])],
      authOptional: !auth,
      allowInsecureAuth: true,
      closeTimeout: 1_000,
      onAuth: (login, _session, callback) => {
        if (auth && login.username === auth.user && login.password === auth.pass) return callback(null, { user: login.username });
        const error = Object.assign(new Error('Invalid username or password'), { responseCode: 535 });
        callback(error);
      },
      onRcptTo: (address, _session, callback) => {
        if (refuse?.test(address.address)) {
          return callback(Object.assign(new Error(`<${address.address}>: Recipient address rejected: no such user`), { responseCode: 550 }));
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          void simpleParser(raw).then((parsed) => {
            this.received.push({
              envelope: {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to: session.envelope.rcptTo.map((r) => r.address),
              },
              secure: session.secure,
              raw,
              parsed,
            });
            for (const notify of this.listeners.splice(0)) notify();
            setTimeout(() => callback(), answerDelayMs ?? 0);
          }, callback);
        });
      },
    };
    const server = new SMTPServer(options);
    // Set here rather than in the options, where a logger would also make smtp-server warn about its built-in certificate.
    const ignore = () => undefined;
    server.logger = {
      trace: ignore,
      info: ignore,
      warn: ignore,
      error: ignore,
      fatal: ignore,
      debug: (entry?: unknown) => {
        const { tnx, command } = (entry ?? {}) as { tnx?: string; command?: string };
        if (tnx === 'command' && command) this.commands.push(command);
      },
    };
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(this.port, this.options.host ?? '127.0.0.1', () => {
        server.off('error', fail);
        ok();
      });
    });
    server.on('error', () => undefined);
    this.port = (server.server.address() as { port: number }).port;
    this.server = server;
  }

  /** Stops listening; connections in progress are closed. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((ok) => server.close(() => ok()));
  }

  /** Messages by Message-ID. */
  byMessageId(messageId: string): ReceivedMail[] {
    return this.received.filter((m) => m.parsed.messageId === messageId);
  }

  /** Messages whose Message-ID starts so: an onboarding's step and round in every run (messageIdStem). */
  byMessageIdStem(stem: string): ReceivedMail[] {
    return this.received.filter((m) => m.parsed.messageId?.startsWith(stem));
  }

  /** Waits until a received message matches. */
  async waitFor(match: (mail: ReceivedMail) => boolean, timeoutMs = 20_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.received.map((m) => `${m.parsed.messageId} ${m.parsed.subject}`).join('\n  ');
        throw new Error(`no matching message within ${timeoutMs} ms; received:\n  ${seen}`);
      }
      await new Promise<void>((ok) => {
        const timer = setTimeout(ok, Math.min(left, 250));
        this.listeners.push(() => {
          clearTimeout(timer);
          ok();
        });
      });
    }
  }
}

/** The web links in a message's HTML part (href) and plain-text part, each once. */
export function linksIn(mail: ReceivedMail): string[] {
  const html = typeof mail.parsed.html === 'string' ? mail.parsed.html : '';
  const fromHtml = [...html.matchAll(/href="(https?:[^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
  const fromText = [...(mail.parsed.text ?? '').matchAll(/https?:\/\/[^\s)>"]+/g)].map((m) => m[0]);
  return [...new Set([...fromHtml, ...fromText])];
}
