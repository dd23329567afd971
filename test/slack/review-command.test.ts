/**
 * The access reviews in Slack (docs/design.md §15.2), against real `accessReview` workflows with
 * FakeWorld's IT Glue stand-ins: `/onboarding-status reviews` (managers; techs refused privately)
 * lists the open ones with their threads and the recent outcomes, and the other forms of the
 * command list no review; the managers' App Home has an "Access reviews" section, a tech's none;
 * `/onboarding-status review <organization>` starts one review of exactly one organization (the
 * second time: the one already open), and says which candidates a name matches, or that none does;
 * the review's thread buttons act on it through the onboarding's listeners.
 */
import { status as statusQuery } from '../../workflows/messages';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideApproval, startReview } from '../../src/onboardings';
import { ACTIONS } from '../../src/slack/action-ids';
import { MANAGERS_ONLY } from '../../src/slack/status-scope';
import { CHANGE_APPROVER_CALLBACK_ID } from '../../src/slack/views/approval-modals';
import { reviewIdFor, type OnboardingStatus } from '../../workflows/types';
import { SEED } from '../fakes/itglue-server';
import { INVITEE, OTHER } from '../support/fake-activities';
import { reviewedUser } from '../support/reviewed-user';
import { eventually, startSlackHarness, USERS, type SlackHarness } from '../support/slack-harness';

let h: SlackHarness;
const ids = { waiting: '', completed: '', stalled: '' };

const status = (workflowId: string) => h.temporal.client.workflow.getHandle(workflowId).query<OnboardingStatus, []>('status');
const until = (workflowId: string, check: (s: OnboardingStatus) => boolean, what: string) =>
  eventually(async () => {
    const s = await status(workflowId);
    return check(s) ? s : null;
  }, what);

async function review(orgId: string): Promise<string> {
  const { workflowId } = await startReview(h.temporal.client, h.temporal.taskQueue, { orgId, requestedBy: USERS.manager }, h.policy);
  return workflowId;
}

beforeAll(async () => {
  h = await startSlackHarness({ mode: 'world' });
  h.world.reviewed = [reviewedUser(INVITEE), reviewedUser(OTHER, { onboardingId: null, approvedBy: null, approvedAt: null, dormant: true })];
  // Waiting for Paula's answer.
  ids.waiting = await review('2100');
  // Answered (Ines kept, Otto removed), then completed.
  ids.completed = await review('2101');
  const asked = await until(ids.completed, (s) => s.stage === 'AWAITING_APPROVAL' && s.approvalRound === 1, 'the review asked');
  const [ines, otto] = h.world.reviewed.map((u) => u.userId) as [string, string];
  await decideApproval(h.temporal.client, ids.completed, {
    decision: 'approve',
    round: asked.approvalRound,
    approverContactId: asked.approver!.contactId,
    ip: '198.51.100.9',
    answers: { [ines]: 'keep', [otto]: 'remove' },
  });
  await until(ids.completed, (s) => s.stage === 'COMPLETED', 'the review completed');
  await until(ids.waiting, (s) => s.stage === 'AWAITING_APPROVAL' && !!s.thread, 'the review waiting');
  await eventually(async () => {
    const open = await h.temporal.client.workflow.count(`TaskQueue = "${h.temporal.taskQueue}" AND WorkflowType = "accessReview" AND ExecutionStatus = "Running"`);
    const done = await h.temporal.client.workflow.count(`TaskQueue = "${h.temporal.taskQueue}" AND WorkflowType = "accessReview" AND OnboardingStage = "COMPLETED"`);
    return open.count === 1 && done.count === 1;
  }, 'visibility');
}, 60_000);

afterAll(async () => {
  h?.world.releaseHolds();
  await h?.close();
});

type Answer = { response_type?: string; text: string; blocks?: Array<{ type: string; text?: { text: string }; elements?: Array<{ text: string }> }> };

/** Runs the command and returns its first ephemeral answer (sent to its response_url). */
async function statusCommand(user: string, text = ''): Promise<Answer> {
  const before = h.slack.callsOf('response_url').length;
  const { response } = await h.command('/onboarding-status', user, text);
  expect(response.status).toBe(200);
  const call = await eventually(() => h.slack.callsOf('response_url')[before], `the answer to /onboarding-status ${text}`, 30_000);
  return call.args as unknown as Answer;
}

const textOf = (answer: { blocks?: Answer['blocks']; text?: string }) =>
  answer.blocks ? answer.blocks.map((b) => b.text?.text ?? b.elements?.map((e) => e.text).join(' ') ?? '').join('\n') : (answer.text ?? '');
const threadMark = (workflowId: string) => `p${h.root(workflowId)!.ts.replace('.', '')}`;

describe('/onboarding-status reviews', () => {
  it('shows a manager the open reviews with who answers, the deadline and the thread, then the recent outcomes', async () => {
    const answer = await statusCommand(USERS.manager, 'reviews');
    expect(answer.response_type).toBe('ephemeral');
    const text = textOf(answer);
    expect(text).toContain('*Open access reviews: 1*');
    expect(text).toContain('*Due (1)*');
    expect(text).toContain('*:warning: Overdue (0)*');
    const line = text.split('\n').find((l) => l.includes(threadMark(ids.waiting)))!;
    expect(line).toMatch(
      /^<https:\/\/fake-team\.slack\.com\/archives\/C0ONBOARD1\/p\d+\|\*Acme Dental\*> — (under a minute|\dm) old · answers: Paula Primary · answer due <!date\^/,
    );
    expect(text).toContain('Recent outcomes (last 30 days): 1 kept, 1 removed, 0 unanswered');
    const outcome = text.split('\n').find((l) => l.includes(threadMark(ids.completed)))!;
    expect(outcome).toContain('— 1 kept, 1 removed · closed <!date^');
  });

  it('is refused to a tech, privately, as are the other managers’ forms; nothing is read or started', async () => {
    const from = h.logged.length;
    for (const [text, refusal] of [
      ['reviews', MANAGERS_ONLY.reviews],
      ['review Acme', MANAGERS_ONLY.review],
      ['export', MANAGERS_ONLY.export],
    ] as const) {
      expect(await statusCommand(USERS.tech, text)).toEqual({ response_type: 'ephemeral', text: refusal });
    }
    expect(
      h.logged
        .slice(from)
        .filter((l) => l.event === 'slack.refused')
        .map((l) => l.fields.rule),
    ).toEqual(['managers only: reviews', 'managers only: review', 'managers only: export']);
    expect(h.logged.slice(from).some((l) => l.event === 'slack.reviewStarted')).toBe(false);
  });

  it('the other forms list onboardings and offboardings only, never a review', async () => {
    for (const text of ['', 'AWAITING_APPROVAL', '2100']) {
      const listed = textOf(await statusCommand(USERS.manager, text));
      expect(listed).not.toContain(threadMark(ids.waiting));
      expect(listed).toContain('No open onboardings');
    }
  });
});

describe('App Home', () => {
  type Home = { blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ text: string }> }> };
  async function open(user: string): Promise<Home> {
    const before = h.slack.callsOf('views.publish').filter((c) => c.args.user_id === user).length;
    expect((await h.appHomeOpened(user)).status).toBe(200);
    await eventually(() => h.slack.callsOf('views.publish').filter((c) => c.args.user_id === user && c.ok).length > before, `the Home tab of ${user}`);
    return h.slack.views.published[user] as Home;
  }

  it('gives managers an "Access reviews" section (due, overdue, recent outcomes), and techs none of it', async () => {
    const manager = await open(USERS.manager);
    const start = manager.blocks.findIndex((b) => b.type === 'header' && b.text?.text === 'Access reviews (1 open)');
    expect(start).toBeGreaterThan(-1);
    const section = textOf({ blocks: manager.blocks.slice(start) });
    expect(section).toContain('*Due (1)*');
    expect(section).toContain(threadMark(ids.waiting));
    expect(section).toContain('Recent outcomes (last 30 days): 1 kept, 1 removed, 0 unanswered');
    // The onboardings' counts leave the reviews out.
    expect(textOf({ blocks: manager.blocks })).toContain('*Open: 0*');

    const tech = textOf({ blocks: (await open(USERS.tech)).blocks });
    expect(tech).not.toContain('Access reviews');
    expect(tech).not.toContain(threadMark(ids.waiting));
  });
});

describe('/onboarding-status review <organization>', () => {
  const running = async (workflowId: string) =>
    (await h.temporal.client.workflow.count(`TaskQueue = "${h.temporal.taskQueue}" AND WorkflowId = "${workflowId}" AND ExecutionStatus = "Running"`)).count;

  it('starts the review of the one organization the name matches, requested by the manager; the second time, links the open one', async () => {
    // Bluebird Logistics (FakeWorld's stand-ins gather Acme Dental's users for any organization).
    const workflowId = reviewIdFor(SEED.org.bluebird);
    const first = await statusCommand(USERS.manager, 'review Bluebird');
    expect(first.response_type).toBe('ephemeral');
    const s = await until(workflowId, (x) => !!x.thread, 'the review’s thread');
    expect(s.process).toBe('review');
    expect(s.request).toMatchObject({ orgId: SEED.org.bluebird, requestedBy: USERS.manager });
    expect(first.text).toBe(
      `The access review of Bluebird Logistics has started: <https://fake-team.slack.com/archives/C0ONBOARD1/${threadMark(workflowId)}|its thread>.`,
    );
    await until(workflowId, (x) => x.stage === 'AWAITING_APPROVAL', 'the review waiting');

    const second = await statusCommand(USERS.manager, `review ${SEED.org.bluebird}`);
    expect(second.text).toBe(
      `A review of Bluebird Logistics is already open (Waiting for the answer): <https://fake-team.slack.com/archives/C0ONBOARD1/${threadMark(workflowId)}|its thread>. Nothing else was started.`,
    );
    await eventually(async () => (await running(workflowId)) === 1, 'one review running');
    expect(h.logged.filter((l) => l.event === 'slack.reviewStarted').map((l) => l.fields)).toEqual([
      { workflowId, created: true, by: USERS.manager },
      { workflowId, created: false, by: USERS.manager },
    ]);
  });

  it('names the candidates when several organizations match, and says so when none does; starts nothing', async () => {
    // Two organizations have the same name: only the id tells them apart.
    const acme = await statusCommand(USERS.manager, 'review Acme');
    expect(acme.text).toContain(`• Acme Dental (id 100)\n• Acme Dental (id ${SEED.org.acme})`);
    expect(acme.text).toContain('give its IT Glue id');
    const several = await statusCommand(USERS.manager, 'review Smith');
    expect(several.text).toContain('Several organizations match “Smith”');
    expect(several.text).toContain(`• Smith (id ${SEED.org.smith})`);
    expect(several.text).toContain(`• Smith, Jones &amp; Co (id ${SEED.org.smithJones})`);
    expect(several.text).toContain('Nothing was started.');
    expect((await statusCommand(USERS.manager, 'review Zebra Imports')).text).toBe('No customer organization in IT Glue matches “Zebra Imports”. Nothing was started.');
    expect((await statusCommand(USERS.manager, 'review 999999')).text).toBe('IT Glue has no customer organization with the id 999999. Nothing was started.');
    expect((await statusCommand(USERS.manager, 'review')).text).toContain('Name the organization to review');
    for (const orgId of ['100', SEED.org.acme, SEED.org.smith, SEED.org.smithJones]) expect(await running(reviewIdFor(orgId))).toBe(0);
  });
});

describe('a review’s thread buttons', () => {
  it('Ask another contact opens the approver modal; Cancel stops the review (the onboarding’s listeners, on access-review IDs)', async () => {
    const workflowId = reviewIdFor(SEED.org.bluebird);
    // A review is the managers': a tech's press opens nothing.
    const before = h.slack.views.opened.length;
    await h.press(ACTIONS.askAnotherContact, workflowId, USERS.tech);
    await h.press(ACTIONS.cancel, workflowId, USERS.tech);
    await new Promise((r) => setTimeout(r, 500));
    expect(h.slack.views.opened.length).toBe(before);
    expect((await h.temporal.client.workflow.getHandle(workflowId).query(statusQuery)).stage).not.toBe('CANCELLED');

    const opened = h.slack.views.opened.length;
    await h.press(ACTIONS.askAnotherContact, workflowId, USERS.manager);
    const modal = await eventually(() => h.slack.views.opened[opened] as { callback_id: string; private_metadata: string } | undefined, 'the modal');
    expect(modal.callback_id).toBe(CHANGE_APPROVER_CALLBACK_ID);
    expect(JSON.parse(modal.private_metadata)).toMatchObject({ workflowId });

    await h.press(ACTIONS.cancel, workflowId, USERS.manager);
    const s = await until(workflowId, (x) => x.stage === 'CANCELLED', 'the review cancelled');
    expect(s.events.find((e) => e.type === 'cancelled')!.by).toBe(USERS.manager);
  });

  it('Resume, by a manager, resumes a stalled review', async () => {
    h.world.failures.set('gatherReview', [ApplicationFailure.nonRetryable('IT Glue refused the API key (401)', 'ItGlueAuth')]);
    ids.stalled = await review('2102');
    await until(ids.stalled, (s) => s.stage === 'STALLED' && !!s.thread, 'the review stalled');
    await eventually(() => h.root(ids.stalled)?.blocks.some((b) => JSON.stringify(b).includes(ACTIONS.resume)), 'the Resume button');
    await h.press(ACTIONS.resume, ids.stalled, USERS.manager);
    await until(ids.stalled, (s) => s.stage === 'AWAITING_APPROVAL', 'the review resumed');
  });
});
