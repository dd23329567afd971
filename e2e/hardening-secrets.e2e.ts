/**
 * Start-up refusals and the demo's own secret, against the program `npm start` runs:
 *
 * - With real integrations configured (Slack, IT Glue, SMTP, a public PUBLIC_BASE_URL), a missing
 *   or short APPROVAL_SECRET stops the service with exactly one line naming it, whether NODE_ENV is
 *   unset or says development; so does each integration alone, and a short APPROVAL_SECRET_PREVIOUS.
 * - With Slack but no ITGLUE_API_KEY, the service stops with one line naming ITGLUE_API_KEY.
 * - With nothing configured (the demo), the service makes its approval secret once in DATA_DIR
 *   (mode 0600), signs its links with it, says at start and in the thread that IT Glue is simulated,
 *   reads the same secret after a restart (the link it mailed still opens), and refuses to start
 *   once the file can be read by others.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, expect, it } from 'vitest';
import { DEMO_SECRET_FILE } from '../src/demo-secret';
import { SIMULATED_ITGLUE } from '../src/wording';
import { verifyApprovalToken } from '../src/web/approval-token';
import {
  killGroup,
  portOutsideEphemeralRange,
  runCli,
  runServiceToExit,
  serviceEnv,
  startServiceProcess,
  waitUntil,
  type ServiceProcess,
} from '../test/support/service-process';
import { record } from './support/results';

const root = mkdtempSync(join(tmpdir(), 'invite-lite-e2e-secrets-'));
let checks = 0;
let serverErrors = 0;
let onboardings = 0;
let service: ServiceProcess | undefined;

afterAll(() => {
  if (service) killGroup(service.child);
  rmSync(root, { recursive: true, force: true });
});

/** An assertion that counts as one check. */
const check = (actual: unknown, label: string) => {
  checks += 1;
  return expect(actual, label);
};

const ADVICE = 'a random secret of at least 32 bytes (e.g. openssl rand -hex 32)';
const SECRET = 'e2e hardening approval secret: 32 bytes or more';

/** A configuration that looks real; nothing is contacted, the program stops before. */
const REAL = {
  SLACK_BOT_TOKEN: 'xoxb-1111111111-2222222222-realLookingBotToken',
  SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5',
  SLACK_CHANNEL_ID: 'C0ONBOARD1',
  SLACK_TECH_USERGROUP_ID: 'S0TECHS001',
  ITGLUE_API_KEY: 'ITG.0123456789abcdef0123456789abcdef.realLookingKey',
  ITGLUE_API_URL: 'https://api.eu.itglue.com',
  SMTP_URL: 'smtp://invite-lite:Sm7p-passw0rd@mail.northwind.example:587',
  MAIL_FROM: 'Northwind IT <it@northwind.example>',
  PUBLIC_BASE_URL: 'https://onboard.northwind.example',
};

/** The service's environment with these settings; NODE_ENV as given (null: unset). */
function envWith(settings: Record<string, string>, nodeEnv: string | null): NodeJS.ProcessEnv {
  const dataDir = mkdtempSync(join(root, 'data-'));
  const env = serviceEnv({ DATA_DIR: dataDir, PORT: '3999', ...settings });
  delete env.NODE_ENV;
  if (nodeEnv !== null) env.NODE_ENV = nodeEnv;
  return env;
}

/** Starts the program, expects it to stop with exactly this line and nothing else. */
async function refused(settings: Record<string, string>, nodeEnv: string | null, line: string) {
  const env = envWith(settings, nodeEnv);
  const result = await runServiceToExit(env);
  const what = `${JSON.stringify(Object.keys(settings))} with NODE_ENV ${nodeEnv ?? 'unset'}`;
  check(result.code, `exit code, ${what}`).toBe(1);
  check(result.stderr, `stderr, ${what}`).toBe(`${line}\n`);
  check(result.stdout, `stdout, ${what}`).toBe('');
  // Refused before anything was made: no demo secret, no database.
  check(readdirSync(env.DATA_DIR!), `files in DATA_DIR, ${what}`).toEqual([]);
  for (const value of [settings.APPROVAL_SECRET, settings.APPROVAL_SECRET_PREVIOUS, REAL.SMTP_URL, REAL.ITGLUE_API_KEY, REAL.SLACK_BOT_TOKEN]) {
    if (value) check(result.stderr.includes(value), `a secret in stderr, ${what}`).toBe(false);
  }
}

const { SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_CHANNEL_ID, SLACK_TECH_USERGROUP_ID, ITGLUE_API_KEY, ITGLUE_API_URL, SMTP_URL, MAIL_FROM, PUBLIC_BASE_URL } = REAL;
const SLACK = { SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_CHANNEL_ID, SLACK_TECH_USERGROUP_ID };

for (const nodeEnv of [null, 'development']) {
  it(`refuses to start without a real APPROVAL_SECRET when anything real is configured (NODE_ENV ${nodeEnv ?? 'unset'})`, async () => {
    await Promise.all([
      refused(REAL, nodeEnv, `APPROVAL_SECRET: required because SMTP_URL, SLACK_BOT_TOKEN and ITGLUE_API_KEY are set and PUBLIC_BASE_URL is not loopback: ${ADVICE}`),
      refused(
        { ...REAL, APPROVAL_SECRET: 'twenty-bytes-secret!' },
        nodeEnv,
        'APPROVAL_SECRET: expected at least 32 bytes (e.g. the output of openssl rand -hex 32), got 20 bytes (value not shown)',
      ),
      refused({ SMTP_URL, MAIL_FROM }, nodeEnv, `APPROVAL_SECRET: required because SMTP_URL is set: ${ADVICE}`),
      refused({ ITGLUE_API_KEY, ITGLUE_API_URL }, nodeEnv, `APPROVAL_SECRET: required because ITGLUE_API_KEY is set: ${ADVICE}`),
      refused({ ...SLACK, ITGLUE_API_KEY }, nodeEnv, `APPROVAL_SECRET: required because SLACK_BOT_TOKEN and ITGLUE_API_KEY are set: ${ADVICE}`),
      refused({ PUBLIC_BASE_URL }, nodeEnv, `APPROVAL_SECRET: required because PUBLIC_BASE_URL is not loopback: ${ADVICE}`),
      refused(
        { ...REAL, APPROVAL_SECRET: SECRET, APPROVAL_SECRET_PREVIOUS: 'old-and-short' },
        nodeEnv,
        'APPROVAL_SECRET_PREVIOUS: expected at least 32 bytes (e.g. the output of openssl rand -hex 32), got 13 bytes (value not shown)',
      ),
    ]);
  });

  it(`refuses to start Slack without ITGLUE_API_KEY (NODE_ENV ${nodeEnv ?? 'unset'})`, async () => {
    const line =
      'ITGLUE_API_KEY: required with SLACK_BOT_TOKEN: the IT Glue API key (without it IT Glue is only simulated, which is for trying the service without Slack)';
    await Promise.all([refused({ ...SLACK, APPROVAL_SECRET: SECRET }, nodeEnv, line), refused({ ...REAL, ITGLUE_API_KEY: '', APPROVAL_SECRET: SECRET }, nodeEnv, line)]);
  });
}

it('makes the demo its own secret once, signs with it, says IT Glue is simulated, and keeps the secret across a restart', async () => {
  const dataDir = join(root, 'demo');
  const port = await portOutsideEphemeralRange();
  const env = serviceEnv({ DATA_DIR: dataDir, PORT: String(port) });
  delete env.NODE_ENV;
  const file = join(dataDir, DEMO_SECRET_FILE);
  const warnings = (run: ServiceProcess) =>
    run.stdout.filter((line) => line.includes('"config.warning"')).map((line) => (JSON.parse(line) as { message: string }).message);

  service = await startServiceProcess(env, 120_000);
  const first = service;
  check(statSync(file).mode & 0o777, 'mode of the demo secret file').toBe(0o600);
  const secret = readFileSync(file, 'utf8').trim();
  check(secret, 'the demo secret: 32 random bytes, hex').toMatch(/^[0-9a-f]{64}$/);
  check(warnings(first), 'start-up lines').toEqual([
    `APPROVAL_SECRET is unset: approval links are signed with the demo secret in ${file} (made now); ` +
      'set APPROVAL_SECRET before configuring SMTP_URL, SLACK_BOT_TOKEN, ITGLUE_API_KEY or a public PUBLIC_BASE_URL',
    'ITGLUE_API_KEY is unset: IT Glue is simulated (placeholder organizations and contacts, nothing is read from or done in IT Glue), for trying the service only; every onboarding says so',
  ]);
  check(first.stdout.join('\n').includes(secret), 'the secret in the log').toBe(false);

  // An onboarding: its approval request goes to the outbox, signed with the demo secret.
  const started = await runCli(['start', '--org', '1001', '--contact', '2002', '--approver', '3003', '--by', 'U0TECH01'], env);
  check(started.code, 'CLI start').toBe(0);
  onboardings += 1;
  const workflowId = (JSON.parse(started.stdout) as { workflowId: string }).workflowId;
  const outbox = join(dataDir, 'outbox');
  const eml = await waitUntil(
    () => {
      try {
        return readdirSync(outbox).find((name) => name.startsWith('approval-request.r1.'));
      } catch {
        return undefined;
      }
    },
    60_000,
    'the approval request in the outbox',
  );
  const mail = await simpleParser(readFileSync(join(outbox, eml)));
  const link = /http:\/\/localhost:\d+\/approvals\/[A-Za-z0-9_.-]+/.exec(mail.text ?? '')?.[0];
  check(link, 'the approval link in the mail').toBeTruthy();
  const token = link!.split('/').pop()!;
  check(verifyApprovalToken(secret, token).ok, 'the link verifies with the demo secret').toBe(true);
  const open = async () => {
    const response = await fetch(`http://127.0.0.1:${port}/approvals/${token}`);
    if (response.status >= 500) serverErrors += 1;
    return response.status;
  };
  check(await open(), 'the approval page').toBe(200);

  // The thread (logged, without Slack) says that IT Glue is simulated.
  const status = await runCli(['status', workflowId], env);
  check((JSON.parse(status.stdout) as { itglueSimulated?: boolean }).itglueSimulated, 'the status says IT Glue is simulated').toBe(true);
  const roots = first.stdout
    .filter((line) => line.includes('"slack.updateThread"'))
    .map((line) => JSON.parse(line) as { workflowId: string; stage: string; itglue?: string })
    .filter((line) => line.workflowId === workflowId && line.stage !== 'VALIDATING');
  check(roots.length, 'thread updates after validation').toBeGreaterThan(0);
  check(
    roots.filter((line) => line.itglue !== SIMULATED_ITGLUE),
    'thread updates that do not say IT Glue is simulated',
  ).toEqual([]);

  first.child.kill('SIGTERM');
  check((await first.exited).code, 'exit code of the first run').toBe(0);
  service = undefined;

  // The next start reads the same secret: the link mailed before still opens.
  service = await startServiceProcess(env, 120_000);
  const second = service;
  check(readFileSync(file, 'utf8').trim(), 'the demo secret after a restart').toBe(secret);
  check(warnings(second)[0], 'the second start says the secret is reused').toContain('(made at an earlier start)');
  check(await open(), 'the approval page after a restart').toBe(200);
  second.child.kill('SIGTERM');
  check((await second.exited).code, 'exit code of the second run').toBe(0);
  service = undefined;

  // A secret file others can read is refused, in one line.
  chmodSync(file, 0o644);
  const result = await runServiceToExit(env);
  check(result.code, 'exit code with a world-readable secret file').toBe(1);
  check(result.stderr, 'stderr with a world-readable secret file').toBe(
    `APPROVAL_SECRET: unset, and the demo secret file ${file} is open to other users (mode 0644): chmod 600 it (or remove it to have a new secret made), or set APPROVAL_SECRET\n`,
  );
  check(readFileSync(file, 'utf8').trim(), 'the refused file is left as it was').toBe(secret);
});

it('records its figures', () => {
  check(serverErrors, 'server errors').toBe(0);
  record('hardening: secrets', { onboardings, serverErrors, lost: 0 }, `${checks} checks`);
});
