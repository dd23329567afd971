/**
 * The approval mail of several onboardings of one organization started together (docs/design.md
 * §15.3): the persons with their emails and access, ONE link to the batch's page (a decision per
 * person there), and the expiry. Reminders are the same mail again, marked as such, with the same
 * page behind a newly signed link.
 */
import type { BatchApprovalMail } from '../../activities/contracts';
import { defang } from '../defang';
import { accessLevel, formatTime, passwordAccess } from '../wording';
import { oneLine, renderHtml, renderText, type Block } from './content';
import { messageIdFor } from './message-id';
import { hello, type MailMessage, type MessageSettings, support, to, roundLink } from './messages';

export function batchApprovalMessage(mail: BatchApprovalMail, settings: MessageSettings): MailMessage {
  const { branding, approver } = mail;
  const org = defang(mail.org.name);
  const reminder = mail.reminder > 0;
  const link = roundLink(settings, mail);
  const count = mail.members.length;
  const people = count === 1 ? '1 person' : `${count} persons`;
  const persons: Block[] = mail.members.map(({ invitee, request }) => ({
    facts: [
      ['Person', `${defang(invitee.name)} <${invitee.email}>`],
      ['Access', accessLevel(request)],
      ['Passwords', passwordAccess(request)],
      ...(request.ticket ? [['Reference', defang(request.ticket)] as [string, string]] : []),
    ],
  }));
  const subject = `${reminder ? 'Reminder: approval' : 'Approval'} needed for IT Glue access: ${people} (${org})`;
  const blocks: Block[] = [
    hello({ ...approver, firstName: defang(approver.firstName) }),
    ...(reminder ? [{ paragraph: ['We have not received all your answers yet. Please use the link below.'] }] : []),
    {
      paragraph: [
        `${branding.mspName} has been asked to give ${people} access to the IT documentation of ${org}. `,
        'Your approval is needed for each of them before anything is set up.',
      ],
    },
    ...persons,
    {
      facts: [
        ['Requested by', branding.mspName],
        ['Answer by', formatTime(mail.expiresAt, branding.timeZone)],
      ],
    },
    { button: { label: 'Review the requests', href: link } },
    { paragraph: ['Opening the link does not decide anything: on the page you approve or deny each person, and you can add a comment.'] },
    { paragraph: ['Questions? Contact ', support({ branding } as Parameters<typeof support>[0]), '.'] },
  ];
  const content = { heading: branding.mspName, blocks, footer: `Sent by ${branding.mspName} about IT Glue access for ${people} of ${org}.` };
  return {
    messageId: messageIdFor(mail, reminder ? 'approval-reminder' : 'approval-request', mail.round, settings.messageIdDomain),
    to: to(approver),
    cc: [],
    subject: oneLine(subject).trim(),
    text: renderText(content),
    html: renderHtml(content, subject),
    links: [link],
  };
}
