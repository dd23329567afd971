/**
 * The service's log: one JSON object per line on stdout, `{"level":"info","at":"<ISO time>","event":"…",…fields}`,
 * written by pino.
 *
 * Everything logs through a `Log` function, `log(event, fields)`. Its level is the optional `level`
 * field (default `info`); LOG_LEVEL (src/config.ts) decides which levels are written. Adapters for
 * the libraries' own loggers (Bolt and Slack's WebClient in src/slack/bolt-logger.ts, the Temporal
 * SDK in src/temporal/runtime.ts) map their levels onto these and call a `Log` too, so tests pass a
 * fake `Log` and see every line the service would write.
 *
 * Secrets never reach the output: fields named like credentials (authorization, password, token,
 * secret, API keys, cookies; at the top level and two levels down) are written as `[redacted]`,
 * and every approval token anywhere in the finished line (a path, a URL, a library's message) is
 * written as `/approvals/[token]`.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { redactApprovalTokens } from './web/redact';

/** Levels of a line, least to most severe. */
export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type Level = (typeof LEVELS)[number];

/** LOG_LEVEL: the least severe level written; `silent` writes nothing. */
export const LOG_LEVELS = [...LEVELS, 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

/** A line's fields; `level` is its level (default `info`), not a field of the line's own. */
export interface LogFields {
  level?: Level;
  [field: string]: unknown;
}

export type Log = (event: string, fields: LogFields) => void;

export const REDACTED = '[redacted]';

/** Field names whose values are credentials, wherever they appear (headers, options, errors' configs). */
const SECRET_FIELDS = [
  'authorization',
  'Authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'password',
  'pass',
  'token',
  'accessToken',
  'botToken',
  'appToken',
  'authToken',
  'apiKey',
  'api_key',
  'x-api-key',
  'secret',
  'clientSecret',
  'signingSecret',
  'approvalSecret',
];

/** pino `redact` paths: each secret field at the top level, one and two levels down. */
export const REDACT_PATHS = SECRET_FIELDS.flatMap((field) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(field) ? `.${field}` : `["${field}"]`;
  return [key.startsWith('.') ? field : key, `*${key}`, `*.*${key}`];
});

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go (default: stdout); each write is one whole line. */
  destination?: DestinationStream;
}

/** A pino logger writing the service's line format. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? DEFAULT_LOG_LEVEL,
      base: null,
      timestamp: () => `,"at":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      // The serialized line, just before it is written: no approval token in any string of it.
      hooks: { streamWrite: redactApprovalTokens },
    },
    // Through process.stdout's own write, so a line is written whole and in order with any other output.
    options.destination ?? { write: (line: string) => void process.stdout.write(line) },
  );
}

function levelOf(value: unknown): Level {
  const level = typeof value === 'string' ? value.toLowerCase() : undefined;
  return (LEVELS as readonly string[]).includes(level!) ? (level as Level) : 'info';
}

/** The `Log` function over a pino logger: `log(event, { level, ...fields })`. */
export function logTo(logger: Logger): Log {
  return (event, fields) => {
    const { level, ...rest } = fields;
    const at = levelOf(level);
    if (!logger.isLevelEnabled(at)) return;
    logger[at]({ event, ...rest });
  };
}

/** The process's logger, on stdout; main.ts sets its level from LOG_LEVEL. */
export const rootLogger = createLogger();

/** The service's log. */
export const jsonLog: Log = logTo(rootLogger);

export function setLogLevel(level: LogLevel): void {
  rootLogger.level = level;
}

export function logLevel(): LogLevel {
  return rootLogger.level as LogLevel;
}
