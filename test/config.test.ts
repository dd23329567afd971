import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, DEVELOPMENT_APPROVAL_SECRET, loadConfig } from '../src/config';
import { parseDuration } from '../src/duration';
import { DEFAULT_POLICY } from '../workflows/policy';

const dir = mkdtempSync(join(tmpdir(), 'invite-lite-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

const SECRET = 'a'.repeat(32);
const SLACK = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
  SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5',
  SLACK_CHANNEL_ID: 'C0123ABCD',
  SLACK_TECH_USER_IDS: 'U0123ABCD, W0456EFGH',
};

describe('loadConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.publicBaseUrl).toBe('http://localhost:3000');
    expect(config.dataDir).toBe(resolve('./data'));
    expect(config.itglue).toEqual({ apiUrl: 'https://api.itglue.com', apiKey: null, activitiesPerSecond: 0.5, requestsPerSecond: 8 });
    expect(config.slack).toBeNull();
    expect(config.mail.smtpUrl).toBeNull();
    expect(config.temporal).toEqual({
      address: null,
      namespace: 'default',
      taskQueue: 'invite-lite',
      apiKey: null,
      tls: null,
      uiPort: null,
    });
    // DEFAULT_POLICY's numbers are checked against PRODUCT.md in policy-defaults.test.ts.
    expect(config.policy).toEqual(DEFAULT_POLICY);
    expect(config.approvalSecret).toBe(DEVELOPMENT_APPROVAL_SECRET);
    expect(config.warnings.join('\n')).toContain('APPROVAL_SECRET');
  });

  it('derives PUBLIC_BASE_URL from PORT and drops a trailing slash from URLs', () => {
    expect(loadConfig({ PORT: '8080' }).publicBaseUrl).toBe('http://localhost:8080');
    const config = loadConfig({ PUBLIC_BASE_URL: 'https://onboard.example.com/', ITGLUE_API_URL: 'https://api.eu.itglue.com/' });
    expect(config.publicBaseUrl).toBe('https://onboard.example.com');
    expect(config.itglue.apiUrl).toBe('https://api.eu.itglue.com');
  });

  it('reads who gets the instructions copy (MAIL_COPY_TO; unset: null, the requesting tech) and the trusted proxies', () => {
    expect(loadConfig({}).mail.copyTo).toBeNull();
    expect(loadConfig({ MAIL_FROM: 'it@acme.example' }).mail.copyTo).toBeNull();
    expect(loadConfig({}).trustProxy).toEqual([]);
    const config = loadConfig({
      MAIL_FROM: 'it@acme.example',
      MAIL_COPY_TO: 'Acme Helpdesk <help@acme.example>, tech@acme.example',
      TRUST_PROXY: '127.0.0.1, ::1, 10.0.0.0/8',
    });
    expect(config.mail.copyTo).toEqual([
      { name: 'Acme Helpdesk', address: 'help@acme.example' },
      { name: '', address: 'tech@acme.example' },
    ]);
    expect(config.trustProxy).toEqual(['127.0.0.1', '::1', '10.0.0.0/8']);
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ PORT: '', TEMPORAL_ADDRESS: ' ' }).port).toBe(3000);
  });

  it('reads a complete Slack, IT Glue, mail and Temporal Cloud configuration', () => {
    const config = loadConfig({
      ...SLACK,
      SLACK_MANAGER_USERGROUP_ID: 'S0MANAGERS',
      ITGLUE_API_KEY: 'ITG.abc123',
      SMTP_URL: 'smtps://user:pw@mail.example.com:465',
      MAIL_FROM: 'Acme IT <it@acme.example>',
      TEMPORAL_ADDRESS: 'acme.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'acme.a1b2c',
      TEMPORAL_API_KEY: 'key-123',
      APPROVAL_SECRET: SECRET,
      NODE_ENV: 'production',
    });
    expect(config.slack).toMatchObject({
      botToken: 'xoxb-1-2-abc',
      apiUrl: 'https://slack.com/api/',
      channelId: 'C0123ABCD',
      techUserIds: ['U0123ABCD', 'W0456EFGH'],
      managerUsergroupId: 'S0MANAGERS',
      managerUserIds: [],
    });
    expect(config.itglue.apiKey).toBe('ITG.abc123');
    expect(config.mail).toEqual({
      smtpUrl: 'smtps://user:pw@mail.example.com:465',
      from: 'Acme IT <it@acme.example>',
      copyTo: null,
    });
    expect(config.temporal).toMatchObject({ address: 'acme.a1b2c.tmprl.cloud:7233', namespace: 'acme.a1b2c', apiKey: 'key-123' });
    expect(config.approvalSecret).toBe(SECRET);
    expect(config.warnings).toEqual([]);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT: expected a whole number from 1 to 65535, got "abc"'],
    [{ PORT: '70000' }, 'PORT: expected a whole number from 1 to 65535, got "70000"'],
    [{ TEMPORAL_UI_PORT: '0' }, 'TEMPORAL_UI_PORT: expected a whole number from 1 to 65535, got "0"'],
    [{ PUBLIC_BASE_URL: 'ftp://files.example.com' }, 'PUBLIC_BASE_URL: expected an http:// or https:// URL'],
    [{ ITGLUE_API_URL: 'api.itglue.com' }, 'ITGLUE_API_URL: expected an http:// or https:// URL'],
    [{ SLACK_API_URL: 'not a url' }, 'SLACK_API_URL: expected an http:// or https:// URL'],
    [{ SLACK_TECH_USER_IDS: 'U0123ABCD,bob' }, 'SLACK_TECH_USER_IDS: expected comma-separated Slack user IDs'],
    [{ SLACK_MANAGER_USER_IDS: 'S0123ABCD' }, 'SLACK_MANAGER_USER_IDS: expected comma-separated Slack user IDs'],
    [{ SLACK_TECH_USERGROUP_ID: 'U0123ABCD' }, 'SLACK_TECH_USERGROUP_ID: expected a Slack user group ID'],
    [{ SLACK_CHANNEL_ID: '#onboarding' }, 'SLACK_CHANNEL_ID: expected a Slack channel ID'],
    [{ SLACK_BOT_TOKEN: 'xoxp-user-token' }, 'SLACK_BOT_TOKEN: expected a Slack bot token starting with xoxb-'],
    [{ ...SLACK, SLACK_CHANNEL_ID: '' }, 'SLACK_CHANNEL_ID: required with SLACK_BOT_TOKEN'],
    [{ ...SLACK, SLACK_SIGNING_SECRET: '' }, 'SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN'],
    [{ ...SLACK, SLACK_TECH_USER_IDS: '' }, 'SLACK_TECH_USERGROUP_ID / SLACK_TECH_USER_IDS: one is required'],
    [{ SLACK_CHANNEL_ID: 'C0123ABCD' }, 'SLACK_BOT_TOKEN: required when SLACK_CHANNEL_ID is set'],
    [{ SMTP_URL: 'http://mail.example.com' }, 'SMTP_URL: expected an smtp:// or smtps:// URL'],
    [{ SMTP_URL: 'smtp://mail.example.com:25' }, 'MAIL_FROM: required with SMTP_URL'],
    [{ MAIL_FROM: 'IT department' }, 'MAIL_FROM: expected a sender'],
    [{ MAIL_COPY_TO: 'help@acme.example, helpdesk' }, 'MAIL_COPY_TO: expected comma-separated addresses'],
    [{ TRUST_PROXY: '127.0.0.1, proxy.local' }, 'TRUST_PROXY: expected comma-separated IP addresses or CIDR ranges'],
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY: expected comma-separated IP addresses or CIDR ranges'],
    [{ ITGLUE_ACTIVITIES_PER_SECOND: '1.5' }, 'ITGLUE_ACTIVITIES_PER_SECOND: expected at most 1: at 1.5 a second, IT Glue activities could send 3600 requests per 5 minutes (up to 8 each), over 2400'],
    [{ ITGLUE_ACTIVITIES_PER_SECOND: '0.05' }, 'ITGLUE_ACTIVITIES_PER_SECOND: expected a number from 0.1 to 1'],
    [{ ITGLUE_REQUESTS_PER_SECOND: 'fast' }, 'ITGLUE_REQUESTS_PER_SECOND: expected a number from 0.1 to 10'],
    [{ TEMPORAL_ADDRESS: 'localhost' }, 'TEMPORAL_ADDRESS: expected host:port'],
    [{ TEMPORAL_NAMESPACE: 'my namespace' }, 'TEMPORAL_NAMESPACE: expected a Temporal namespace name'],
    [{ TEMPORAL_API_KEY: 'key' }, 'TEMPORAL_ADDRESS: required when TEMPORAL_API_KEY is set'],
    [{ APPROVAL_SECRET: 'too-short' }, 'APPROVAL_SECRET: expected at least 32 bytes'],
    [{ NODE_ENV: 'production' }, 'APPROVAL_SECRET: required when NODE_ENV=production'],
    [{ POLICY_FILE: '/nonexistent/policy.json' }, 'POLICY_FILE: expected the path of a readable file, got "/nonexistent/policy.json"'],
  ])('%j gives one line naming the variable', (env, expected) => {
    expect(configError(env)).toContain(expected);
    expect(configError(env).startsWith(expected.split(':')[0]!)).toBe(true);
  });

  it('never repeats a secret in an error', () => {
    const message = configError({ APPROVAL_SECRET: 'hunter2-hunter2' });
    expect(message).not.toContain('hunter2');
    expect(message).toContain('15 bytes');
    expect(configError({ SLACK_BOT_TOKEN: 'xoxp-secret-user-token' })).not.toContain('secret-user-token');
  });

  it('takes mTLS files in pairs and checks that they can be read', () => {
    const cert = file('client.pem', 'cert');
    const key = file('client.key', 'key');
    const address = 'temporal.internal:7233';
    expect(configError({ TEMPORAL_ADDRESS: address, TEMPORAL_TLS_CERT: cert })).toMatch(/^TEMPORAL_TLS_KEY: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together/);
    expect(configError({ TEMPORAL_ADDRESS: address, TEMPORAL_TLS_CERT: join(dir, 'missing.pem'), TEMPORAL_TLS_KEY: key })).toMatch(
      /^TEMPORAL_TLS_CERT: expected the path of a readable file/,
    );
    expect(loadConfig({ TEMPORAL_ADDRESS: address, TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key }).temporal.tls).toEqual({
      certFile: cert,
      keyFile: key,
    });
  });
});

describe('the policy file', () => {
  it('is merged over the defaults, with durations in words or milliseconds', () => {
    const path = file(
      'policy.json',
      JSON.stringify({
        approval: { timeout: '2d', reminderEvery: '90s' },
        invite: { linkValidity: 21_600_000 },
        twoFactor: { remindAt: ['1h', 7_200_000] },
        primaryContact: { kind: 'important' },
        branding: { mspName: 'Acme IT' },
      }),
    );
    const { policy, policyFile } = loadConfig({ POLICY_FILE: path });
    expect(policyFile).toBe(path);
    expect(policy.approval).toEqual({ ...DEFAULT_POLICY.approval, timeout: 172_800_000, reminderEvery: 90_000 });
    expect(policy.invite.linkValidity).toBe(21_600_000);
    expect(policy.twoFactor).toEqual({ ...DEFAULT_POLICY.twoFactor, remindAt: [3_600_000, 7_200_000] });
    expect(policy.primaryContact).toEqual({ kind: 'important' });
    expect(policy.branding).toEqual({ ...DEFAULT_POLICY.branding, mspName: 'Acme IT' });
    expect(policy.groups).toEqual(DEFAULT_POLICY.groups);
  });

  it('names the file and the key of a bad setting', () => {
    const typo = file('typo.json', JSON.stringify({ approval: { timout: '2d' } }));
    expect(configError({ POLICY_FILE: typo })).toBe(`POLICY_FILE ${typo}: approval.timout: unknown setting`);

    const words = file('words.json', JSON.stringify({ sweep: { every: '5 minutes' } }));
    expect(configError({ POLICY_FILE: words })).toMatch(new RegExp(`^POLICY_FILE ${words}: sweep\\.every: expected a duration .*, got "5 minutes"$`));

    const list = file('list.json', JSON.stringify({ twoFactor: { remindAt: ['1d', 'soon'] } }));
    expect(configError({ POLICY_FILE: list })).toContain('twoFactor.remindAt[1]: expected a duration');

    const limit = file('limit.json', JSON.stringify({ limits: { maxOrganizations: 6 } }));
    expect(configError({ POLICY_FILE: limit })).toContain('limits.maxOrganizations: expected a whole number from 1 to 5');

    const rule = file('rule.json', JSON.stringify({ primaryContact: { kind: 'tag' } }));
    expect(configError({ POLICY_FILE: rule })).toContain('primaryContact.kind: expected kind "contact-type", "important" or "flexible-asset-tag"');

    const broken = file('broken.json', '{"approval": ');
    expect(configError({ POLICY_FILE: broken })).toMatch(new RegExp(`^POLICY_FILE ${broken}: expected JSON`));
  });
});

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['90s', 90_000],
    ['15m', 900_000],
    ['24h', 86_400_000],
    ['5d', 432_000_000],
    ['1.5h', 5_400_000],
    [' 2 d ', 172_800_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '5', '5 days', '-1h', 'h', '1w'])('%j is not a duration', (text) => expect(parseDuration(text)).toBeNull());
});
