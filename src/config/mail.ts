/** Mail's variables (docs/design.md §12): the SMTP server, the sender, and who gets a copy. */
import type { z } from 'zod';
import { isLoopbackHost } from '../loopback';
import { MAILBOX, parseMailbox, type Address } from '../mail/address';
import { text, type Fail } from './env';

export interface MailConfig {
  /** Null: messages are written to the outbox directory instead of being sent. */
  smtpUrl: string | null;
  from: string;
  /**
   * MAIL_COPY_TO: who gets every copy of the access instructions. Null: the requesting tech, at
   * the address of their Slack profile, else the sender.
   */
  copyTo: Address[] | null;
}

const DEFAULT_MAIL_FROM = 'invite-lite <invite-lite@localhost>';

/** The values of SMTP_URL's requireTLS parameter; null when it has none (or the URL does not parse). */
function smtpRequireTls(smtpUrl: string): string[] | null {
  try {
    const values = new URL(smtpUrl).searchParams.getAll('requireTLS');
    return values.length > 0 ? values : null;
  } catch {
    return null;
  }
}

export const mailEnv = {
  SMTP_URL: text
    .refine((value) => /^smtps?:\/\/[^/\s]+/.test(value), 'expected an smtp:// or smtps:// URL such as smtp://user:password@mail.example.com:587')
    .refine(
      (value) => ['true', 'false'].includes((smtpRequireTls(value) ?? ['true']).join()),
      'expected requireTLS=true or requireTLS=false (once) if the URL sets it; smtp:// uses STARTTLS unless the server is on this machine',
    )
    .optional(),
  MAIL_FROM: text.regex(MAILBOX, 'expected a sender such as "Acme IT <it@acme.example>" or it@acme.example').optional(),
  MAIL_COPY_TO: text
    .transform((value) => value.split(',').map((entry) => entry.trim()))
    .refine((entries) => entries.every((entry) => MAILBOX.test(entry)), 'expected comma-separated addresses such as "Acme helpdesk <help@acme.example>", it@acme.example')
    .optional(),
};

type MailEnv = z.output<z.ZodObject<typeof mailEnv>>;

export function checkMailEnv(env: MailEnv, fail: Fail): void {
  if (env.SMTP_URL && !env.MAIL_FROM) fail('MAIL_FROM', 'required with SMTP_URL: a sender such as "Acme IT <it@acme.example>"');
}

export function mailWarnings(env: MailEnv): string[] {
  if (env.SMTP_URL && smtpRequireTls(env.SMTP_URL)?.[0] === 'false' && !isLoopbackHost(new URL(env.SMTP_URL).hostname)) {
    return ['SMTP_URL says requireTLS=false: mail, its approval links and the SMTP password may cross the network unencrypted'];
  }
  return [];
}

export function mailConfig(env: MailEnv): MailConfig {
  return {
    smtpUrl: env.SMTP_URL ?? null,
    from: env.MAIL_FROM ?? DEFAULT_MAIL_FROM,
    copyTo: env.MAIL_COPY_TO ? env.MAIL_COPY_TO.map(parseMailbox) : null,
  };
}
