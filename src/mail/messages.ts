/**
 * The onboarding's messages (docs/design.md §11): approval request and reminder, decision receipt,
 * access instructions (seed 004's "IT Documentation Access via IT Glue"), invitation-expired
 * heads-up, 2FA reminder. Each is built from the activity's input; the MSP's branding comes from
 * the policy the onboarding runs with. An offboarding's messages are in removal-messages.ts.
 */
import type { ApprovalMail, MailContext } from '../../activities/contracts';
import type { DecisionResult, Person } from '../../workflows/types';
import type { ApprovalClaims } from '../web/approval-token';
import { defang } from '../defang';
import { accessLevel, formatTime, loginHostFor, passwordAccess, ssoHost } from '../wording';
import { productName } from '../../workflows/text';
import type { Address } from './address';
import { oneLine, renderHtml, renderText, type Block, type Inline } from './content';
import { messageIdFor, type MailStep } from './message-id';

export interface MailMessage {
  messageId: string;
  to: Address;
  cc: Address[];
  subject: string;
  text: string;
  html: string;
  /** Every web link in the message. */
  links: string[];
}

export interface MessageSettings {
  /** The domain of the Message-IDs (the sender's). */
  messageIdDomain: string;
  /** The approval page's address for one round. */
  approvalLink(claims: ApprovalClaims): string;
}

export const INSTRUCTIONS_SUBJECT = 'IT Documentation Access via IT Glue';

/** A person as a recipient: the name on one line. */
export const to = (person: Person): Address => ({ name: oneLine(person.name).trim(), address: person.email.trim() });

/**
 * The mail as its text shows it: the values from outside (names, organization, ticket) with their
 * web addresses unclickable (src/defang.ts), since mail programs link bare addresses in both parts.
 * Addresses and IDs stay as they are.
 */
export function shown<T extends MailContext & { approver?: Person }>(mail: T): T {
  const person = (p: Person): Person => ({ ...p, name: defang(p.name), firstName: defang(p.firstName) });
  return {
    ...mail,
    org: { ...mail.org, name: defang(mail.org.name) },
    invitee: person(mail.invitee),
    request: mail.request.ticket ? { ...mail.request, ticket: defang(mail.request.ticket) } : mail.request,
    ...(mail.approver ? { approver: person(mail.approver) } : {}),
  };
}

const withArticle = (noun: string) => `${/^[AEIOU]/i.test(noun) ? 'an' : 'a'} ${noun}`;

export function hello(person: Person): Block {
  return { paragraph: [person.firstName.trim() ? `Hello ${person.firstName},` : 'Hello,'] };
}

/** The support contact as a mail link when it is an address, else as written. */
export function support(context: MailContext): Inline {
  const contact = context.branding.supportContact;
  return /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(contact) ? { link: `mailto:${contact}`, text: contact } : contact;
}

export function questions(context: MailContext): Block {
  return { paragraph: ['Questions? Contact ', support(context), '.'] };
}

/**
 * How to sign in. IT Glue users: the region's app host with the subdomain field blank, never the
 * MSP's SSO address. MyGlue users: MyGlue's own host; IT Glue's hosts and the SSO advice do not
 * concern them.
 */
function signInStep(context: MailContext): Inline[] {
  const { mspName } = context.branding;
  const loginHost = loginHostFor(context.request, context.branding);
  if (context.request.kind === 'myglue') {
    return ['Always sign in to MyGlue at ', { link: `https://${loginHost}/`, text: loginHost }, ' with your email address and the password you chose.'];
  }
  const sso = ssoHost(context.branding, context.request);
  return [
    'Always sign in at ',
    { link: `https://${loginHost}/`, text: loginHost },
    ' and leave the ',
    { strong: 'subdomain' },
    ' field blank.',
    ...(sso ? [' ', { strong: `Never sign in through ${sso}` }, `: that address is for ${mspName} staff only and leads to a sign-in page you cannot use.`] : []),
  ];
}

function hours(value: number): string {
  if (Number.isInteger(value)) return `${value} hour${value === 1 ? '' : 's'}`;
  const minutes = Math.max(1, Math.round(value * 60));
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** The message with its stable Message-ID, both parts rendered from the same blocks, and its links. */
export function compose(
  context: MailContext,
  settings: MessageSettings,
  message: { step: MailStep; round: number; to: Address; cc?: Address[]; subject: string; blocks: Block[]; footer?: string },
): MailMessage {
  const content = {
    heading: context.branding.mspName,
    blocks: message.blocks,
    footer: message.footer ?? `Sent by ${context.branding.mspName} about ${productName(context.request)} access for ${context.invitee.name} (${context.org.name}).`,
  };
  const links: string[] = [];
  const collect = (part: Inline) => {
    if (typeof part === 'object' && 'link' in part && /^https?:/.test(part.link)) links.push(part.link);
  };
  for (const block of message.blocks) {
    if ('paragraph' in block) block.paragraph.forEach(collect);
    if ('steps' in block) for (const step of block.steps) step.forEach(collect);
    if ('button' in block) links.push(block.button.href);
  }
  return {
    messageId: messageIdFor(context, message.step, message.round, settings.messageIdDomain),
    to: message.to,
    cc: message.cc ?? [],
    subject: oneLine(message.subject).trim(),
    text: renderText(content),
    html: renderHtml(content, message.subject),
    links: [...new Set(links)],
  };
}

/** The signed link of an approval round (an approval request, a review, a batch): the page of that round only. */
export function roundLink(settings: MessageSettings, mail: { workflowId: string; round: number; approver: { contactId: string }; expiresAt: string }): string {
  return settings.approvalLink({ workflowId: mail.workflowId, round: mail.round, approverContactId: mail.approver.contactId, expiresAt: Date.parse(mail.expiresAt) });
}

export function approvalRequestMessage(original: ApprovalMail, settings: MessageSettings): MailMessage {
  const mail = shown(original);
  const { invitee, org, request, branding, approver } = mail;
  const reminder = mail.reminder > 0;
  const link = roundLink(settings, mail);
  const facts: Array<[string, string]> = [
    ['Person', `${invitee.name} <${invitee.email}>`],
    ['Organization', org.name],
    ['Access', accessLevel(request)],
    ['Passwords', passwordAccess(request)],
    ['Requested by', branding.mspName],
    ...(request.ticket ? [['Reference', request.ticket] as [string, string]] : []),
    ['Answer by', formatTime(mail.expiresAt, branding.timeZone)],
  ];
  return compose(mail, settings, {
    step: reminder ? 'approval-reminder' : 'approval-request',
    round: mail.round,
    to: to(original.approver),
    subject: `${reminder ? 'Reminder: approval' : 'Approval'} needed for IT Glue access: ${invitee.name} (${org.name})`,
    blocks: [
      hello(approver),
      ...(reminder ? [{ paragraph: ['We have not received your answer yet. The link in earlier emails no longer works: please use the one below.'] }] : []),
      {
        paragraph: [
          `${branding.mspName} has been asked to give ${invitee.name} access to the IT documentation of ${org.name} in ${productName(request)}. `,
          `Your approval is needed before anything is set up.`,
        ],
      },
      { facts },
      { button: { label: 'Review the request', href: link } },
      { paragraph: ['Opening the link does not decide anything: you approve or deny on the page, and you can add a comment.'] },
      questions(mail),
    ],
  });
}

export function decisionReceiptMessage(
  original: MailContext & { approver: Person; result: DecisionResult; via?: 'link' | 'cli' },
  settings: MessageSettings,
): MailMessage {
  const mail = shown(original);
  const { invitee, org, branding, approver, result } = mail;
  const approved = result.decision === 'approve';
  const verb = approved ? 'approved' : 'denied';
  const when = formatTime(result.decidedAt, branding.timeZone);
  return compose(mail, settings, {
    step: 'decision-receipt',
    round: result.round,
    to: to(original.approver),
    subject: `You ${verb} IT Glue access for ${invitee.name} (${org.name})`,
    blocks: [
      hello(approver),
      mail.via === 'cli'
        ? {
            paragraph: [
              `${branding.mspName} has recorded your decision, as you gave it to them: you `,
              { strong: verb },
              ` IT Glue access for ${invitee.name} of ${org.name}. It was recorded by ${branding.mspName}'s staff on ${when}, not through the link in our email.`,
            ],
          }
        : { paragraph: [`Thank you. Your decision has been recorded: you `, { strong: verb }, ` IT Glue access for ${invitee.name} of ${org.name} on ${when}.`] },
      {
        paragraph: [
          approved
            ? `${branding.mspName} will now set up the access and send ${invitee.name} the instructions.`
            : `${invitee.name} will not get access, and ${branding.mspName} has been told.`,
        ],
      },
      { paragraph: ['If you did not make this decision, contact ', support(mail), ' at once.'] },
    ],
  });
}

/** The access instructions to the invitee, with a copy (Cc) to `copyTo` (see activities/mail.ts for who that is). */
export function instructionsMessage(original: MailContext & { linkValidityHours: number }, settings: MessageSettings, copyTo: Address[]): MailMessage {
  const mail = shown(original);
  const { invitee, org, request, branding } = mail;
  return compose(mail, settings, {
    step: 'instructions',
    round: 1,
    to: to(original.invitee),
    cc: copyTo,
    subject: INSTRUCTIONS_SUBJECT,
    blocks: [
      hello(invitee),
      {
        paragraph: [
          `${branding.mspName} is giving you access to the IT documentation of ${org.name} in ${productName(request)}, as ${withArticle(accessLevel(request))}. Here is how to get started:`,
        ],
      },
      {
        steps: [
          [
            `An invitation email ${request.kind === 'myglue' ? 'to MyGlue' : 'from IT Glue'} is on its way (check your spam folder too). `,
            { strong: `Its link is valid for ${hours(mail.linkValidityHours)} only` },
            `: accept it and choose your password soon after it arrives. If the link has expired, tell ${branding.mspName} and you will get a new one.`,
          ],
          signInStep(mail),
          ['The first time you sign in, set up ', { strong: 'two-factor authentication (2FA)' }, ' from your profile, with an authenticator app on your phone.'],
        ],
      },
      questions(mail),
    ],
  });
}

export function inviteExpiredMessage(original: MailContext & { expiry: number }, settings: MessageSettings): MailMessage {
  const mail = shown(original);
  const { invitee, branding } = mail;
  const product = productName(mail.request);
  return compose(mail, settings, {
    step: 'invite-expired',
    round: mail.expiry,
    to: to(original.invitee),
    subject: `Your ${product} invitation has expired: a new one is on its way`,
    blocks: [
      hello(invitee),
      {
        paragraph: [
          `The ${product === 'MyGlue' ? 'MyGlue invitation link you were sent' : 'invitation link IT Glue sent you'} expired before it was used. ${branding.mspName} is sending you a new invitation.`,
        ],
      },
      {
        steps: [
          [
            `Watch for the new ${product === 'MyGlue' ? 'MyGlue invitation email' : 'email from IT Glue'} and accept it `,
            { strong: 'as soon as it arrives' },
            ': its link is valid for a few hours only.',
          ],
          signInStep(mail),
        ],
      },
      questions(mail),
    ],
  });
}

export function twoFactorReminderMessage(original: MailContext & { reminder: number }, settings: MessageSettings): MailMessage {
  const mail = shown(original);
  const { invitee, org } = mail;
  const product = productName(mail.request);
  return compose(mail, settings, {
    step: 'two-factor-reminder',
    round: mail.reminder,
    to: to(original.invitee),
    subject: `Reminder: set up two-factor authentication in ${product}`,
    blocks: [
      hello(invitee),
      {
        paragraph: [
          `Your ${product} access to the documentation of ${org.name} is ready. To keep it safe, please set up two-factor authentication (2FA) if you have not done so yet.`,
        ],
      },
      {
        steps: [signInStep(mail), ['Open your profile and set up ', { strong: 'two-factor authentication' }, ' with an authenticator app on your phone.']],
      },
      questions(mail),
    ],
  });
}
