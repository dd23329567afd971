/**
 * The page of a batch approval link (docs/design.md §15.3) over HTTP, against the batch and its
 * member onboardings on the test Temporal server with the real mail activities: the link comes
 * from the one mail the local SMTP server received. GET and HEAD change nothing; a person left
 * without a choice gets the page again (400) and nothing is sent; one POST decides each person with
 * its own evidence; persons settled elsewhere are shown as such and not sent.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApprovalBatch } from '../src/approval-batches';
import { decideApproval } from '../src/onboardings';
import type { OnboardingStatus, Person } from '../workflows/types';
import { status as statusQuery } from '../workflows/messages';
import { linksIn } from './fakes/smtp';
import { BRANDING, startApprovalHarness, type ApprovalHarness } from './support/approval-harness';
import { PRIMARY } from './support/fake-activities';
import { testPolicy, waitForStage, waitForStatus } from './support/temporal';

let h: ApprovalHarness;
let counter = 0;

const PEOPLE: Person[] = [
  { contactId: '401', name: 'Ann Able', firstName: 'Ann', email: 'ann@acme.test' },
  { contactId: '402', name: 'Ben <b>Baker</b>', firstName: 'Ben', email: 'ben@acme.test' },
  { contactId: '403', name: 'Cat Cole', firstName: 'Cat', email: 'cat@acme.test' },
];

beforeAll(async () => {
  h = await startApprovalHarness();
  for (const p of PEOPLE) h.world.contacts.set(p.contactId, p);
});
afterAll(async () => {
  await h?.close();
});

interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, { redirect: 'manual', ...init });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** Starts a batch of the three, waits for its one mail; returns the members and the mail's link. */
async function batchOfThree() {
  counter += 1;
  const orgId = `${Date.now()}${counter}`;
  const batchId = `page${counter}`;
  const policy = testPolicy({ branding: BRANDING });
  const memberIds = PEOPLE.map((p) => `onboarding:${orgId}:${p.contactId}`);
  await startApprovalBatch(h.temporal.client, h.temporal.taskQueue, { orgId, batchId, memberIds, approverContactId: PRIMARY.contactId, policy, requestedBy: 'UTECH1' });
  const members: WorkflowHandle[] = [];
  for (const p of PEOPLE) {
    const request = {
      orgId,
      contactId: p.contactId,
      kind: 'itglue' as const,
      passwordAccess: p.contactId === '403',
      approverContactId: PRIMARY.contactId,
      requestedBy: 'UTECH1',
      batchId,
    };
    members.push(
      await h.temporal.client.workflow.start('onboarding', {
        taskQueue: h.temporal.taskQueue,
        workflowId: `onboarding:${orgId}:${p.contactId}`,
        args: [{ request, policy }],
      }),
    );
  }
  const mail = await h.smtp.waitFor(
    (m) => linksIn(m).length > 0 && m.parsed.subject === 'Approval needed for IT Glue access: 3 persons (Acme Dental)' && m.raw.includes(batchId),
  );
  const links = linksIn(mail);
  expect(links).toHaveLength(1);
  for (const m of members) await waitForStatus(m, (s) => s.approvalRound === 1 && s.waitingOn === 'approver');
  return { members, link: links[0]!, mail };
}

async function openForm(link: string) {
  const answer = await call(link);
  expect(answer.status).toBe(200);
  const cookie = (answer.headers.get('set-cookie') ?? '').split(';')[0]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(answer.body)?.[1];
  expect(csrf).toBeTruthy();
  return { answer, cookie, csrf: csrf! };
}

function post(link: string, cookie: string, fields: Record<string, string>, userAgent = 'Mozilla/5.0 (batch test)') {
  return call(link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'user-agent': userAgent },
    body: new URLSearchParams(fields).toString(),
  });
}

const field = (m: WorkflowHandle) => `decision:${m.workflowId}`;
const statusOf = (m: WorkflowHandle) => m.query(statusQuery) as Promise<OnboardingStatus>;

describe('the batch approval page', () => {
  it('mails the persons with their emails and access, and shows them on GET and HEAD without changing anything', async () => {
    const { members, link, mail } = await batchOfThree();
    expect(mail.parsed.text).toContain('ann@acme.test');
    expect(mail.parsed.text).toContain('Included: the user can see stored passwords');
    const before = await Promise.all(members.map(statusOf));
    for (let i = 0; i < 3; i += 1) {
      const page = await call(link);
      expect(page.status).toBe(200);
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.body).toContain('Ann Able');
      expect(page.body).toContain('Ben &lt;b&gt;Baker&lt;/b&gt;');
      expect(page.body).not.toContain('<b>Baker');
      expect(page.body).toContain('cat@acme.test');
      // Two choices per person, none chosen beforehand.
      expect(page.body.match(/type="radio"/g)).toHaveLength(6);
      expect(page.body).not.toContain('checked');
      const head = await call(link, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.body).toBe('');
    }
    const after = await Promise.all(members.map(statusOf));
    expect(after.map((s) => [s.stage, s.evidence, s.events.length])).toEqual(before.map((s) => [s.stage, s.evidence, s.events.length]));
  });

  it('gives the page again (400) naming the person left without a choice, and sends nothing', async () => {
    const { members, link } = await batchOfThree();
    const { cookie, csrf } = await openForm(link);
    const answer = await post(link, cookie, { csrf, [field(members[0]!)]: 'approve', [field(members[2]!)]: 'deny', comment: 'Kept' });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('choose Approve or Deny for Ben &lt;b&gt;Baker&lt;/b&gt;');
    expect(answer.body).toMatch(/value="approve" checked/);
    for (const m of members) expect((await statusOf(m)).evidence).toBeNull();
  });

  it('refuses a POST without the form’s CSRF value', async () => {
    const { members, link } = await batchOfThree();
    const fields = Object.fromEntries(members.map((m) => [field(m), 'approve']));
    const answer = await post(link, '', { ...fields, csrf: 'forged' });
    expect(answer.status).toBe(403);
    for (const m of members) expect((await statusOf(m)).evidence).toBeNull();
  });

  it('decides each person in one POST, each with its own evidence', async () => {
    const { members, link } = await batchOfThree();
    const { cookie, csrf } = await openForm(link);
    const answer = await post(link, cookie, {
      csrf,
      [field(members[0]!)]: 'approve',
      [field(members[1]!)]: 'deny',
      [field(members[2]!)]: 'approve',
      comment: 'Two\nyes, one no',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('Ann Able: You approved');
    expect(answer.body).toContain('Ben &lt;b&gt;Baker&lt;/b&gt;: You denied');
    expect(answer.body).toContain('Cat Cole: You approved');
    const [a, c] = await Promise.all([waitForStage(members[0]!, 'AWAITING_INVITE'), waitForStage(members[2]!, 'AWAITING_INVITE')]);
    const b = await waitForStage(members[1]!, 'DENIED');
    for (const [s, decision] of [
      [a, 'approve'],
      [b, 'deny'],
      [c, 'approve'],
    ] as const) {
      expect(s.evidence).toMatchObject({
        via: 'link',
        decision,
        round: 1,
        approver: PRIMARY,
        ip: '127.0.0.1',
        userAgent: 'Mozilla/5.0 (batch test)',
        comment: 'Two yes, one no',
      });
    }
    // The page now shows them as decided, with nothing left to choose.
    const again = await call(link);
    expect(again.body).toContain('Nothing is waiting for your decision any more');
    expect(again.body).toContain('Denied on');
    expect(again.body).not.toContain('type="radio"');
  });

  it('shows a person decided elsewhere as such and does not send it', async () => {
    const { members, link } = await batchOfThree();
    const { cookie, csrf } = await openForm(link);
    // Ann is decided elsewhere before the page is sent: she is not in the POST's decisions.
    const ann = await statusOf(members[0]!);
    await decideApproval(h.temporal.client, members[0]!.workflowId, {
      decision: 'deny',
      round: ann.approvalRound,
      approverContactId: PRIMARY.contactId,
      expiresAt: Date.parse(ann.approvalExpiresAt!),
      comment: 'elsewhere',
    });
    const answer = await post(link, cookie, { csrf, [field(members[0]!)]: 'approve', [field(members[1]!)]: 'approve', [field(members[2]!)]: 'approve' });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('Ann Able: Denied on');
    expect(answer.body).toContain('Cat Cole: You approved');
    expect((await waitForStage(members[0]!, 'DENIED')).evidence).toMatchObject({ decision: 'deny', comment: 'elsewhere' });
    await waitForStage(members[1]!, 'AWAITING_INVITE');
  });

  it('answers a forged or tampered batch link as not valid', async () => {
    const { link } = await batchOfThree();
    const answer = await call(`${link.slice(0, -3)}AAA`);
    expect(answer.status).toBe(404);
  });
});
