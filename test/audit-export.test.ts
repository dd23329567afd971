/**
 * The audit export on the real Temporal dev server: onboardings and offboardings decided every way
 * (the approver's link, an offline approval, a denial, a manager, no approval needed), read from
 * completed workflows' results and running ones' queries, as CSV and JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_COLUMNS, collectAudit, formatAudit, parsePeriod, type AuditRecord } from '../src/audit-export';
import { InvalidInputError, startReview } from '../src/onboardings';
import { approveRemoval, decide, recordOfflineApproval, status as statusQuery, userGone } from '../workflows/messages';
import type { OffboardingRequest, OnboardingRequest, OnboardingStatus } from '../workflows/types';
import { offboardingIdFor } from '../workflows/types';
import { FakeWorld, INVITEE, OTHER, PRIMARY, userFor } from './support/fake-activities';
import { connectTemporal, startOnboardingWorkflow, testPolicy, waitForStage, waitForStatus, type TestTemporal } from './support/temporal';

let temporal: TestTemporal;
let world: FakeWorld;
let stopWorkers: () => Promise<void>;
let records: AuditRecord[];
let startedAt: string;
let run = 0;

const org = () => `audit-${Date.now()}-${++run}`;
const onboardingOf = (contactId: string): OnboardingRequest => ({
  orgId: org(),
  contactId,
  kind: 'itglue',
  passwordAccess: false,
  requestedBy: 'UTECH1',
  ticket: 'T-77',
});

beforeAll(async () => {
  temporal = await connectTemporal();
  world = new FakeWorld();
  stopWorkers = await temporal.startWorkers(world.activities());
  startedAt = new Date(Date.now() - 1_000).toISOString();

  // An onboarding the approver approves through the link; one denied; one approved offline.
  const linked = await startOnboardingWorkflow(temporal, onboardingOf(INVITEE.contactId), testPolicy());
  let s = await waitForStatus(linked, (x) => x.stage === 'AWAITING_APPROVAL' && x.approvalRound === 1);
  await linked.executeUpdate(decide, {
    args: [
      {
        decision: 'approve',
        round: 1,
        approverContactId: PRIMARY.contactId,
        ip: '198.51.100.7',
        userAgent: 'Mozilla/5.0 (audit)',
        comment: '=HYPERLINK("http://evil.test")',
      },
    ],
  });
  await waitForStage(linked, 'AWAITING_INVITE');

  const denied = await startOnboardingWorkflow(temporal, onboardingOf(OTHER.contactId), testPolicy());
  s = await waitForStatus(denied, (x) => x.stage === 'AWAITING_APPROVAL' && x.approvalRound === 1);
  await denied.executeUpdate(decide, {
    args: [{ decision: 'deny', round: 1, approverContactId: PRIMARY.contactId, ip: '203.0.113.5', userAgent: 'UA', comment: 'No, "not" her' }],
  });
  expect((await denied.result()).stage).toBe('DENIED');

  const offline = await startOnboardingWorkflow(temporal, onboardingOf(INVITEE.contactId), testPolicy());
  s = await waitForStatus(offline, (x) => x.stage === 'AWAITING_APPROVAL');
  await offline.executeUpdate(recordOfflineApproval, { args: [{ by: 'UTECH2', channel: 'fax', note: 'Signed form, ticket T-77', seen: s.actionsTaken ?? 0 }] });
  await waitForStage(offline, 'AWAITING_INVITE');

  // Offboardings: one removed without approval (completed), one a manager approved (waiting for the deletion).
  const user = userFor(INVITEE);
  world.users.set(user.email, user);
  world.groupsOf.set(user.id, ['Customer - No Password Access']);
  const offboard = async (approval: 'none' | 'manager') => {
    const request: OffboardingRequest = {
      orgId: org(),
      contactId: INVITEE.contactId,
      userId: user.id,
      kind: 'itglue',
      passwordAccess: false,
      requestedBy: 'UTECH1',
      reason: 'Left; see T-9',
    };
    return temporal.client.workflow.start('offboarding', {
      taskQueue: temporal.taskQueue,
      workflowId: offboardingIdFor(request.orgId, request.userId),
      args: [{ request, policy: testPolicy({ offboarding: { approval } }) }],
    });
  };
  const managed = await offboard('manager');
  s = await waitForStatus(managed, (x) => x.stage === 'AWAITING_APPROVAL' && x.waitingOn === 'manager');
  await managed.executeUpdate(approveRemoval, { args: [{ by: 'UMANAGER1' }] });
  await waitForStage(managed, 'AWAITING_DELETION');
  const removed = await offboard('none');
  await waitForStage(removed, 'AWAITING_DELETION');
  world.users.delete(user.email);
  await removed.signal(userGone, { userId: user.id });
  expect((await removed.result()).stage).toBe('COMPLETED');

  // An access review the primary contact answered: Ines kept.
  world.reviewed = [
    {
      userId: user.id,
      contactId: INVITEE.contactId,
      name: INVITEE.name,
      email: user.email,
      roleName: 'Lite',
      myGlue: false,
      passwordAccess: false,
      invitedAt: null,
      approvedBy: PRIMARY.name,
      approvedAt: null,
      onboardingId: null,
      lastSignInAt: null,
      dormant: false,
    },
  ];
  const { workflowId: reviewId } = await startReview(temporal.client, temporal.taskQueue, { orgId: org(), requestedBy: 'U0MANAGER1' }, testPolicy());
  const review = temporal.client.workflow.getHandle(reviewId);
  s = await waitForStatus(review, (x) => x.stage === 'AWAITING_APPROVAL' && x.approvalRound === 1);
  await review.executeUpdate(decide, {
    args: [{ decision: 'approve', round: 1, approverContactId: PRIMARY.contactId, ip: '192.0.2.44', userAgent: 'UA-review', answers: { [user.id]: 'keep' } }],
  });
  expect((await review.result()).stage).toBe('COMPLETED');
  // The organization's next review, still waiting: a new run of the same workflow ID.
  const reviewOrg = ((await review.query(statusQuery)) as OnboardingStatus).request.orgId;
  const next = await startReview(temporal.client, temporal.taskQueue, { orgId: reviewOrg, requestedBy: 'schedule' }, testPolicy());
  expect(next).toEqual({ workflowId: reviewId, created: true });
  await waitForStatus(temporal.client.workflow.getHandle(reviewId), (x) => x.stage === 'AWAITING_APPROVAL');

  // Visibility is eventually consistent: wait until all six are listed.
  const period = { from: startedAt, to: new Date(Date.now() + 60_000).toISOString() };
  for (let i = 0; i < 100; i++) {
    ({ records } = await collectAudit(temporal.client, temporal.taskQueue, period));
    if (records.length >= 7) break;
    await new Promise((ok) => setTimeout(ok, 200));
  }
}, 120_000);

afterAll(async () => {
  await stopWorkers?.();
  await temporal?.close();
});

const byVia = (via: string) => records.filter((r) => r.decisionVia === via);

describe('audit export', () => {
  it('lists every onboarding and offboarding of the period with its decision and evidence', () => {
    expect(records).toHaveLength(7);
    const links = byVia('link').filter((r) => r.process === 'onboarding');
    const [approved, denied] = [links.find((r) => r.decision === 'approve')!, links.find((r) => r.decision === 'deny')!];
    expect(approved).toMatchObject({
      process: 'onboarding',
      organization: 'Acme Dental',
      person: INVITEE.name,
      requestedBy: 'UTECH1',
      ticket: 'T-77',
      stage: 'AWAITING_INVITE',
      endedAt: null,
      decidedBy: `${PRIMARY.name} <${PRIMARY.email}>`,
      ip: '198.51.100.7',
      userAgent: 'Mozilla/5.0 (audit)',
      channel: 'approval link',
    });
    expect(denied).toMatchObject({ stage: 'DENIED', ip: '203.0.113.5', comment: 'No, "not" her', person: OTHER.name });
    expect(denied.endedAt).not.toBeNull();
    expect(byVia('offline')[0]).toMatchObject({ decision: 'approve', channel: 'fax', comment: 'Signed form, ticket T-77', recordedBy: 'UTECH2' });
    expect(byVia('manager')[0]).toMatchObject({
      process: 'offboarding',
      decidedBy: 'UMANAGER1',
      channel: 'slack',
      stage: 'AWAITING_DELETION',
      groupsLeft: 'Customer - No Password Access',
      deletedAt: null,
      reason: 'Left; see T-9',
    });
    expect(byVia('not-needed')[0]).toMatchObject({ process: 'offboarding', stage: 'COMPLETED', authorizationRemoved: false });
    // Both runs of the organization's review: the answered one as it ended, the next one waiting.
    const reviews = records.filter((r) => r.process === 'review');
    expect(reviews.map((r) => r.stage).sort()).toEqual(['AWAITING_APPROVAL', 'COMPLETED']);
    expect(reviews.find((r) => r.stage === 'COMPLETED')).toMatchObject({
      stage: 'COMPLETED',
      requestedBy: 'U0MANAGER1',
      decidedBy: `${PRIMARY.name} <${PRIMARY.email}>`,
      ip: '192.0.2.44',
      userAgent: 'UA-review',
      reviewAnswers: 'ines@acme.test: keep',
    });
    expect(byVia('not-needed')[0]!.deletedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    // Every time is ISO 8601 UTC.
    for (const r of records) for (const t of [r.startedAt, r.decidedAt, r.endedAt]) if (t) expect(t).toMatch(/Z$/);
  });

  it('leaves out what was not open in the period', async () => {
    const before = { from: '2020-01-01T00:00:00.000Z', to: startedAt };
    expect((await collectAudit(temporal.client, temporal.taskQueue, before)).records).toEqual([]);
    expect((await collectAudit(temporal.client, 'another-deployment', { from: startedAt, to: '2100-01-01T00:00:00.000Z' })).records).toEqual([]);
  });

  it('writes CSV with a header, quoting, and formulas escaped; JSON as the same records', () => {
    const csv = formatAudit(records, 'csv');
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe(AUDIT_COLUMNS.join(','));
    expect(lines).toHaveLength(8);
    // A comment a spreadsheet would run as a formula is escaped; quotes are doubled.
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.test"")"`);
    expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
    expect(csv).toContain('"No, ""not"" her"');
    expect(JSON.parse(formatAudit(records, 'json'))).toEqual(records);
  });

  it('refuses a period that is not one', () => {
    expect(parsePeriod('2026-01-01', '2026-02-01')).toEqual({ from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' });
    expect(() => parsePeriod('yesterday', '2026-02-01')).toThrow(InvalidInputError);
    expect(() => parsePeriod('2026-02-01', '2026-01-01')).toThrow('--from must be before --to');
    expect(() => parsePeriod('2026-01-01', '2026-13-45')).toThrow('--to: expected an ISO 8601 date');
  });
});
