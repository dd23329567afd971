/**
 * Sends messages over SMTP (SMTP_URL, TLS and credentials in the URL), or writes them as .eml files
 * to the outbox directory when SMTP is not configured (docs/design.md §11).
 *
 * Once only: a message whose Message-ID was accepted before by this process is not sent again, and
 * a second send of a message still in flight waits for the first. So a retried activity never sends
 * again what the server already took, unless the process ended between the server's acceptance
 * and the activity's completion (docs/mail.md lists the duplicates that remain possible).
 *
 * A message the server took for its copies but refused for its `to` fails with that refusal, and
 * is not remembered as sent; refused copies are logged.
 */
import nodemailer from 'nodemailer';
import type { Log } from '../log';
import { isLoopbackHost } from '../loopback';
import { countFailure, type FailureKind } from '../metrics/counters';
import type { MailMessage } from './messages';
import { writeOutboxFile } from './outbox';

export interface Delivery {
  messageId: string;
  /** Recipients the server took, and those it refused (an SMTP server may take some and refuse others). */
  accepted: string[];
  rejected: string[];
  /** False: the message had been accepted before and was not sent again. */
  sent: boolean;
}

export interface Mailer {
  send(message: MailMessage): Promise<Delivery>;
  /** Where messages go, for the log: `smtp://host:port` (no credentials) or the outbox directory. */
  readonly destination: string;
  close(): void;
}

/** A failed send. The message never contains the SMTP credentials. */
export class MailError extends Error {
  override readonly name = 'MailError';

  constructor(
    message: string,
    /** nodemailer's code: ECONNECTION, EENVELOPE, EMESSAGE, EAUTH, … */
    readonly code: string | undefined,
    readonly responseCode: number | undefined,
    /** The server refused this message for good (a 5xx reply): sending it again gets the same answer. */
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export interface MailerOptions {
  smtpUrl: string | null;
  from: string;
  /** Where messages are written when there is no SMTP server. */
  outboxDir: string;
  log: Log;
  /** SMTP timeouts stay well inside the activity's one-minute start-to-close timeout. */
  timeouts?: { connectionMs: number; greetingMs: number; socketMs: number };
}

const DEFAULT_TIMEOUTS = { connectionMs: 10_000, greetingMs: 10_000, socketMs: 30_000 };
/** How many accepted Message-IDs are remembered. */
const REMEMBERED = 10_000;

/** `smtp://mail.example.com:587`, without user or password. */
function smtpDestination(smtpUrl: string): string {
  try {
    const url = new URL(smtpUrl);
    return `${url.protocol}//${url.host}`;
  } catch {
    return 'smtp (unparsable SMTP_URL)';
  }
}

/**
 * Whether an smtp:// connection must switch to TLS (STARTTLS) before it logs in or sends anything:
 * always, unless the server is on this machine or SMTP_URL says requireTLS=false. A server that
 * does not offer STARTTLS (or a network that strips it) then fails the send instead of getting the
 * password and the approval links in clear. smtps:// is TLS from the first byte.
 */
export function requiresStartTls(smtpUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    return true;
  }
  if (url.protocol !== 'smtp:') return false;
  const asked = url.searchParams.get('requireTLS');
  if (asked === 'false') return false;
  // Said explicitly, it holds on this machine too.
  return asked === 'true' || !isLoopbackHost(url.hostname);
}

function secretsOf(smtpUrl: string | null): string[] {
  if (!smtpUrl) return [];
  try {
    const url = new URL(smtpUrl);
    return [url.password, decodeURIComponent(url.password), url.username && url.password ? `${url.username}:${url.password}` : ''].filter((s) => s.length >= 3);
  } catch {
    return [smtpUrl];
  }
}

/** What nodemailer's errors carry (a refused recipient's too). */
interface SmtpError {
  message?: string;
  code?: string;
  responseCode?: number;
  permanent?: boolean;
  recipient?: string;
}

/** The metrics' kind of an SMTP failure (src/metrics/counters.ts). */
function smtpFailureKind(error: SmtpError): FailureKind {
  if (error.code === 'ETIMEDOUT') return 'timeout';
  if (error.code === 'EAUTH' || error.code === 'ENOAUTH') return 'auth';
  if (error.code === 'ECONNECTION' || error.code === 'ESOCKET' || error.code === 'EDNS' || error.code === 'ETLS') return 'unreachable';
  // A 4xx reply defers the message (the server is busy, or greylists); a 5xx refuses it.
  return error.permanent || (error.responseCode ?? 0) >= 500 ? 'refused' : 'server_error';
}

export function createMailer(options: MailerOptions): Mailer {
  const { smtpUrl, from, outboxDir, log } = options;
  const timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
  const secrets = secretsOf(smtpUrl);
  const scrub = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('***'), text);

  const transport = smtpUrl
    ? nodemailer.createTransport({
        url: smtpUrl,
        // The URL's own requireTLS=true|false, when it has one, is applied over this.
        requireTLS: requiresStartTls(smtpUrl),
        connectionTimeout: timeouts.connectionMs,
        greetingTimeout: timeouts.greetingMs,
        socketTimeout: timeouts.socketMs,
        disableFileAccess: true,
        disableUrlAccess: true,
      })
    : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const destination = smtpUrl ? smtpDestination(smtpUrl) : outboxDir;

  const accepted = new Map<string, Delivery>();
  const inFlight = new Map<string, Promise<Delivery>>();

  async function deliver(message: MailMessage): Promise<Delivery> {
    const mail = {
      from,
      to: message.to,
      cc: message.cc,
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId: message.messageId,
      headers: { 'Auto-Submitted': 'auto-generated' },
    };
    let info: { accepted?: unknown[]; rejected?: unknown[]; rejectedErrors?: SmtpError[]; message?: unknown };
    try {
      info = await transport.sendMail(mail);
    } catch (error) {
      const e = error as SmtpError;
      if (smtpUrl) countFailure('smtp', smtpFailureKind(e));
      throw new MailError(scrub(String(e.message ?? error)), e.code, e.responseCode, e.permanent === true);
    }
    const addresses = (list: unknown[] | undefined) => (list ?? []).map((a) => (typeof a === 'string' ? a : String((a as { address?: string }).address)));
    if (smtpUrl) {
      const delivery = { messageId: message.messageId, accepted: addresses(info.accepted), rejected: addresses(info.rejected), sent: true };
      log('mail.sent', { messageId: message.messageId, via: destination, accepted: delivery.accepted.length, rejected: delivery.rejected });
      // The server took the message for the copies only: the person it is for never gets it.
      const to = message.to.address.toLowerCase();
      if (delivery.rejected.some((a) => a.toLowerCase() === to)) {
        const refusal = info.rejectedErrors?.find((e) => e.recipient?.toLowerCase() === to);
        countFailure('smtp', smtpFailureKind(refusal ?? { code: 'EENVELOPE', permanent: true }));
        throw new MailError(scrub(refusal?.message ?? 'Recipient refused'), 'EENVELOPE', refusal?.responseCode, refusal?.permanent ?? true);
      }
      return delivery;
    }
    const path = await writeOutboxFile(outboxDir, message.messageId, info.message as Buffer);
    log('mail.outbox', { messageId: message.messageId, file: path, subject: message.subject, links: message.links });
    const recipients = [message.to, ...message.cc].map((a) => a.address);
    return { messageId: message.messageId, accepted: recipients, rejected: [], sent: true };
  }

  return {
    destination,
    async send(message) {
      const earlier = accepted.get(message.messageId);
      if (earlier) {
        log('mail.alreadySent', { messageId: message.messageId });
        return { ...earlier, sent: false };
      }
      const pending = inFlight.get(message.messageId);
      if (pending) return pending.then((delivery) => ({ ...delivery, sent: false }));
      const attempt = deliver(message);
      inFlight.set(message.messageId, attempt);
      try {
        const delivery = await attempt;
        accepted.set(message.messageId, delivery);
        if (accepted.size > REMEMBERED) accepted.delete(accepted.keys().next().value!);
        return delivery;
      } finally {
        inFlight.delete(message.messageId);
      }
    },
    close() {
      transport.close();
    },
  };
}
