/**
 * The mail activities of onboardings, offboardings and access reviews: each builds its message
 * (src/mail/messages.ts, src/mail/removal-messages.ts, src/mail/review-messages.ts) and sends it
 * once (src/mail/mailer.ts). A failed send throws, and Temporal retries it with the workflow's
 * backoff; a message the mail server refused for good (a 5xx answer to the recipient or the
 * message) is not retried: the onboarding stalls with the server's answer, for a person to look at.
 * That includes a message the server took for its copies only: the person it is for would never
 * get it. A refused copy is only logged.
 *
 * The copy of the access instructions goes to MAIL_COPY_TO when it is set; otherwise to the tech
 * who asked for the onboarding, at the address of their Slack profile (looked up here, when the
 * message is sent, through `techAddress`), and to the sender when that address cannot be known.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { MailActivities, MailContext } from './contracts';
import { jsonLog, type Log } from '../src/log';
import type { Address } from '../src/mail/address';
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
import { batchApprovalMessage } from '../src/mail/batch-messages';
import { removalApprovalMessage, removalDecisionMessage, removalReceiptMessage } from '../src/mail/removal-messages';
import { reviewReceiptMessage, reviewRequestMessage } from '../src/mail/review-messages';

/** Failure type of a message the mail server refused for good. */
export const MAIL_REFUSED = 'MailRefused';

/** A tech's own mail address, or why it is not known. */
export type TechAddress = { address: Address } | { address: null; reason: string };

/**
 * Finds a tech's own mail address by their Slack user ID. It answers `address: null` with the
 * reason when the address cannot be had, and throws (a retryable failure) only for a problem that
 * may pass, such as a rate limit.
 */
export type TechAddressLookup = (slackUserId: string) => Promise<TechAddress>;

/** Who gets the copy of the access instructions. */
export interface InstructionsCopy {
  /** MAIL_COPY_TO: when set, the copy goes there, whoever asked. */
  copyTo: Address[] | null;
  /** Where the copy goes when the requesting tech's own address is not known: the sender (MAIL_FROM). */
  fallback: Address[];
  /** The requesting tech's own address; unset when Slack is not configured. */
  techAddress?: TechAddressLookup;
}

export interface MailActivityOptions {
  instructionsCopy: InstructionsCopy;
  log?: Log;
}

export function mailActivities(mailer: Mailer, settings: MessageSettings, options: MailActivityOptions): MailActivities {
  const log = options.log ?? jsonLog;
  const { copyTo, fallback, techAddress } = options.instructionsCopy;

  /** MAIL_COPY_TO, else the requesting tech's own address, else the sender (saying why in the log). */
  async function instructionsCopyTo(mail: MailContext): Promise<Address[]> {
    if (copyTo) return copyTo;
    const requestedBy = mail.request.requestedBy;
    const found: TechAddress = techAddress
      ? await techAddress(requestedBy)
      : { address: null, reason: "Slack is not configured (SLACK_BOT_TOKEN is unset), so the tech's own address is not known" };
    if (found.address) return [found.address];
    log('mail.instructionsCopy.fallback', {
      level: 'warn',
      workflowId: mail.workflowId,
      requestedBy,
      reason: found.reason,
      message: 'the copy of the access instructions goes to the sender (MAIL_FROM) instead of the requesting tech; set MAIL_COPY_TO to choose where copies go',
    });
    return fallback;
  }

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
    sendApprovalRequest: (mail) =>
      send(review(mail) ? reviewRequestMessage(mail, settings) : offboarding(mail) ? removalApprovalMessage(mail, settings) : approvalRequestMessage(mail, settings)),
    sendBatchApprovalRequest: (mail) => send(batchApprovalMessage(mail, settings)),
    sendDecisionReceipt: (mail) =>
      send(review(mail) ? reviewReceiptMessage(mail, settings) : offboarding(mail) ? removalDecisionMessage(mail, settings) : decisionReceiptMessage(mail, settings)),
    sendInstructions: async (mail) => send(instructionsMessage(mail, settings, await instructionsCopyTo(mail))),
    sendInviteExpired: (mail) => send(inviteExpiredMessage(mail, settings)),
    sendTwoFactorReminder: (mail) => send(twoFactorReminderMessage(mail, settings)),
    sendRemovalReceipt: (mail) => send(removalReceiptMessage(mail, settings)),
  };
}

/** An offboarding's mail: it asks to approve, or tells of, a removal (src/mail/removal-messages.ts). */
const offboarding = (mail: MailContext) => mail.process === 'offboarding';

/** An access review's mail: it asks about, or tells of the answer for, the users (src/mail/review-messages.ts). */
const review = (mail: MailContext & { review?: unknown }) => mail.process === 'review' || mail.review !== undefined;
