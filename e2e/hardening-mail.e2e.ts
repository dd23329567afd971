/**
 * Mail that must be encrypted is never sent in clear: the service, told that its SMTP server needs
 * TLS (`requireTLS=true`, what an `smtp://` server across the network gets without being told),
 * meets a server whose STARTTLS has been stripped. It sends neither the password (no AUTH) nor the
 * approval request, keeps the onboarding waiting for the mail to go out, and never logs the
 * password. (Tests reach only this machine's loopback, where TLS is otherwise not required.)
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeSmtpServer } from '../test/fakes/smtp';
import { newInvitee, prepareItGlue, PRIMARY, tech } from './support/people';
import { record } from './support/results';
import { SECRETS, startStack, type Stack } from './support/stack';

const credentials = { user: 'invite-lite', pass: SECRETS.smtpPassword };
let stack: Stack;
let stripped: FakeSmtpServer;

beforeAll(async () => {
  // A server that offers no STARTTLS, as one behind an attacker who strips it would.
  stripped = await FakeSmtpServer.start({ auth: credentials });
  stack = await startStack({ env: { SMTP_URL: `${stripped.url(credentials)}?requireTLS=true` } });
  prepareItGlue(stack);
}, 180_000);

afterAll(async () => {
  await stack?.close();
  await stripped?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('sends no password and no approval link to a server whose STARTTLS was stripped, and keeps trying', async () => {
  let checks = 0;
  const check = (ok: boolean, what: string) => {
    expect(ok, what).toBe(true);
    checks += 1;
  };
  const invitee = newInvitee(stack, 'Tls');
  const workflowId = await tech.invite(stack, { invitee, approverContactId: PRIMARY.contactId, kind: { kind: 'itglue', passwordAccess: false } });
  await stack.waitFor(workflowId, (s) => s.stage === 'AWAITING_APPROVAL', 'the approval stage', 60_000);
  // The send is tried (the server sees the client ask for TLS) and retried with back-off.
  const deadline = Date.now() + 60_000;
  while (stripped.commands.filter((c) => c === 'STARTTLS').length < 2 && Date.now() < deadline) await sleep(250);
  check(stripped.commands.filter((c) => c === 'STARTTLS').length >= 2, 'the service asked for STARTTLS at least twice');
  check(!stripped.commands.includes('AUTH'), 'no AUTH was ever sent');
  check(!stripped.commands.includes('MAIL') && stripped.received.length === 0, 'no message was sent');
  const s = await stack.status(workflowId);
  check(s.stage === 'AWAITING_APPROVAL' && s.approvalRound === 0, 'the approval request counts only once its mail is out');
  const log = stack.log().join('\n');
  check(!log.includes(SECRETS.smtpPassword), 'the SMTP password is not in the log');
  check(/STARTTLS/.test(log), 'the log says why the mail did not go out');
  check(!log.includes('"level":"fatal"'), 'the service keeps running');
  record(
    'hardening: mail',
    { onboardings: 1, lost: 0, serverErrors: 0 },
    `${checks} checks; STARTTLS asked ${stripped.commands.filter((c) => c === 'STARTTLS').length} times, AUTH 0`,
  );
}, 180_000);
