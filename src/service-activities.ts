/**
 * The activities the service's workers run. IT Glue and Slack actions are written to the JSON log
 * (activities/logging.ts) until those systems are configured, so the whole flow runs before they
 * are connected; mail goes over SMTP, or into the outbox directory without SMTP_URL.
 */
import { loggingItGlueActivities, loggingSlackActivities } from '../activities/logging';
import type { Log } from './log';
import type { Client } from '@temporalio/client';
import { createItGlueActivities } from '../activities/itglue';
import { createSlackActivities, slackTechAddress } from '../activities/slack';
import type { Config } from './config';
import { configuredMail } from './mail/configured';
import { ItGlueClient } from './itglue/client';
import { workflowPages } from './temporal/ui-link';
import type { ServiceActivities } from './temporal/worker';

/** The IT Glue activities: real with ITGLUE_API_KEY, else simulated and logged (never with Slack: the configuration refuses it). */
function itglueActivities(config: Config, log: Log, temporal: { client: Client; taskQueue: string }) {
  const { apiKey, apiUrl, requestsPerSecond } = config.itglue;
  if (!apiKey) return loggingItGlueActivities(log);
  // One attempt at each request: a failed one fails the activity, which Temporal retries through the IT Glue queue.
  const client = new ItGlueClient({ baseUrl: apiUrl, apiKey, requestsPerSecond });
  return createItGlueActivities({ client, temporal: temporal.client, taskQueue: temporal.taskQueue });
}

export function serviceActivities(config: Config, log: Log, temporal: { client: Client; taskQueue: string }): ServiceActivities {
  const logged = [
    config.itglue.apiKey ? null : { integration: 'itglue', unset: 'ITGLUE_API_KEY' },
    config.slack ? null : { integration: 'slack', unset: 'SLACK_BOT_TOKEN' },
  ].filter((entry) => entry !== null);
  if (logged.length > 0) {
    log('integrations.logging', {
      integrations: logged.map((entry) => entry.integration),
      unset: logged.map((entry) => entry.unset),
      message: 'these actions are written to this log instead of being performed',
    });
  }
  // The copy of the access instructions goes to the requesting tech's address from Slack (unless MAIL_COPY_TO).
  const mail = configuredMail(config, log, { techAddress: config.slack ? slackTechAddress(config.slack, { log }) : undefined });
  log('mail.destination', {
    via: mail.mailer.destination,
    instructionsCopyTo: config.mail.copyTo
      ? 'MAIL_COPY_TO'
      : config.slack
        ? "the requesting tech's Slack profile email, else MAIL_FROM"
        : 'MAIL_FROM (Slack is not configured)',
    ...(config.mail.smtpUrl ? {} : { message: 'SMTP_URL is unset: messages are written as .eml files to this directory' }),
  });
  return {
    itglue: itglueActivities(config, log, temporal),
    mail: mail.activities,
    slack: config.slack ? createSlackActivities(config.slack, { log, dashboardUrl: workflowPages(config.temporal) ?? undefined }) : loggingSlackActivities(log),
  };
}
