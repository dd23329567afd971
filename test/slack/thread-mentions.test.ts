/**
 * People are told: the onboarding workflow on the test Temporal server, with test-sized durations
 * and the real Slack activities against the fake Slack Web API, reminds, escalates, expires and
 * stalls; each reply that asks someone to act starts with their mention, exactly as Slack receives
 * it in chat.postMessage (the tech who started the onboarding; the managers by their user group's
 * handle, or each listed manager).
 */
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggingSlackActivities } from '../../activities/logging';
import { createSlackActivities } from '../../activities/slack';
import type { SlackConfig } from '../../src/config/slack';
import { fixed, invitationResent, invitationSent } from '../../workflows/messages';
import type { Policy } from '../../workflows/policy';
import type { OnboardingRequest, OnboardingStatus } from '../../workflows/types';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api';
import { FakeWorld, INVITEE, userFor } from '../support/fake-activities';
import { connectTemporal, startOnboardingWorkflow, testPolicy, waitForStage, waitForStatus, type TestTemporal } from '../support/temporal';

const CHANNEL = 'C0MENTION';
const TECH = 'U0TECH0001';
let temporal: TestTemporal;
let fake: FakeSlack;
let counter = 0;

beforeAll(async () => {
  [temporal, fake] = await Promise.all([connectTemporal(), startFakeSlack()]);
});
afterAll(async () => {
  await temporal.close();
  await fake.close();
});

type Managers = Pick<SlackConfig, 'managerUsergroupId' | 'managerUserIds'>;

/** Runs `body` with workers whose Slack activities have these manager settings; ends its onboardings after. */
async function withWorkers(
  managers: Managers,
  body: (world: FakeWorld, start: (req: Partial<OnboardingRequest>, policy: Policy) => Promise<WorkflowHandle>) => Promise<void>,
) {
  fake.reset();
  const world = new FakeWorld();
  const slack = createSlackActivities({ botToken: fake.botToken, apiUrl: fake.url, channelId: CHANNEL, ...managers }, { log: () => {} });
  const stop = await temporal.startWorkers({ ...world.activities(), ...slack });
  const started: WorkflowHandle[] = [];
  try {
    await body(world, async (req, policy) => {
      counter += 1;
      const request: OnboardingRequest = {
        orgId: `${Date.now()}-${counter}`,
        contactId: INVITEE.contactId,
        kind: 'itglue',
        passwordAccess: false,
        requestedBy: TECH,
        ...req,
      };
      const handle = await startOnboardingWorkflow(temporal, request, policy);
      started.push(handle);
      return handle;
    });
  } finally {
    await Promise.all(started.map((h) => h.terminate('test over').catch(() => undefined)));
    await stop();
  }
}

/** The texts of the onboarding's thread replies, as chat.postMessage received them, by event type. */
function replies(s: OnboardingStatus): Array<[string, string]> {
  return fake
    .callsOf('chat.postMessage')
    .filter((c) => c.ok && c.args.thread_ts === s.thread?.ts && (c.args.metadata as { event_payload: { workflowId: string } }).event_payload.workflowId === s.workflowId)
    .map((c) => [(c.args.metadata as { event_payload: { type: string } }).event_payload.type, String(c.args.text)]);
}

describe('replies that ask someone to act mention them', () => {
  it('approval: reminder sent and escalation mention the tech; the expiry mentions the managers’ user group', async () => {
    await withWorkers({ managerUsergroupId: 'S0MANAGERS', managerUserIds: ['U0MGR0001'] }, async (_world, start) => {
      const policy = testPolicy({ approval: { reminderEvery: 1_000, maxReminders: 1, escalateAfter: 2_000, timeout: 3_000 } });
      const handle = await start({}, policy);
      const s = (await handle.result()) as OnboardingStatus;
      expect(s.stage).toBe('APPROVAL_EXPIRED');
      expect(s.events.filter((e) => e.mention).map((e) => [e.type, e.mention])).toEqual([
        ['approval-reminder', { users: [TECH] }],
        ['escalated', { users: [TECH] }],
        ['approval-expired', { managers: true }],
      ]);
      expect(replies(s)).toEqual([
        ['approval-requested', ':email: Approval requested from Paula Primary by email.'],
        ['approval-reminder', `<@${TECH}> :bell: Reminder 1 sent to Paula Primary.`],
        ['escalated', `<@${TECH}> :warning: Paula Primary has not answered: ask another contact or record an approval received offline.`],
        ['approval-expired', '<!subteam^S0MANAGERS> :hourglass: No answer from Paula Primary in time: the request has expired.'],
      ]);
    });
  }, 60_000);

  it('invitation: the reminder and the expired link mention the tech; the stall mentions each listed manager', async () => {
    await withWorkers({ managerUsergroupId: null, managerUserIds: ['U0MGR0001', 'W0MGR0002'] }, async (world, start) => {
      const policy = testPolicy({ invite: { remindTechAfter: 700, maxTechReminders: 1, linkValidity: 1_500, maxResends: 1 } });
      const handle = await start({ approverContactId: INVITEE.contactId }, policy);
      await waitForStatus(handle, (x) => x.events.some((e) => e.type === 'tech-reminder'));

      world.users.set(INVITEE.email.toLowerCase(), userFor(INVITEE));
      await handle.signal(invitationSent, { by: TECH });
      await waitForStatus(handle, (x) => x.subState === 'INVITE_EXPIRED');
      await handle.signal(invitationResent, { by: TECH });
      const s = await waitForStage(handle, 'STALLED');
      await waitForStatus(handle, () => replies(s).some(([type]) => type === 'stalled'));

      const told = new Map(replies(s));
      expect(told.get('tech-reminder')).toBe(`<@${TECH}> :bell: The IT Glue invitation for Ines@acme.test has not been seen yet: please send it.`);
      expect(told.get('invite-expired')).toBe(
        `<@${TECH}> :hourglass: The invitation link for ines@acme.test expired unused. Resend it: IT Glue → Account → Users → the "Invited User" row → Reset Invitation, then press Resent.`,
      );
      expect(told.get('stalled')).toBe('<@U0MGR0001> <@W0MGR0002> :rotating_light: Needs a manager: the invitation expired 2 times without being accepted.');
      // Replies that ask nobody to act mention nobody.
      for (const [type, text] of replies(s)) {
        if (!['tech-reminder', 'invite-expired', 'stalled'].includes(type)) expect(text, type).not.toMatch(/<@U0MGR|<@W0MGR|<!subteam\^/);
      }
      expect(told.get('instructions-sent')).toBe(':email: Access instructions emailed to Ines Invitee.');
    });
  }, 60_000);

  it('verification: a mismatch in the user mentions the tech, one in the account the managers, the confirmation the tech', async () => {
    await withWorkers({ managerUsergroupId: 'S0MANAGERS', managerUserIds: [] }, async (world, start) => {
      world.users.set(INVITEE.email.toLowerCase(), userFor(INVITEE));
      world.mismatches.push(['The role of ines@acme.test is "Editor"; it must be "Lite".']);
      world.accountMismatches.push(['The customer group "Customer - No Password Access" is shared by every customer, but gives access to "Bluebird".']);
      const handle = await start({ approverContactId: INVITEE.contactId }, testPolicy());
      await waitForStatus(handle, (x) => x.subState === 'MISMATCH');
      await handle.signal(fixed, { by: TECH });
      const s = await waitForStatus(handle, (x) => x.subState === 'CONFIRM_SETTINGS');
      await waitForStatus(handle, () => replies(s).some(([type]) => type === 'confirm-settings'));
      const told = new Map(replies(s));
      expect(told.get('account-mismatch')).toBe(
        '<!subteam^S0MANAGERS> :rotating_light: Needs a manager: fix in IT Glue, then press Fixed:\n• The customer group "Customer - No Password Access" is shared by every customer, but gives access to "Bluebird".',
      );
      expect(told.get('mismatch')).toBe(`<@${TECH}> :warning: Please fix in IT Glue, then press Fixed:\n• The role of ines@acme.test is "Editor"; it must be "Lite".`);
      expect(told.get('confirm-settings')).toMatch(new RegExp(`^<@${TECH}> :mag: ines@acme\\.test is in IT Glue with the right role and group\\.`));
    });
  }, 60_000);

  it('without manager settings, a stall mentions nobody and still says it needs a manager', async () => {
    await withWorkers({ managerUsergroupId: null, managerUserIds: [] }, async (world, start) => {
      const handle = await start({ approverContactId: INVITEE.contactId }, testPolicy({ invite: { linkValidity: 300, maxResends: 0 } }));
      await waitForStage(handle, 'AWAITING_INVITE');
      world.users.set(INVITEE.email.toLowerCase(), userFor(INVITEE));
      await handle.signal(invitationSent, { by: TECH });
      const s = await waitForStage(handle, 'STALLED');
      await waitForStatus(handle, () => replies(s).some(([type]) => type === 'stalled'));
      expect(new Map(replies(s)).get('stalled')).toBe(':rotating_light: Needs a manager: the invitation expired 1 times without being accepted.');
      expect(s.events.find((e) => e.type === 'stalled')?.mention).toEqual({ managers: true });
    });
  }, 60_000);
});

describe('without Slack', () => {
  it('the logging activities log whom a reply would mention', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const slack = loggingSlackActivities((event, fields) => void lines.push({ event, ...fields }));
    const thread = { channel: 'log', ts: 'onboarding:1:2' };
    await slack.postToThread({
      workflowId: 'onboarding:1:2',
      thread,
      event: { at: '2026-02-26T10:00:00.000Z', type: 'stalled', text: 'Needs a manager: x', mention: { managers: true } },
    });
    await slack.postToThread({ workflowId: 'onboarding:1:2', thread, event: { at: '2026-02-26T10:00:00.000Z', type: 'verified', text: 'Verified.' } });
    expect(lines).toEqual([
      { event: 'slack.postToThread', workflowId: 'onboarding:1:2', type: 'stalled', text: 'Needs a manager: x', mention: { managers: true } },
      { event: 'slack.postToThread', workflowId: 'onboarding:1:2', type: 'verified', text: 'Verified.' },
    ]);
  });
});
