/**
 * Slack's logger interface (Bolt, its receivers, and the Web API client: one interface) over the
 * service's JSON log. Each message is a line at its own level (Slack's debug, info, warn and error
 * are the log's); LOG_LEVEL decides what is written. The level a library sets is only reported
 * back by getLevel: Bolt sets INFO whatever it is given, and LOG_LEVEL is the one setting.
 */
import { LogLevel, type Logger } from '@slack/web-api';
import type { Level, Log } from '../log';

const LEVEL: Record<LogLevel, Level> = {
  [LogLevel.DEBUG]: 'debug',
  [LogLevel.INFO]: 'info',
  [LogLevel.WARN]: 'warn',
  [LogLevel.ERROR]: 'error',
};

function text(messages: unknown[]): string {
  return messages.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
}

/** `event` lines with the message, its level and the logger's name. */
export function slackLogger(log: Log, event: string, initialName: string): Logger {
  let level = LogLevel.INFO;
  let name = initialName;
  const write =
    (at: LogLevel) =>
    (...messages: unknown[]) =>
      log(event, { level: LEVEL[at], name, message: text(messages) });
  return {
    debug: write(LogLevel.DEBUG),
    info: write(LogLevel.INFO),
    warn: write(LogLevel.WARN),
    error: write(LogLevel.ERROR),
    setLevel: (next) => void (level = next),
    getLevel: () => level,
    setName: (next) => void (name = next),
  };
}

/** Bolt's logger (its App, receivers and the clients it makes): `slack.bolt` lines. */
export function boltLogger(log: Log): Logger {
  return slackLogger(log, 'slack.bolt', 'bolt');
}

/** A Web API client's own logger (the activities' client): `slack.client` lines. */
export function webClientLogger(log: Log): Logger {
  return slackLogger(log, 'slack.client', 'web-api');
}
