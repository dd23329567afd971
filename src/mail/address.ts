/** Mail addresses as configured: `Acme IT <it@acme.example>` or `it@acme.example`. */

export interface Address {
  name: string;
  address: string;
}

/** What MAIL_FROM and MAIL_COPY_TO accept, one address. */
export const MAILBOX = /^(?:[^<>@\s][^<>@]*<[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+)$/;

/** The parts of one address that matches MAILBOX; a bare address has an empty name. */
export function parseMailbox(text: string): Address {
  const trimmed = text.trim();
  const match = /^(.*)<([^<>]+)>$/.exec(trimmed);
  if (!match) return { name: '', address: trimmed };
  return { name: match[1]!.trim().replace(/^"(.*)"$/, '$1'), address: match[2]!.trim() };
}
