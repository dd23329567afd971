/** The service's log (src/log.ts): levels and LOG_LEVEL, redaction, one JSON line per event, and the libraries' adapters. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogLevel } from '@slack/web-api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config';
import { createLogger, jsonLog, logLevel, logTo, REDACTED, setLogLevel, type Log, type LogFields, type LogLevel as LogLevelSetting } from '../src/log';
import { boltLogger, webClientLogger } from '../src/slack/bolt-logger';
import { temporalLevel, temporalLogger } from '../src/temporal/runtime';

/** A `Log` over pino at `level`, with the raw writes it makes. */
function capture(level: LogLevelSetting = 'info'): { log: Log; writes: string[]; lines: () => Record<string, unknown>[] } {
  const writes: string[] = [];
  const log = logTo(createLogger({ level, destination: { write: (chunk: string) => void writes.push(chunk) } }));
  return { log, writes, lines: () => writes.map((w) => JSON.parse(w) as Record<string, unknown>) };
}

/** A fake `Log`, as the other tests use. */
function fake(): { log: Log; logged: { event: string; fields: LogFields }[] } {
  const logged: { event: string; fields: LogFields }[] = [];
  return { log: (event, fields) => void logged.push({ event, fields }), logged };
}

const APPROVAL_TOKEN = 'eyJhcHByb3ZhbCI6MX0.c2lnbmF0dXJlLW9mLXRoZS1saW5r';

describe('levels', () => {
  it('writes info by default, with the level and time on each line', () => {
    const { log, lines } = capture();
    log('service.ready', { port: 3000 });
    log('debug.detail', { level: 'debug' });
    expect(lines()).toEqual([{ level: 'info', at: expect.any(String), event: 'service.ready', port: 3000 }]);
    expect(new Date(lines()[0]!.at as string).toISOString()).toBe(lines()[0]!.at);
  });

  it('drops what is below the level: at warn, info and debug are dropped', () => {
    const { log, lines } = capture('warn');
    log('a.info', {});
    log('a.debug', { level: 'debug' });
    log('a.warn', { level: 'warn', reason: 'x' });
    log('a.error', { level: 'error' });
    log('a.fatal', { level: 'fatal' });
    expect(lines().map((l) => [l.level, l.event])).toEqual([
      ['warn', 'a.warn'],
      ['error', 'a.error'],
      ['fatal', 'a.fatal'],
    ]);
    expect(lines()[0]).toEqual({ level: 'warn', at: expect.any(String), event: 'a.warn', reason: 'x' });
  });

  it('writes everything at trace and nothing when silent', () => {
    const trace = capture('trace');
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const) trace.log(`e.${level}`, { level });
    expect(trace.lines().map((l) => l.level)).toEqual(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

    const silent = capture('silent');
    silent.log('e.fatal', { level: 'fatal' });
    expect(silent.writes).toEqual([]);
  });

  it('reads a level given in capitals, and writes anything else at info', () => {
    const { log, lines } = capture('trace');
    log('a', { level: 'WARN' as never });
    log('b', { level: 'loud' as never });
    expect(lines().map((l) => [l.event, l.level])).toEqual([
      ['a', 'warn'],
      ['b', 'info'],
    ]);
  });

  describe('LOG_LEVEL, through the configuration, sets the service log', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'invite-lite-log-'));
    const before = logLevel();
    afterEach(() => {
      setLogLevel(before);
      vi.restoreAllMocks();
    });

    it('LOG_LEVEL=warn drops info lines from stdout and keeps warnings', () => {
      const written: string[] = [];
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
      try {
        setLogLevel(loadConfig({ LOG_LEVEL: 'warn', DATA_DIR: dataDir }).logLevel);
        expect(logLevel()).toBe('warn');
        jsonLog('service.ready', { port: 3000 });
        jsonLog('config.warning', { level: 'warn', message: 'IT Glue is simulated' });
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
      expect(written).toHaveLength(1);
      expect(JSON.parse(written[0]!)).toMatchObject({ level: 'warn', event: 'config.warning', message: 'IT Glue is simulated' });
    });
  });
});

describe('redaction', () => {
  it('writes credential fields as [redacted], at the top level and nested (headers, options)', () => {
    const { log, writes, lines } = capture();
    log('http.request', {
      authorization: 'Bearer xoxb-top-secret-1',
      headers: { authorization: 'Bearer codec-secret-2', 'x-api-key': 'itglue-key-3', accept: 'application/json' },
      smtp: { auth: { user: 'mailer', pass: 'smtp-password-4' } },
      password: 'hunter2-5',
      config: { token: 'xapp-token-6', secret: 'approval-secret-7' },
    });
    const output = writes.join('');
    for (const secret of ['xoxb-top-secret-1', 'codec-secret-2', 'itglue-key-3', 'smtp-password-4', 'hunter2-5', 'xapp-token-6', 'approval-secret-7']) {
      expect(output).not.toContain(secret);
    }
    expect(lines()[0]).toMatchObject({
      authorization: REDACTED,
      headers: { authorization: REDACTED, 'x-api-key': REDACTED, accept: 'application/json' },
      smtp: { auth: { user: 'mailer', pass: REDACTED } },
      password: REDACTED,
      config: { token: REDACTED, secret: REDACTED },
    });
  });

  it('writes an approval token anywhere in the line (a URL, a message, a nested field, an error) as [token]', () => {
    const { log, writes, lines } = capture();
    log('mail.outbox', { links: [`https://approve.example/approvals/${APPROVAL_TOKEN}`] });
    log('slack.bolt', { level: 'warn', message: `Unhandled request to /approvals/${APPROVAL_TOKEN}/result?x=1` });
    log('http.error', { request: { url: `/APPROVALS/${APPROVAL_TOKEN}` }, error: new Error(`GET /approvals/${APPROVAL_TOKEN} failed`).message });
    expect(writes.join('')).not.toContain(APPROVAL_TOKEN.split('.')[0]!);
    expect(lines()[0]!.links).toEqual(['https://approve.example/approvals/[token]']);
    expect(lines()[1]!.message).toBe('Unhandled request to /approvals/[token]/result?x=1');
    expect(lines()[2]).toMatchObject({ request: { url: '/APPROVALS/[token]' }, error: 'GET /approvals/[token] failed' });
  });

  it('redacts in the service log on stdout too', () => {
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      jsonLog('slack.client', { level: 'warn', headers: { authorization: 'Bearer xoxb-1-2-abc' }, url: `https://x.example/approvals/${APPROVAL_TOKEN}` });
    } finally {
      write.mockRestore();
    }
    expect(written).toHaveLength(1);
    expect(written[0]).not.toContain('xoxb-1-2-abc');
    expect(written[0]).not.toContain(APPROVAL_TOKEN.split('.')[0]!);
    expect(JSON.parse(written[0]!)).toMatchObject({ headers: { authorization: REDACTED }, url: 'https://x.example/approvals/[token]' });
  });
});

describe('one line per event', () => {
  it('makes one write per event, one JSON object ending in a newline, whatever the fields hold', () => {
    const { log, writes } = capture();
    log('a', { text: 'two\nlines', nested: { deep: [1, { x: 'y' }] } });
    log('b', { error: new Error('boom\nat somewhere').stack });
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    log('c', { circular });
    expect(writes).toHaveLength(3);
    for (const write of writes) {
      expect(write.endsWith('\n')).toBe(true);
      expect(write.slice(0, -1)).not.toContain('\n');
      expect(typeof (JSON.parse(write) as { event: unknown }).event).toBe('string');
    }
    expect(JSON.parse(writes[0]!)).toMatchObject({ event: 'a', text: 'two\nlines', nested: { deep: [1, { x: 'y' }] } });
  });
});

describe("Slack's loggers (Bolt, the Web API client)", () => {
  it("map Bolt's debug, info, warn and error onto the log's levels, as slack.bolt lines", () => {
    const { log, logged } = fake();
    const logger = boltLogger(log);
    logger.debug('initialized');
    logger.info('Now connected', 'to Slack');
    logger.warn({ retry: 2 });
    logger.error(new Error('socket closed'));
    expect(logged).toEqual([
      { event: 'slack.bolt', fields: { level: 'debug', name: 'bolt', message: 'initialized' } },
      { event: 'slack.bolt', fields: { level: 'info', name: 'bolt', message: 'Now connected to Slack' } },
      { event: 'slack.bolt', fields: { level: 'warn', name: 'bolt', message: '{"retry":2}' } },
      { event: 'slack.bolt', fields: { level: 'error', name: 'bolt', message: 'socket closed' } },
    ]);
  });

  it('leave the filtering to LOG_LEVEL: the level Bolt sets is reported back, not applied', () => {
    const { log, logged } = fake();
    const logger = boltLogger(log);
    logger.setLevel(LogLevel.ERROR);
    expect(logger.getLevel()).toBe(LogLevel.ERROR);
    logger.setName('bolt-app');
    logger.info('still passed on');
    expect(logged).toEqual([{ event: 'slack.bolt', fields: { level: 'info', name: 'bolt-app', message: 'still passed on' } }]);

    const { log: warnOnly, lines } = capture('warn');
    const bolt = boltLogger(warnOnly);
    bolt.debug('dropped');
    bolt.info('dropped');
    bolt.warn('kept');
    expect(lines()).toEqual([{ level: 'warn', at: expect.any(String), event: 'slack.bolt', name: 'bolt', message: 'kept' }]);
  });

  it("write the Web API client's messages as slack.client lines", () => {
    const { log, logged } = fake();
    const logger = webClientLogger(log);
    logger.debug('http request url: https://slack.com/api/chat.postMessage');
    logger.warn('http request failed', 'ECONNRESET');
    expect(logged).toEqual([
      { event: 'slack.client', fields: { level: 'debug', name: 'web-api', message: 'http request url: https://slack.com/api/chat.postMessage' } },
      { event: 'slack.client', fields: { level: 'warn', name: 'web-api', message: 'http request failed ECONNRESET' } },
    ]);
  });
});

describe("the Temporal SDK's logger", () => {
  it("maps Temporal's TRACE to ERROR onto the log's levels, as temporal.sdk lines with their metadata", () => {
    const { log, logged } = fake();
    const logger = temporalLogger(log, 'trace');
    logger.trace('activation', { runId: 'r1' });
    logger.debug('Activity started', { activityType: 'sendInstructions' });
    logger.info('Worker state changed', { state: 'RUNNING' });
    logger.warn('Slow poll', { taskQueue: 'invite-lite' });
    logger.error('Activity failed', { error: new Error('boom') });
    expect(logged.map((l) => [l.event, l.fields.level, l.fields.message])).toEqual([
      ['temporal.sdk', 'trace', 'activation'],
      ['temporal.sdk', 'debug', 'Activity started'],
      ['temporal.sdk', 'info', 'Worker state changed'],
      ['temporal.sdk', 'warn', 'Slow poll'],
      ['temporal.sdk', 'error', 'Activity failed'],
    ]);
    expect(logged[1]!.fields).toMatchObject({ activityType: 'sendInstructions' });
    expect(logged[4]!.fields.error).toEqual({ name: 'Error', message: 'boom' });
  });

  it('asks the SDK only for what LOG_LEVEL writes', () => {
    const { log, logged } = fake();
    const logger = temporalLogger(log, 'warn');
    logger.debug('dropped');
    logger.info('dropped');
    logger.warn('kept');
    logger.error('kept too');
    expect(logged.map((l) => l.fields.level)).toEqual(['warn', 'error']);
    expect((['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const).map(temporalLevel)).toEqual([
      'TRACE',
      'DEBUG',
      'INFO',
      'WARN',
      'ERROR',
      'ERROR',
      'ERROR',
    ]);
  });

  it('writes its lines through the service log, filtered and redacted', () => {
    const { log, lines } = capture('info');
    const logger = temporalLogger(log, 'trace');
    logger.debug('dropped by the log');
    logger.warn(`Activity heartbeat for /approvals/${APPROVAL_TOKEN}`, { workflowId: 'onboarding:1:2' });
    expect(lines()).toEqual([
      { level: 'warn', at: expect.any(String), event: 'temporal.sdk', message: 'Activity heartbeat for /approvals/[token]', workflowId: 'onboarding:1:2' },
    ]);
  });
});
