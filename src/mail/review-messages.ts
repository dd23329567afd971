/**
 * An access review's messages (docs/design.md §11, §15.2): the request and its reminders, which ask
 * the primary contact to choose Keep or Remove for each of the organization's users on the review
 * page, and the receipt of the answer (who is kept, who will be removed). Built like the
 * onboarding's (src/mail/messages.ts): both parts from the same blocks, every value escaped, names
 * with their web addresses unclickable, a stable Message-ID.
 */
import type { ApprovalMail, DecisionReceipt, MailContext } from '../../activities/contracts';
import type { AccessReview, ReviewedUser } from '../../workflows/review/record';
import { defang } from '../defang';
import { answeredUsers, formatDay, reviewedPasswords, reviewedRole } from '../review-wording';
import { formatTime } from '../wording';
import type { Inline } from './content';
import { compose, hello, questions, shown, support, to, type MailMessage, type MessageSettings, roundLink } from './messages';

const NO_REVIEW: AccessReview = { users: [], answers: null, offboardings: [] };

/** The footer: what the mail is about (the review of an organization, not one person's access). */
const footerOf = (mail: MailContext) => `Sent by ${mail.branding.mspName} about the access review of ${mail.org.name}.`;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One user as a line of the request: who, the role, passwords, and what the MSP knows of them. */
function userLine(user: ReviewedUser, mail: MailContext): Inline[] {
  const zone = mail.branding.timeZone;
  const notes = [reviewedRole({ ...user, roleName: defang(user.roleName) }), `passwords ${reviewedPasswords(user)}`];
  if (user.onboardingId === null) notes.push(`matched by email: not onboarded by ${mail.branding.mspName}`);
  else if (user.approvedBy) notes.push(`approved by ${defang(user.approvedBy)}${user.approvedAt ? ` on ${formatDay(user.approvedAt, zone)}` : ''}`);
  notes.push(user.lastSignInAt ? `last sign-in ${formatDay(user.lastSignInAt, zone)}` : 'never signed in');
  return [{ strong: defang(user.name) }, ` <${user.email}>: ${notes.join('; ')}`, ...(user.dormant ? ['; ', { strong: 'dormant' }] : [])];
}

/** A user of the receipt's lists: name and email. */
const named = (user: ReviewedUser): Inline[] => [`${defang(user.name)} <${user.email}>`];

/** Asks the primary contact to choose Keep or Remove for each user; a reminder carries the new round's link. */
export function reviewRequestMessage(original: ApprovalMail, settings: MessageSettings): MailMessage {
  const mail = shown(original);
  const { org, branding, approver } = mail;
  const users = (original.review ?? NO_REVIEW).users;
  const reminder = mail.reminder > 0;
  const link = roundLink(settings, mail);
  const dormant = users.filter((u) => u.dormant).length;
  const matched = users.filter((u) => u.onboardingId === null).length;
  const facts: Array<[string, string]> = [
    ['Organization', org.name],
    ['Users', `${users.length}${dormant ? ` (${dormant} dormant)` : ''}`],
    ...(matched ? [['Not onboarded by us', `${matched} (matched by email)`] as [string, string]] : []),
    ['Requested by', branding.mspName],
    ['Answer by', formatTime(mail.expiresAt, branding.timeZone)],
  ];
  return compose(mail, settings, {
    step: reminder ? 'approval-reminder' : 'approval-request',
    round: mail.round,
    to: to(original.approver),
    subject: `${reminder ? 'Reminder: please' : 'Please'} review who can see ${org.name}'s IT documentation`,
    footer: footerOf(mail),
    blocks: [
      hello(approver),
      ...(reminder ? [{ paragraph: ['We have not received your answer yet. The link in earlier emails no longer works: please use the one below.'] }] : []),
      {
        paragraph: [
          `${branding.mspName} asks you to confirm who may keep access to the IT documentation of ${org.name} in IT Glue and MyGlue. `,
          `${plural(users.length, 'user')} can see it now:`,
        ],
      },
      { steps: users.map((u) => userLine(u, mail)) },
      {
        paragraph: [
          'On the review page, choose ',
          { strong: 'Keep' },
          ' or ',
          { strong: 'Remove' },
          ' for each user. ',
          { strong: 'Remove takes the access away' },
          ': the user is taken out of every group and deleted in IT Glue, and can no longer see the documentation. Keep changes nothing.',
        ],
      },
      { facts },
      { button: { label: 'Review the users', href: link } },
      { paragraph: ['Opening the link does not decide anything: you choose Keep or Remove for each user on the page, and you can add a comment.'] },
      questions(mail),
    ],
  });
}

/** Tells the primary contact their answer was recorded: who is kept, who will be removed, their comment. */
export function reviewReceiptMessage(original: DecisionReceipt, settings: MessageSettings): MailMessage {
  const mail = shown(original);
  const { org, branding, approver, result } = mail;
  const { kept, removed } = answeredUsers(original.review ?? NO_REVIEW);
  const when = formatTime(result.decidedAt, branding.timeZone);
  const comment = original.comment?.trim();
  return compose(mail, settings, {
    step: 'decision-receipt',
    round: result.round,
    to: to(original.approver),
    subject: `You reviewed who can see ${org.name}'s IT documentation`,
    footer: footerOf(mail),
    blocks: [
      hello(approver),
      mail.via === 'cli'
        ? {
            paragraph: [
              `${branding.mspName} has recorded your answer to the access review of ${org.name}, as you gave it to them. `,
              `It was recorded by ${branding.mspName}'s staff on ${when}, not through the link in our email.`,
            ],
          }
        : { paragraph: [`Thank you. Your answer to the access review of ${org.name} has been recorded on ${when}.`] },
      { paragraph: [{ strong: `Kept (${kept.length})` }, kept.length ? ':' : ': nobody.'] },
      ...(kept.length ? [{ steps: kept.map(named) }] : []),
      { paragraph: [{ strong: `To be removed (${removed.length})` }, removed.length ? ':' : ': nobody.'] },
      ...(removed.length ? [{ steps: removed.map(named) }] : []),
      {
        paragraph: [
          removed.length
            ? `${branding.mspName} will now remove their access: each is taken out of every group and deleted in IT Glue, and you will get a receipt for each once it is done.`
            : 'Everyone keeps their access: nothing changes.',
        ],
      },
      ...(comment ? [{ paragraph: [`Your comment: “${defang(comment)}”`] }] : []),
      { paragraph: ['If you did not make this decision, contact ', support(mail), ' at once.'] },
    ],
  });
}
