/**
 * /onboarding-status and the App Home against onboardings in several stages: open ones by stage,
 * overdue first, each with its age and a link to its thread; a tech's own only; a manager's
 * dashboard with counts per stage, stalled and overdue ones, recent completions and the median time
 * per stage. Built from visibility queries and each onboarding's status.
 */
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openOnboardings } from '../../src/slack/overview';
import { OTHERS_REFUSED } from '../../src/slack/status-scope';
import { managerHome, MAX_HOME_BLOCKS } from '../../src/slack/views/home';
import { statusMessage } from '../../src/slack/views/status-list';
import type { Dashboard, Item } from '../../src/slack/views/models';
import type { OnboardingStatus } from '../../workflows/types';
import { SEED } from '../fakes/itglue-server';
import { INVITEE, OTHER, PRIMARY, userFor } from '../support/fake-activities';
import { eventually, startSlackHarness, USERS, type SlackHarness } from '../support/slack-harness';
import { testPolicy } from '../support/temporal';

let h: SlackHarness;
const ids = { approval: '', overdue: '', stalled: '', completed: '', cancelled: '' };

const status = (workflowId: string) => h.temporal.client.workflow.getHandle(workflowId).query<OnboardingStatus, []>('status');
const until = (workflowId: string, check: (s: OnboardingStatus) => boolean, what: string) =>
  eventually(async () => {
    const s = await status(workflowId);
    return check(s) ? s : null;
  }, what);

beforeAll(async () => {
  h = await startSlackHarness({ mode: 'world' });
  // Waiting for approval, requested by the tech.
  ids.approval = await h.start({ orgId: '2001', contactId: INVITEE.contactId, requestedBy: USERS.tech });
  // Waiting for the invitation, the tech already reminded: overdue. Requested by the other tech.
  ids.overdue = await h.start(
    { orgId: '2002', contactId: OTHER.contactId, approverContactId: OTHER.contactId, requestedBy: USERS.tech2 },
    testPolicy({ invite: { remindTechAfter: 300, maxTechReminders: 1 } }),
  );
  // Both past validation before the next one's validation is made to fail.
  await until(ids.approval, (s) => s.stage !== 'VALIDATING', 'validated');
  await until(ids.overdue, (s) => s.stage !== 'VALIDATING', 'validated');
  // Stalled (IT Glue refused), for Bluebird, by the other tech.
  h.world.failures.set('validateRequest', [ApplicationFailure.nonRetryable('IT Glue refused the API key (401)', 'ItGlueAuth')]);
  ids.stalled = await h.start({ orgId: SEED.org.bluebird, contactId: INVITEE.contactId, requestedBy: USERS.tech2 });
  await until(ids.stalled, (s) => s.stage === 'STALLED', 'stalled');
  // Completed on its own: the primary contact, already signed in to IT Glue.
  h.world.users.set(PRIMARY.email.toLowerCase(), userFor(PRIMARY, { invitationAcceptedAt: new Date().toISOString(), currentSignInAt: new Date().toISOString() }));
  ids.completed = await h.start({ orgId: '2004', contactId: PRIMARY.contactId, approverContactId: PRIMARY.contactId, requestedBy: USERS.tech });
  // Found in IT Glue before anyone pressed Invitation sent: the tech confirms the settings.
  await until(ids.completed, (s) => s.subState === 'CONFIRM_SETTINGS', 'the confirmation of the settings');
  await h.temporal.client.workflow.getHandle(ids.completed).signal('settingsConfirmed', { by: USERS.tech });
  // Cancelled: never listed as open.
  ids.cancelled = await h.start({ orgId: '2005', contactId: INVITEE.contactId, requestedBy: USERS.tech });
  await until(ids.cancelled, (s) => s.stage === 'AWAITING_APPROVAL', 'approval');
  await h.temporal.client.workflow.getHandle(ids.cancelled).signal('cancel', { by: USERS.manager });

  await until(ids.approval, (s) => s.stage === 'AWAITING_APPROVAL' && !!s.thread, 'approval');
  await until(ids.overdue, (s) => s.events.some((e) => e.type === 'tech-reminder'), 'the tech reminder');
  await until(ids.completed, (s) => s.stage === 'COMPLETED', 'completed');
  await until(ids.cancelled, (s) => s.stage === 'CANCELLED', 'cancelled');
  // Visibility catches up with the stages.
  await eventually(async () => {
    const c = await h.temporal.client.workflow.count(`TaskQueue = "${h.temporal.taskQueue}" AND ExecutionStatus = "Running" AND OnboardingStage = "STALLED"`);
    const d = await h.temporal.client.workflow.count(`TaskQueue = "${h.temporal.taskQueue}" AND OnboardingStage = "COMPLETED"`);
    // Onboardings only: the completed one's scope watch runs on beside them.
    const open = await h.temporal.client.workflow.count(`TaskQueue = "${h.temporal.taskQueue}" AND WorkflowType = "onboarding" AND ExecutionStatus = "Running"`);
    return c.count === 1 && d.count === 1 && open.count === 3;
  }, 'visibility');
}, 60_000);

afterAll(async () => {
  await h?.close();
});

type Answer = { response_type?: string; text: string; blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ text: string }> }> };

/** Runs the command and returns the ephemeral answer posted to its response_url (commands run one at a time). */
async function statusCommand(user: string, text = ''): Promise<Answer> {
  const before = h.slack.callsOf('response_url').length;
  const { response, body } = await h.command('/onboarding-status', user, text);
  expect(response.status).toBe(200);
  if (body) return JSON.parse(body) as Answer;
  const call = await eventually(() => h.slack.callsOf('response_url')[before], `the answer to /onboarding-status ${text}`);
  return call.args as unknown as Answer;
}

const textOf = (answer: Pick<Answer, 'blocks'>) => answer.blocks.map((b) => b.text?.text ?? b.elements?.map((e) => e.text).join(' ') ?? '').join('\n');

/** Where each onboarding's line is in the text (-1: not there). */
function positions(text: string) {
  const at = (workflowId: string) => {
    const root = h.root(workflowId);
    return root ? text.indexOf(`p${root.ts.replace('.', '')}`) : -1;
  };
  return { approval: at(ids.approval), overdue: at(ids.overdue), stalled: at(ids.stalled), completed: at(ids.completed), cancelled: at(ids.cancelled) };
}

describe('/onboarding-status', () => {
  it('shows a manager every open onboarding, overdue first, then by stage, each linked to its thread with its age', async () => {
    const answer = await statusCommand(USERS.manager);
    expect(answer.response_type).toBe('ephemeral');
    const text = textOf(answer);
    const at = positions(text);
    expect(at.overdue).toBeGreaterThan(-1);
    expect(at.approval).toBeGreaterThan(at.overdue);
    expect(at.stalled).toBeGreaterThan(at.approval);
    expect(at.completed).toBe(-1);
    expect(at.cancelled).toBe(-1);
    expect(text.indexOf('Overdue (1)')).toBeLessThan(text.indexOf('Waiting for approval (1)'));
    expect(text).toContain('Stalled (1)');
    expect(text).toMatch(/<https:\/\/fake-team\.slack\.com\/archives\/C0ONBOARD1\/p\d+\|\*Ines Invitee\* · Acme Dental> — (under a minute|\dm) old/);
    expect(text).toContain('Open onboardings — everyone: 3');
  });

  it('shows a tech their own only: naming someone else is refused, naming themselves shows their own', async () => {
    const own = positions(textOf(await statusCommand(USERS.tech)));
    expect(own.approval).toBeGreaterThan(-1);
    expect([own.overdue, own.stalled]).toEqual([-1, -1]);

    const from = h.logged.length;
    const named = await statusCommand(USERS.tech, `<@${USERS.tech2}|tech2>`);
    expect(named).toEqual({ response_type: 'ephemeral', text: OTHERS_REFUSED });
    expect(OTHERS_REFUSED).toBe('You can list your own onboardings only: a manager can list anyone’s. Nothing else was read.');
    expect(h.logged.slice(from).filter((l) => l.event === 'slack.refused')).toEqual([
      { event: 'slack.refused', fields: { user: USERS.tech, rule: 'own onboardings only' } },
    ]);

    const self = await statusCommand(USERS.tech, `<@${USERS.tech}|tech>`);
    const mine = positions(textOf(self));
    expect(mine.approval).toBeGreaterThan(-1);
    expect([mine.overdue, mine.stalled]).toEqual([-1, -1]);
    expect(textOf(self)).toContain('Open onboardings — yours: 1');

    // A manager may name anyone.
    const theirs = await statusCommand(USERS.manager, `<@${USERS.tech2}|tech2>`);
    const at = positions(textOf(theirs));
    expect(at.overdue).toBeGreaterThan(-1);
    expect(at.stalled).toBeGreaterThan(-1);
    expect(at.approval).toBe(-1);
    expect(textOf(theirs)).toContain(`requested by <@${USERS.tech2}>`);
  });

  it('filters by stage and by organization: a tech’s own, a manager’s everyone’s', async () => {
    const mineStalled = await statusCommand(USERS.tech, 'stalled');
    expect(textOf(mineStalled)).toContain('No open onboardings');
    const allStalled = positions(textOf(await statusCommand(USERS.manager, 'STALLED')));
    expect(allStalled.stalled).toBeGreaterThan(-1);
    expect(allStalled.approval).toBe(-1);

    // Bluebird's only open onboarding is the other tech's: a tech does not see it, a manager does.
    const techBluebird = await statusCommand(USERS.tech, 'bluebird');
    expect(positions(textOf(techBluebird)).stalled).toBe(-1);
    expect(textOf(techBluebird)).toContain('No open onboardings');
    expect(textOf(techBluebird)).toContain('yours, Bluebird Logistics');
    const bluebird = await statusCommand(USERS.manager, 'bluebird');
    const found = positions(textOf(bluebird));
    expect(found.stalled).toBeGreaterThan(-1);
    expect(found.approval).toBe(-1);
    expect(textOf(bluebird)).toContain('Bluebird Logistics');
    // The tech's own onboarding at Acme Dental, by the organization's ID.
    const acme = positions(textOf(await statusCommand(USERS.tech, '2001')));
    expect(acme.approval).toBeGreaterThan(-1);
    expect(positions(textOf(await statusCommand(USERS.tech, '2002'))).overdue).toBe(-1);

    const overdue = positions(textOf(await statusCommand(USERS.manager, 'overdue')));
    expect(overdue.overdue).toBeGreaterThan(-1);
    expect(overdue.approval).toBe(-1);
  });

  it('counts them all with a count query, lists only what it shows (past deadlines first), from what the onboardings publish', async () => {
    const getHandle = vi.spyOn(h.temporal.client.workflow, 'getHandle');
    try {
      const now = Date.now();
      const one = await openOnboardings(h.app.deps, {}, now, 1);
      expect(one.total).toBe(3);
      expect(one.items).toHaveLength(1);
      const message = JSON.stringify(statusMessage('everyone', one.items, one.total, now).blocks);
      expect(message).toContain('Open onboardings — everyone: 3');
      expect(message).toContain('Showing 1 of 3');

      // A year on, the approval's deadline has passed: it comes first although two are newer.
      const later = now + 365 * 86_400_000;
      const late = await openOnboardings(h.app.deps, {}, later, 1);
      expect(late.items.map((i) => [i.workflowId, i.overdue])).toEqual([[ids.approval, true]]);
      expect(late.items[0]).toMatchObject({ invitee: INVITEE.name, orgName: 'Acme Dental', stage: 'AWAITING_APPROVAL', waitingOn: 'approver' });
      expect(late.items[0]!.link).toContain(`p${h.root(ids.approval)!.ts.replace('.', '')}`);

      const all = await openOnboardings(h.app.deps, {}, now);
      expect(all.items.map((i) => i.workflowId).sort()).toEqual([ids.approval, ids.overdue, ids.stalled].sort());
      expect(all.items.find((i) => i.workflowId === ids.overdue)!.overdue).toBe(true);
      expect(all.items.find((i) => i.workflowId === ids.stalled)!.reason).toContain('IT Glue refused the API key');
      // No onboarding was asked for its status: the lists carried what is shown.
      expect(getHandle).not.toHaveBeenCalled();
    } finally {
      getHandle.mockRestore();
    }
  });

  it('asks Slack for the bot’s identity (auth.test) once, not for every request', async () => {
    const before = h.slack.callsOf('auth.test').length;
    expect(before).toBeLessThanOrEqual(1);
    await statusCommand(USERS.manager);
    await statusCommand(USERS.tech);
    await statusCommand(USERS.outsider);
    await statusCommand(USERS.tech2, 'stalled');
    expect(h.slack.callsOf('auth.test')).toHaveLength(before);
  });

  it('refuses someone who is neither a tech nor a manager', async () => {
    const answer = await statusCommand(USERS.outsider);
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toContain('Only the techs and managers');
  });

  it('escapes what it prints and stays within Slack’s 50 blocks however many there are', () => {
    const now = Date.now();
    const item = (n: number): Item => ({
      workflowId: `onboarding:${n}:1`,
      stage: n % 2 ? 'AWAITING_APPROVAL' : 'AWAITING_INVITE',
      orgId: String(n),
      orgName: 'Smith & <Jones> @channel',
      invitee: '<script>alert(1)</script> *bold*',
      requestedBy: USERS.tech,
      startedAt: new Date(now - n * 3_600_000).toISOString(),
      deadline: null,
      waitingOn: 'approver',
      subState: null,
      overdue: n % 7 === 0,
      link: `https://fake-team.slack.com/archives/C1/p${n}`,
      reason: null,
    });
    const items = Array.from({ length: 400 }, (_, n) => item(n + 1));
    const message = statusMessage('everyone', items, 400, now);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const text = JSON.stringify(message.blocks);
    expect(text).not.toContain('<script>');
    expect(text).not.toContain('<Jones>');
    expect(text).toContain('&lt;script&gt;');
    expect(text).toContain('more not shown');
  });
});

describe('App Home', () => {
  type Home = { blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ text: string }> }> };
  const published = (user: string) => h.slack.views.published[user] as Home | undefined;

  async function open(user: string): Promise<Home> {
    const before = h.slack.callsOf('views.publish').filter((c) => c.args.user_id === user).length;
    const response = await h.appHomeOpened(user);
    expect(response.status).toBe(200);
    await eventually(() => h.slack.callsOf('views.publish').filter((c) => c.args.user_id === user && c.ok).length > before, `the Home tab of ${user}`);
    return published(user)!;
  }

  it('gives a manager the dashboard: counts per stage, stalled, overdue, recent completions, median time per stage', async () => {
    const home = await open(USERS.manager);
    expect(home.blocks.length).toBeLessThanOrEqual(MAX_HOME_BLOCKS);
    const text = textOf(home);
    expect(text).toContain('*Open: 3*');
    expect(text).toContain('Waiting for approval: *1*');
    expect(text).toContain('Waiting for the IT Glue invitation: *1*');
    expect(text).toContain('Stalled: *1*');
    const sections = (title: string) => {
      const start = home.blocks.findIndex((b) => b.type === 'header' && b.text?.text.startsWith(title));
      const end = home.blocks.findIndex((b, i) => i > start && b.type === 'header');
      return textOf({ blocks: home.blocks.slice(start, end < 0 ? undefined : end) });
    };
    expect(positions(sections('Stalled (1)')).stalled).toBeGreaterThan(-1);
    expect(positions(sections('Overdue (1)')).overdue).toBeGreaterThan(-1);
    const recent = sections('Recently completed');
    expect(positions(recent).completed).toBeGreaterThan(-1);
    expect(recent).toContain('Paula Primary');
    const medians = sections('Median time per stage');
    expect(medians).toContain('Waiting for the IT Glue invitation: *');
    expect(medians).toContain('Checking the request: *');
  });

  it('gives a tech their own open onboardings, and others a notice', async () => {
    const home = await open(USERS.tech);
    const tech = textOf(home);
    expect(tech).toContain('Your onboardings');
    // Their own open ones, then their own recent completions (docs/design.md §15: each with Remove access).
    const recentAt = home.blocks.findIndex((b) => b.type === 'header' && b.text?.text === 'Recently completed');
    expect(recentAt).toBeGreaterThan(-1);
    const at = positions(textOf({ blocks: home.blocks.slice(0, recentAt) }));
    expect(at.approval).toBeGreaterThan(-1);
    expect([at.overdue, at.stalled, at.completed]).toEqual([-1, -1, -1]);
    expect(positions(textOf({ blocks: home.blocks.slice(recentAt) })).completed).toBeGreaterThan(-1);

    const other = textOf(await open(USERS.outsider));
    expect(other).toContain('Only the techs and managers can use it');
  });

  it('stays within Slack’s 100 blocks for a Home tab however many onboardings there are', () => {
    const now = Date.now();
    const many: Item[] = Array.from({ length: 500 }, (_, n) => ({
      workflowId: `onboarding:${n}:1`,
      stage: (['AWAITING_APPROVAL', 'AWAITING_INVITE', 'STALLED', 'VERIFYING'] as const)[n % 4]!,
      orgId: String(n),
      orgName: `Org ${n}`,
      invitee: `Person ${n}`,
      requestedBy: USERS.tech,
      startedAt: new Date(now - n * 60_000).toISOString(),
      deadline: new Date(now - 1000).toISOString(),
      waitingOn: 'tech',
      subState: null,
      overdue: n % 3 === 0,
      link: null,
      reason: n % 4 === 2 ? 'IT Glue refused the API key' : null,
    }));
    const dashboard: Dashboard = {
      counts: [{ stage: 'AWAITING_APPROVAL', count: 125 }],
      open: many,
      stalled: many.filter((i) => i.stage === 'STALLED'),
      overdue: many.filter((i) => i.overdue),
      recent: [],
      medians: [],
      recentDays: 30,
    };
    expect(managerHome(dashboard, now).blocks.length).toBeLessThanOrEqual(MAX_HOME_BLOCKS);
  });
});
