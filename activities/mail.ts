/**
 * The onboarding's mail activities: each builds its message (src/mail/messages.ts) and sends it
 * once (src/mail/mailer.ts). A failed send throws, and Temporal retries it with the workflow's
 * backoff; a message the mail server refused for good (a 5xx answer to the recipient or the
 * message) is not retried: the onboarding stalls with the server's answer, for a person to look at.
 * That includes a message the server took for its copies only: the person it is for would never
 * get it. A refused copy is only logged.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { MailActivities } from './contracts';
import { MailError, type Mailer } from '../src/mail/mailer';
import {
  approvalRequestMessage,
  decisionReceiptMessage,
  instructionsMessage,
  inviteExpiredMessage,
  twoFactorReminderMessage,
  type MailMessage,
  type MessageSettings,
} from '../src/mail/messages';

/** Failure type of a message the mail server refused for good. */
export const MAIL_REFUSED = 'MailRefused';

export function mailActivities(mailer: Mailer, settings: MessageSettings): MailActivities {
  async function send(message: MailMessage): Promise<void> {
    try {
      await mailer.send(message);
    } catch (error) {
      if (error instanceof MailError && error.permanent && (error.code === 'EENVELOPE' || error.code === 'EMESSAGE')) {
        throw ApplicationFailure.create({
          type: MAIL_REFUSED,
          message: `the mail server refused "${message.subject}" for ${message.to.address}: ${error.message}`,
          nonRetryable: true,
        });
      }
      throw error;
    }
  }

  return {
    sendApprovalRequest: (mail) => send(approvalRequestMessage(mail, settings)),
    sendDecisionReceipt: (mail) => send(decisionReceiptMessage(mail, settings)),
    sendInstructions: (mail) => send(instructionsMessage(mail, settings)),
    sendInviteExpired: (mail) => send(inviteExpiredMessage(mail, settings)),
    sendTwoFactorReminder: (mail) => send(twoFactorReminderMessage(mail, settings)),
  };
}
