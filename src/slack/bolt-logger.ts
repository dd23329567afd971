/** Bolt's logger interface over the service's JSON log: warnings and errors only. */
import { LogLevel, type Logger } from '@slack/bolt';
import type { Log } from '../../activities/logging';

export function boltLogger(log: Log): Logger {
  let level = LogLevel.WARN;
  let name = 'bolt';
  const write = (at: LogLevel) => (...messages: unknown[]) => {
    const rank = [LogLevel.ERROR, LogLevel.WARN, LogLevel.INFO, LogLevel.DEBUG];
    if (rank.indexOf(at) > rank.indexOf(level)) return;
    const message = messages.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
    log('slack.bolt', { level: at, name, message });
  };
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
