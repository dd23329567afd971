/**
 * An offboarding's messages (docs/design.md §11, §15): the approval request and reminder that ask to
 * approve removing a contact's access, the decision receipt, and the removal receipt to the primary
 * contact once the user is deleted. Built like the onboarding's (src/mail/messages.ts): both parts
 * from the same blocks, every value escaped, a stable Message-ID.
 */
import type { ApprovalMail, MailContext, RemovalReceipt } from '../../activities/contracts';
import type { DecisionResult, Person } from '../../workflows/types';
import { defang } from '../defang';
import { formatTime } from '../wording';
import { productName } from '../../workflows/text';
import { compose, hello, questions, shown, support, to, type MailMessage, type MessageSettings, roundLink } from './messages';

/** The reason, as the requester gave it, with its web addresses unclickable; absent when none was given. */
function reasonOf(mail: MailContext): string | undefined {
  const reason = mail.reason?.trim();
  return reason ? defang(reason) : undefined;
}

/** How the removal was approved, and when in the branding's zone: "approved by Zoé on Sunday 6 July 2031 at 14:05 UTC". */
function approvalOf(mail: RemovalReceipt, timeZone: string | undefined): string {
  const approval = defang(mail.approval);
  return mail.approvedAt ? `${approval} on ${formatTime(mail.approvedAt, timeZone)}` : approval;
}

const reasonFact = (mail: MailContext): Array<[string, string]> => {
  const reason = reasonOf(mail);
  return reason ? [['Reason', reason]] : [];
};

/** Asks the approver to approve removing the contact's access; a reminder carries the new round's link. */
export function removalApprovalMessage(original: ApprovalMail, settings: MessageSettings): MailMessage {
  const mail = shown(original);
  const { invitee, org, request, branding, approver } = mail;
  const product = productName(request);
  const reminder = mail.reminder > 0;
  const link = roundLink(settings, mail);
  const facts: Array<[string, string]> = [
    ['Person', `${invitee.name} <${invitee.email}>`],
    ['Organization', org.name],
    ['Access to remove', `${product}: the IT documentation of ${org.name}`],
    ...reasonFact(mail),
    ['Requested by', branding.mspName],
    ...(request.ticket ? [['Reference', request.ticket] as [string, string]] : []),
    ['Answer by', formatTime(mail.expiresAt, branding.timeZone)],
  ];
  return compose(mail, settings, {
    step: reminder ? 'approval-reminder' : 'approval-request',
    round: mail.round,
    to: to(original.approver),
    subject: `${reminder ? 'Reminder: approve' : 'Approve'} removing ${product} access: ${invitee.name} (${org.name})`,
    blocks: [
      hello(approver),
      ...(reminder ? [{ paragraph: ['We have not received your answer yet. The link in earlier emails no longer works: please use the one below.'] }] : []),
      {
        paragraph: [
          `${branding.mspName} has been asked to remove ${invitee.name}'s access to the IT documentation of ${org.name} in ${product}. `,
          'Your approval is needed before the access is removed.',
        ],
      },
      { facts },
      {
        paragraph: [
          'If you approve, ',
          { strong: 'the access is removed' },
          `: ${invitee.name} can no longer see the documentation of ${org.name}, and the ${product} user is deleted. If you deny, nothing changes.`,
        ],
      },
      { button: { label: 'Review the request', href: link } },
      { paragraph: ['Opening the link does not decide anything: you approve or deny the removal on the page, and you can add a comment.'] },
      questions(mail),
    ],
  });
}

/** Tells the approver the decision on the removal was recorded, and what happens next. */
export function removalDecisionMessage(
  original: MailContext & { approver: Person; result: DecisionResult; via?: 'link' | 'cli' },
  settings: MessageSettings,
): MailMessage {
  const mail = shown(original);
  const { invitee, org, request, branding, approver, result } = mail;
  const product = productName(request);
  const approved = result.decision === 'approve';
  const verb = approved ? 'approved' : 'denied';
  const when = formatTime(result.decidedAt, branding.timeZone);
  const what = ` removing ${invitee.name}'s ${product} access to the documentation of ${org.name}`;
  return compose(mail, settings, {
    step: 'decision-receipt',
    round: result.round,
    to: to(original.approver),
    subject: `You ${verb} removing ${product} access for ${invitee.name} (${org.name})`,
    blocks: [
      hello(approver),
      mail.via === 'cli'
        ? {
            paragraph: [
              `${branding.mspName} has recorded your decision, as you gave it to them: you `,
              { strong: verb },
              `${what}. It was recorded by ${branding.mspName}'s staff on ${when}, not through the link in our email.`,
            ],
          }
        : { paragraph: ['Thank you. Your decision has been recorded: you ', { strong: verb }, `${what} on ${when}.`] },
      {
        paragraph: [
          approved
            ? `${branding.mspName} will now remove the access, and you will get a receipt once it is done.`
            : `${invitee.name} keeps the access, and ${branding.mspName} has been told.`,
        ],
      },
      { paragraph: ['If you did not make this decision, contact ', support(mail), ' at once.'] },
    ],
  });
}

/** Tells the primary contact (`to`) that the contact's access is removed: what was done, when, and on whose approval. */
export function removalReceiptMessage(original: RemovalReceipt, settings: MessageSettings): MailMessage {
  const mail = shown(original);
  const { invitee, org, request, branding } = mail;
  const product = productName(request);
  const addressee: Person = { ...original.to, name: defang(original.to.name), firstName: defang(original.to.firstName) };
  const groups = original.groupsLeft.map((name) => defang(name.trim())).filter((name) => name);
  const facts: Array<[string, string]> = [
    ['Person', `${invitee.name} <${invitee.email}>`],
    ['Organization', org.name],
    [`${product} user`, `${original.userEmail}: deleted`],
    ['Groups left', groups.length ? groups.join(', ') : 'none (the user was in no group)'],
    ['Authorized contacts', original.authorizationRemoved ? `${invitee.name} taken out` : `unchanged (${invitee.name} was not listed)`],
    ...reasonFact(mail),
    ['Approval', approvalOf(original, branding.timeZone)],
    ['Deleted', formatTime(original.deletedAt, branding.timeZone)],
  ];
  return compose(mail, settings, {
    step: 'removal-receipt',
    round: 1,
    to: to(original.to),
    subject: `${product} access removed: ${invitee.name} (${org.name})`,
    blocks: [
      hello(addressee),
      {
        paragraph: [
          `${invitee.name}'s access to the IT documentation of ${org.name} in ${product} has been `,
          { strong: 'removed' },
          `: the user is out of every group and has been deleted, so ${invitee.name} can no longer sign in to see it.`,
        ],
      },
      { facts },
      { paragraph: ['If you did not expect this, or have questions, contact ', support(mail), '.'] },
    ],
  });
}
