/**
 * Stable Message-IDs: the same onboarding run, step and round always give the same ID, so a
 * message that is sent again is recognisably the same message (docs/design.md §11), and different
 * messages differ. The run ID tells apart two onboardings of the same contact, which share the
 * workflow ID.
 */

/** The mail steps of an onboarding (and an offboarding's receipt), as they appear in Message-IDs. */
export type MailStep = 'approval-request' | 'approval-reminder' | 'decision-receipt' | 'instructions' | 'invite-expired' | 'two-factor-reminder' | 'removal-receipt';

/** An onboarding run: its workflow ID and its first run ID (the same through continue-as-new). */
export interface OnboardingRun {
  workflowId: string;
  runId: string;
}

/** Percent-encodes everything but letters, digits, '-' and '_', so that the ID is valid (RFC 5322) and one-to-one. */
function encodePart(text: string): string {
  return Array.from(Buffer.from(text, 'utf8'), (byte) => {
    const c = String.fromCharCode(byte);
    return /[A-Za-z0-9_-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}

/** What the Message-IDs of every run of a workflow have in common for a step and round: `<approval-reminder.r2.onboarding%3A100%3A201.` */
export function messageIdStem(workflowId: string, step: MailStep, round: number): string {
  return `<${step}.r${round}.${encodePart(workflowId)}.`;
}

/** `<approval-reminder.r2.onboarding%3A100%3A201.5f0c…-…@acme.example>` */
export function messageIdFor(run: OnboardingRun, step: MailStep, round: number, domain: string): string {
  return `${messageIdStem(run.workflowId, step, round)}${encodePart(run.runId)}@${domain}>`;
}
