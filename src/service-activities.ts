/**
 * The activities the service's workers run. IT Glue, mail and Slack actions are written to the
 * JSON log (activities/logging.ts), so the whole flow runs before those systems are connected.
 */
import { loggingItGlueActivities, loggingMailActivities, loggingSlackActivities, type Log } from '../activities/logging';
import type { Config } from './config';
import type { ServiceActivities } from './temporal/worker';

export function serviceActivities(config: Config, log: Log): ServiceActivities {
  const unset = [
    config.itglue.apiKey ? null : 'ITGLUE_API_KEY',
    config.mail.smtpUrl ? null : 'SMTP_URL',
    config.slack ? null : 'SLACK_BOT_TOKEN',
  ].filter((name): name is string => name !== null);
  log('integrations.logging', {
    integrations: ['itglue', 'mail', 'slack'],
    unset,
    message: 'IT Glue, mail and Slack actions are written to this log instead of being performed',
  });
  return {
    itglue: loggingItGlueActivities(log),
    mail: loggingMailActivities(log),
    slack: loggingSlackActivities(log),
  };
}
