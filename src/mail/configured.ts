/** The service's mail, as configured: SMTP_URL or the outbox, MAIL_FROM, MAIL_COPY_TO, approval links. */
import { join } from 'node:path';
import type { MailActivities } from '../../activities/contracts';
import type { Log } from '../log';
import { mailActivities, type TechAddressLookup } from '../../activities/mail';
import type { Config } from '../config';
import { approvalLink } from '../web/approval-token';
import { parseMailbox } from './address';
import { createMailer, type Mailer } from './mailer';
import type { MessageSettings } from './messages';

export function messageSettings(config: Config): MessageSettings {
  const sender = parseMailbox(config.mail.from).address;
  return {
    messageIdDomain: sender.slice(sender.lastIndexOf('@') + 1).toLowerCase() || 'localhost',
    approvalLink: (claims) => approvalLink(config.publicBaseUrl, config.approvalSecret, claims),
  };
}

/**
 * `techAddress` finds the requesting tech's own address for the copy of the access instructions
 * (from Slack); without it, or without an address, the copy goes to the sender. MAIL_COPY_TO wins.
 */
export function configuredMail(config: Config, log: Log, { techAddress }: { techAddress?: TechAddressLookup } = {}): { mailer: Mailer; activities: MailActivities } {
  const mailer = createMailer({
    smtpUrl: config.mail.smtpUrl,
    from: config.mail.from,
    outboxDir: join(config.dataDir, 'outbox'),
    log,
  });
  const instructionsCopy = { copyTo: config.mail.copyTo, fallback: [parseMailbox(config.mail.from)], techAddress };
  return { mailer, activities: mailActivities(mailer, messageSettings(config), { instructionsCopy, log }) };
}
