/**
 * Stable Message-IDs: the same workflow, step and round always give the same ID, so a message that
 * is sent again is recognisably the same message (PRODUCT.md §6), and different messages differ.
 */

/** The mail steps of an onboarding, as they appear in Message-IDs. */
export type MailStep =
  | 'approval-request'
  | 'approval-reminder'
  | 'decision-receipt'
  | 'instructions'
  | 'invite-expired'
  | 'two-factor-reminder';

/** Percent-encodes everything but letters, digits, '-' and '_', so that the ID is valid (RFC 5322) and one-to-one. */
function encodePart(text: string): string {
  return Array.from(Buffer.from(text, 'utf8'), (byte) => {
    const c = String.fromCharCode(byte);
    return /[A-Za-z0-9_-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}

/** `<approval-reminder.r2.onboarding%3A100%3A201@acme.example>` */
export function messageIdFor(workflowId: string, step: MailStep, round: number, domain: string): string {
  return `<${step}.r${round}.${encodePart(workflowId)}@${domain}>`;
}
