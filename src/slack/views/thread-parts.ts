/** What the thread's root, buttons and replies share: the people's names as shown, and a section within Slack's limit. */
import type { SectionBlock } from '@slack/web-api';
import { oneLine } from '../../../workflows/text';
import type { Stage } from '../../../workflows/stages';
import type { OnboardingStatus } from '../../../workflows/types';
import { escapeMrkdwn, truncate } from '../escape';

/** Slack's limit on a section's text. */
export const SECTION_MAX = 3000;
/** Slack's limit on one field of a section. */
const FIELD_MAX = 2000;

/** The onboarding's people and product, escaped for mrkdwn, with a stand-in where one is not known yet. */
export function names(s: OnboardingStatus) {
  return {
    invitee: escapeMrkdwn(oneLine(s.invitee?.name ?? `contact ${s.request.contactId}`)),
    org: escapeMrkdwn(oneLine(s.org?.name ?? `organization ${s.request.orgId}`)),
    approver: s.approver ? escapeMrkdwn(oneLine(s.approver.name)) : null,
    product: s.request.kind === 'myglue' ? 'MyGlue' : 'IT Glue',
  };
}

export function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, SECTION_MAX) } };
}

/** One field of the root's facts: a bold label over its value (mrkdwn, already escaped). */
export function field(label: string, value: string) {
  return { type: 'mrkdwn' as const, text: truncate(`*${label}*\n${value}`, FIELD_MAX) };
}

/** Plain words for a stage, for lists and for "resumes at …". */
export const STAGE_LABEL: Record<Stage, string> = {
  VALIDATING: 'Checking the request',
  AWAITING_APPROVAL: 'Waiting for approval',
  RECORDING_AUTHORIZATION: 'Recording the authorization',
  SENDING_INSTRUCTIONS: 'Sending the instructions',
  AWAITING_INVITE: 'Waiting for the IT Glue invitation',
  VERIFYING: 'Verifying the IT Glue user',
  AWAITING_ACCEPTANCE: 'Waiting for the invitation to be accepted',
  AWAITING_2FA: 'Waiting for 2FA',
  REMOVING_ACCESS: 'Removing access',
  AWAITING_DELETION: "Waiting for the user's deletion in IT Glue",
  COMPLETED: 'Completed',
  REJECTED: 'Rejected',
  DENIED: 'Denied',
  APPROVAL_EXPIRED: 'Approval expired',
  CANCELLED: 'Cancelled',
  STALLED: 'Stalled',
};
