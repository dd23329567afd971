import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';
import { DEMO_SECRET_FILE } from '../src/demo-secret';
import { parseDuration } from '../src/duration';
import { DEFAULT_POLICY } from '../workflows/policy';

const dir = mkdtempSync(join(tmpdir(), 'invite-lite-config-'));
// The demo makes its approval secret in DATA_DIR (default ./data): here, under the test's directory.
const cwd = process.cwd();
beforeAll(() => process.chdir(dir));
afterAll(() => {
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
});

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
      uiUrl: null,
    });
    // DEFAULT_POLICY's numbers are checked against docs/design.md §5 in policy-defaults.test.ts.
    expect(config.policy).toEqual(DEFAULT_POLICY);
    // The demo: a secret of its own in DATA_DIR, and IT Glue simulated, each said at start.
    expect(config.approvalSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(join(config.dataDir, DEMO_SECRET_FILE), 'utf8')).toBe(`${config.approvalSecret}\n`);
    expect(config.approvalSecretPrevious).toBeNull();
    expect(config.warnings.find((w) => w.startsWith('APPROVAL_SECRET is unset'))).toContain(join(config.dataDir, DEMO_SECRET_FILE));
    expect(config.warnings.find((w) => w.startsWith('ITGLUE_API_KEY is unset'))).toContain('IT Glue is simulated');
  });

  it('derives PUBLIC_BASE_URL from PORT and drops a trailing slash from URLs', () => {
    expect(loadConfig({ PORT: '8080' }).publicBaseUrl).toBe('http://localhost:8080');
    const config = loadConfig({ PUBLIC_BASE_URL: 'https://onboard.example.com/', ITGLUE_API_URL: 'https://api.eu.itglue.com/', APPROVAL_SECRET: SECRET });
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

  it('reads LOG_LEVEL in any case (default info)', () => {
    expect(loadConfig({}).logLevel).toBe('info');
    expect(loadConfig({ LOG_LEVEL: 'WARN' }).logLevel).toBe('warn');
    expect(loadConfig({ LOG_LEVEL: 'silent' }).logLevel).toBe('silent');
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
    [
      { ITGLUE_ACTIVITIES_PER_SECOND: '1.5' },
      'ITGLUE_ACTIVITIES_PER_SECOND: expected at most 1: at 1.5 a second, IT Glue activities could send 3600 requests per 5 minutes (up to 8 each), over 2400',
    ],
    [{ ITGLUE_ACTIVITIES_PER_SECOND: '0.05' }, 'ITGLUE_ACTIVITIES_PER_SECOND: expected a number from 0.1 to 1'],
    [{ ITGLUE_REQUESTS_PER_SECOND: 'fast' }, 'ITGLUE_REQUESTS_PER_SECOND: expected a number from 0.1 to 10'],
    [{ TEMPORAL_ADDRESS: 'localhost' }, 'TEMPORAL_ADDRESS: expected host:port'],
    [{ TEMPORAL_NAMESPACE: 'my namespace' }, 'TEMPORAL_NAMESPACE: expected a Temporal namespace name'],
    [{ TEMPORAL_API_KEY: 'key' }, 'TEMPORAL_ADDRESS: required when TEMPORAL_API_KEY is set'],
    [{ APPROVAL_SECRET: 'too-short' }, 'APPROVAL_SECRET: expected at least 32 bytes'],
    [{ NODE_ENV: 'production' }, 'APPROVAL_SECRET: required because NODE_ENV=production'],
    [{ POLICY_FILE: '/nonexistent/policy.json' }, 'POLICY_FILE: expected the path of a readable file, got "/nonexistent/policy.json"'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL: expected one of trace, debug, info, warn, error, fatal, silent, got "verbose"'],
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

describe('the approval secret', () => {
  const SECRET_ADVICE = 'a random secret of at least 32 bytes (e.g. openssl rand -hex 32)';
  const MAIL = { SMTP_URL: 'smtp://user:pw@mail.example.com:587', MAIL_FROM: 'Acme IT <it@acme.example>' };
  const ITGLUE = { ITGLUE_API_KEY: 'ITG.abc123' };
  const EVERYTHING = { ...SLACK, ...ITGLUE, ...MAIL, PUBLIC_BASE_URL: 'https://onboard.example.com' };
  const NODE_ENVS: Array<Record<string, string>> = [{}, { NODE_ENV: 'development' }, { NODE_ENV: 'test' }];
  const dataDir = () => mkdtempSync(join(dir, 'data-'));

  it.each([
    [MAIL, 'APPROVAL_SECRET: required because SMTP_URL is set'],
    [{ ...SLACK, ...ITGLUE }, 'APPROVAL_SECRET: required because SLACK_BOT_TOKEN and ITGLUE_API_KEY are set'],
    [ITGLUE, 'APPROVAL_SECRET: required because ITGLUE_API_KEY is set'],
    [{ PUBLIC_BASE_URL: 'https://onboard.example.com' }, 'APPROVAL_SECRET: required because PUBLIC_BASE_URL is not loopback'],
    [{ PUBLIC_BASE_URL: 'http://10.0.0.5:3000' }, 'APPROVAL_SECRET: required because PUBLIC_BASE_URL is not loopback'],
    [EVERYTHING, 'APPROVAL_SECRET: required because SMTP_URL, SLACK_BOT_TOKEN and ITGLUE_API_KEY are set and PUBLIC_BASE_URL is not loopback'],
  ])('is required with %j, whatever NODE_ENV says', (env, reason) => {
    for (const nodeEnv of NODE_ENVS) {
      const directory = dataDir();
      expect(configError({ ...env, ...nodeEnv, DATA_DIR: directory })).toBe(`${reason}: ${SECRET_ADVICE}`);
      // Refused before anything is written: no demo secret for a real installation.
      expect(readdirSync(directory)).toEqual([]);
    }
  });

  it('refuses a short secret, and never shows it', () => {
    for (const nodeEnv of NODE_ENVS) {
      expect(configError({ ...EVERYTHING, ...nodeEnv, APPROVAL_SECRET: 'only-24-bytes-of-secret!' })).toBe(
        'APPROVAL_SECRET: expected at least 32 bytes (e.g. the output of openssl rand -hex 32), got 24 bytes (value not shown)',
      );
    }
    // Short is short in the demo too.
    expect(configError({ APPROVAL_SECRET: 'x'.repeat(31), DATA_DIR: dataDir() })).toBe(
      'APPROVAL_SECRET: expected at least 32 bytes (e.g. the output of openssl rand -hex 32), got 31 bytes (value not shown)',
    );
  });

  it('holds APPROVAL_SECRET_PREVIOUS to the same rules', () => {
    expect(configError({ ...EVERYTHING, APPROVAL_SECRET: SECRET, APPROVAL_SECRET_PREVIOUS: 'old-and-short' })).toBe(
      'APPROVAL_SECRET_PREVIOUS: expected at least 32 bytes (e.g. the output of openssl rand -hex 32), got 13 bytes (value not shown)',
    );
    expect(configError({ ...EVERYTHING, APPROVAL_SECRET_PREVIOUS: 'b'.repeat(32) })).toBe(
      `APPROVAL_SECRET: required because SMTP_URL, SLACK_BOT_TOKEN and ITGLUE_API_KEY are set and PUBLIC_BASE_URL is not loopback: ${SECRET_ADVICE}`,
    );
    expect(configError({ APPROVAL_SECRET_PREVIOUS: 'b'.repeat(32), DATA_DIR: dataDir() })).toBe(
      'APPROVAL_SECRET: required when APPROVAL_SECRET_PREVIOUS is set: the new secret, which signs every new link while the previous one still verifies',
    );
    expect(configError({ ...EVERYTHING, APPROVAL_SECRET: SECRET, APPROVAL_SECRET_PREVIOUS: SECRET })).toBe(
      'APPROVAL_SECRET_PREVIOUS: is the same as APPROVAL_SECRET: set it to the secret being replaced, or unset it',
    );
    const rotating = loadConfig({ ...EVERYTHING, APPROVAL_SECRET: SECRET, APPROVAL_SECRET_PREVIOUS: 'b'.repeat(32) });
    expect(rotating.approvalSecret).toBe(SECRET);
    expect(rotating.approvalSecretPrevious).toBe('b'.repeat(32));
    expect(rotating.warnings).toEqual([
      'APPROVAL_SECRET_PREVIOUS is set: links signed with it are still accepted; unset it once they have expired (the approval timeout)',
    ]);
    expect(loadConfig({ ...EVERYTHING, APPROVAL_SECRET: SECRET }).approvalSecretPrevious).toBeNull();
  });

  it('takes a configured secret as it is, and makes no file', () => {
    const directory = dataDir();
    const config = loadConfig({ ...EVERYTHING, APPROVAL_SECRET: SECRET, DATA_DIR: directory });
    expect(config.approvalSecret).toBe(SECRET);
    expect(config.warnings).toEqual([]);
    expect(readdirSync(directory)).toEqual([]);
    // A configured secret also serves the demo, without a file.
    expect(loadConfig({ APPROVAL_SECRET: SECRET, DATA_DIR: directory }).approvalSecret).toBe(SECRET);
    expect(readdirSync(directory)).toEqual([]);
  });

  it('is made once for the demo: 32 random bytes in DATA_DIR, mode 0600, read again at the next start', () => {
    const directory = join(dataDir(), 'not-yet-there');
    const first = loadConfig({ DATA_DIR: directory });
    const file = join(directory, DEMO_SECRET_FILE);
    expect(first.approvalSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.from(first.approvalSecret, 'hex')).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(`${first.approvalSecret}\n`);
    expect(first.warnings[0]).toBe(
      `APPROVAL_SECRET is unset: approval links are signed with the demo secret in ${file} (made now); ` +
        'set APPROVAL_SECRET before configuring SMTP_URL, SLACK_BOT_TOKEN, ITGLUE_API_KEY or a public PUBLIC_BASE_URL',
    );
    // Nothing else is left behind (the file is written aside, then linked into place).
    expect(readdirSync(directory)).toEqual([DEMO_SECRET_FILE]);

    const second = loadConfig({ DATA_DIR: directory, NODE_ENV: 'development', PUBLIC_BASE_URL: 'http://127.0.0.1:3000' });
    expect(second.approvalSecret).toBe(first.approvalSecret);
    expect(second.warnings[0]).toContain('(made at an earlier start)');
    expect(readFileSync(file, 'utf8')).toBe(`${first.approvalSecret}\n`);
    for (const base of ['http://localhost:8080', 'http://[::1]:3000', 'http://127.0.0.2']) {
      expect(loadConfig({ DATA_DIR: directory, PUBLIC_BASE_URL: base }).approvalSecret).toBe(first.approvalSecret);
    }

    // Another data directory, another secret.
    expect(loadConfig({ DATA_DIR: dataDir() }).approvalSecret).not.toBe(first.approvalSecret);
  });

  it('refuses a demo secret file that others can read, that holds something else, or that is not a plain file', () => {
    const directory = dataDir();
    const file = join(directory, DEMO_SECRET_FILE);
    const made = loadConfig({ DATA_DIR: directory }).approvalSecret;

    chmodSync(file, 0o644);
    expect(configError({ DATA_DIR: directory })).toBe(
      `APPROVAL_SECRET: unset, and the demo secret file ${file} is open to other users (mode 0644): ` +
        'chmod 600 it (or remove it to have a new secret made), or set APPROVAL_SECRET',
    );
    chmodSync(file, 0o640);
    expect(configError({ DATA_DIR: directory })).toContain('is open to other users (mode 0640)');
    chmodSync(file, 0o600);
    expect(loadConfig({ DATA_DIR: directory }).approvalSecret).toBe(made);

    const wrong = `APPROVAL_SECRET: unset, and the demo secret file ${file} does not hold a secret made by invite-lite (64 hexadecimal characters): remove it to have a new secret made, or set APPROVAL_SECRET`;
    for (const content of ['', 'not a secret\n', `${made.slice(0, 63)}\n`, `${made}\n${made}\n`, made.toUpperCase()]) {
      writeFileSync(file, content, { mode: 0o600 });
      expect(configError({ DATA_DIR: directory })).toBe(wrong);
    }

    rmSync(file);
    const elsewhere = join(dir, `elsewhere-${Date.now()}`);
    writeFileSync(elsewhere, `${made}\n`, { mode: 0o600 });
    symlinkSync(elsewhere, file);
    expect(configError({ DATA_DIR: directory })).toBe(
      `APPROVAL_SECRET: unset, and the demo secret file ${file} is a symbolic link: remove it to have a new secret made, or set APPROVAL_SECRET`,
    );
    rmSync(file);
    mkdirSync(file);
    expect(configError({ DATA_DIR: directory })).toBe(
      `APPROVAL_SECRET: unset, and the demo secret file ${file} is not a regular file: remove it to have a new secret made, or set APPROVAL_SECRET`,
    );
    rmSync(file, { recursive: true });

    // Removed: a new one is made.
    const remade = loadConfig({ DATA_DIR: directory }).approvalSecret;
    expect(remade).not.toBe(made);
    expect(existsSync(file)).toBe(true);
  });
});

describe('IT Glue', () => {
  it('is required with Slack, whatever NODE_ENV says', () => {
    for (const nodeEnv of [{}, { NODE_ENV: 'development' }, { NODE_ENV: 'production' }] as Array<Record<string, string>>) {
      expect(configError({ ...SLACK, ...nodeEnv, APPROVAL_SECRET: SECRET })).toBe(
        'ITGLUE_API_KEY: required with SLACK_BOT_TOKEN: the IT Glue API key (without it IT Glue is only simulated, which is for trying the service without Slack)',
      );
    }
  });

  it('is simulated without ITGLUE_API_KEY, and the start says so', () => {
    const message =
      'ITGLUE_API_KEY is unset: IT Glue is simulated (placeholder organizations and contacts, nothing is read from or done in IT Glue), for trying the service only; every onboarding says so';
    expect(loadConfig({ DATA_DIR: mkdtempSync(join(dir, 'data-')) }).warnings).toContain(message);
    expect(loadConfig({ APPROVAL_SECRET: SECRET, SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_FROM: 'it@acme.example' }).warnings).toEqual([message]);
    expect(loadConfig({ APPROVAL_SECRET: SECRET, ITGLUE_API_KEY: 'ITG.abc123' }).warnings).toEqual([]);
  });
});

describe('SMTP_URL and TLS', () => {
  const base = { MAIL_FROM: 'it@acme.example', APPROVAL_SECRET: SECRET, ITGLUE_API_KEY: 'ITG.abc123' };

  it('takes requireTLS=true or requireTLS=false only, and warns when mail may cross the network in clear', () => {
    for (const value of ['0', 'no', 'False', '']) {
      expect(configError({ ...base, SMTP_URL: `smtp://user:pw@mail.example.com:587?requireTLS=${value}` })).toMatch(
        /^SMTP_URL: expected requireTLS=true or requireTLS=false \(once\) if the URL sets it; smtp:\/\/ uses STARTTLS unless the server is on this machine, got \d+ bytes \(value not shown\)$/,
      );
    }
    expect(configError({ ...base, SMTP_URL: 'smtp://mail.example.com:587?requireTLS=false&requireTLS=true' })).toMatch(
      /^SMTP_URL: expected requireTLS=true or requireTLS=false \(once\)/,
    );
    expect(loadConfig({ ...base, SMTP_URL: 'smtp://mail.example.com:587?requireTLS=true' }).warnings).toEqual([]);
    expect(loadConfig({ ...base, SMTP_URL: 'smtp://mail.example.com:587' }).warnings).toEqual([]);
    expect(loadConfig({ ...base, SMTP_URL: 'smtp://127.0.0.1:2525?requireTLS=false' }).warnings).toEqual([]);
    expect(loadConfig({ ...base, SMTP_URL: 'smtp://mail.example.com:587?requireTLS=false' }).warnings).toEqual([
      'SMTP_URL says requireTLS=false: mail, its approval links and the SMTP password may cross the network unencrypted',
    ]);
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

describe('the URLs the tokens are sent to', () => {
  const refusal = (variable: string, value: string) =>
    `${variable}: expected https:// (http:// only for a loopback host: 127.0.0.0/8, ::1 or localhost), as the token sent there would cross the network unencrypted, got ${JSON.stringify(value)}`;
  const CONFIGURED = { ...SLACK, ITGLUE_API_KEY: 'ITG.abc123', APPROVAL_SECRET: SECRET };

  it.each([
    ['SLACK_API_URL', 'http://slack.example.com/api/'],
    ['SLACK_API_URL', 'http://10.0.0.5:4010/api/'],
    ['ITGLUE_API_URL', 'http://api.itglue.com'],
    ['ITGLUE_API_URL', 'HTTP://API.ITGLUE.COM'],
    ['ITGLUE_API_URL', 'http://127.0.0.1.example.com'],
    ['ITGLUE_API_URL', 'http://[::2]:8080'],
  ])('%s=%s is refused at start-up, in one line naming the variable', (variable, value) => {
    expect(configError({ ...CONFIGURED, [variable]: value })).toBe(refusal(variable, value));
  });

  it('takes https:// anywhere, and http:// to a loopback host', () => {
    for (const url of ['http://127.0.0.1:4010', 'http://127.8.9.10:4010', 'http://[::1]:4010', 'http://localhost:4010', 'https://api.eu.itglue.com']) {
      const config = loadConfig({ ...CONFIGURED, ITGLUE_API_URL: url, SLACK_API_URL: `${url}/api/` });
      expect(config.itglue.apiUrl).toBe(url);
      expect(config.slack?.apiUrl).toBe(`${url}/api/`);
    }
  });
});
