/** Mail addresses as configured: `Acme IT <it@acme.example>` or `it@acme.example`. */
import addressparser from 'nodemailer/lib/addressparser';

export interface Address {
  name: string;
  address: string;
}

/** What MAIL_FROM and MAIL_COPY_TO accept, one address. */
export const MAILBOX = /^(?:[^<>@\s][^<>@]*<[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+)$/;

/**
 * The parts of one address that matches MAILBOX, read as nodemailer reads the sender it is given
 * (quotes around the name dropped); a bare address has an empty name.
 */
export function parseMailbox(text: string): Address {
  const [mailbox] = addressparser(text, { flatten: true });
  return { name: mailbox?.name ?? '', address: mailbox?.address ?? text.trim() };
}
