/**
 * The managers' audit export in Slack (docs/design.md §15.4): `/onboarding-status export [from to]`
 * answers at once, then uploads the CSV of the period's records into a direct message with the
 * manager through Slack's upload API (files.getUploadURLExternal, the bytes POSTed to the URL it
 * gave, files.completeUploadExternal), as the fake Slack speaks it. Refused to a tech; a bad period
 * gets a message saying what is expected; the file's content is never logged.
 */
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_COLUMNS, collectAudit, formatAudit } from '../../src/audit-export';
import { decideApproval } from '../../src/onboardings';
import { EXPORT_USAGE, exportPeriod } from '../../src/slack/audit-dm';
import { MANAGERS_ONLY } from '../../src/slack/status-scope';
import type { OnboardingStatus } from '../../workflows/types';
import { startFakeSlack } from '../fakes/slack-api';
import { INVITEE } from '../support/fake-activities';
import { eventually, startSlackHarness, USERS, type SlackHarness } from '../support/slack-harness';

const IP = '203.0.113.77';
let h: SlackHarness;
let onboardingId = '';

beforeAll(async () => {
  h = await startSlackHarness({ mode: 'world' });
  // An onboarding approved by the link: its decision's IP is in the record.
  onboardingId = await h.start({ orgId: '3001', contactId: INVITEE.contactId, requestedBy: USERS.tech });
  const asked = await eventually(async () => {
    const s = await h.temporal.client.workflow.getHandle(onboardingId).query<OnboardingStatus, []>('status');
    return s.stage === 'AWAITING_APPROVAL' && s.approvalRound === 1 ? s : null;
  }, 'the approval request');
  await decideApproval(h.temporal.client, onboardingId, {
    decision: 'approve',
    round: 1,
    approverContactId: asked.approver!.contactId,
    ip: IP,
    userAgent: 'Mozilla/5.0 (audit)',
  });
  await eventually(async () => {
    const s = await h.temporal.client.workflow.getHandle(onboardingId).query<OnboardingStatus, []>('status');
    // Then it waits for the tech: the record stays as it is while the tests read it.
    return s.evidence?.via === 'link' && s.stage === 'AWAITING_INVITE';
  }, 'the decision');
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('/onboarding-status export', () => {
  it('answers at once, then sends the manager a DM with one CSV file of the records (the decision’s IP in it)', async () => {
    const filesBefore = h.slack.files().length;
    const callsBefore = h.slack.calls.length;
    const logBefore = h.logged.length;
    const { response } = await h.command('/onboarding-status', USERS.manager, 'export');
    expect(response.status).toBe(200);
    const answers = () =>
      h.slack.calls
        .slice(callsBefore)
        .filter((c) => c.method === 'response_url')
        .map((c) => (c.args as { text: string }).text);
    const first = await eventually(() => answers()[0], 'the first answer');
    expect(first).toMatch(/^Preparing the export for \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}… it comes as a file in your direct messages with the app\.$/);
    const done = await eventually(() => answers()[1], 'the export', 30_000);
    expect(done).toMatch(/^The audit export for \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2} \(\d+ records?\) is in your direct messages with the app\.$/);

    // Slack's upload, step by step: the DM, an upload URL, the bytes, the completion into the DM.
    // (The onboarding's thread activity may post meanwhile: its calls are left aside.)
    const steps = h.slack.calls.slice(callsBefore).filter((c) => /^(files\.|conversations\.open$|upload$)/.test(c.method));
    expect(steps.map((c) => [c.method, c.ok])).toEqual([
      ['conversations.open', true],
      ['files.getUploadURLExternal', true],
      ['upload', true],
      ['files.completeUploadExternal', true],
    ]);
    const dm = `D${USERS.manager.slice(1)}`;
    expect(steps[0]!.args).toMatchObject({ users: USERS.manager });
    expect(steps[3]!.args).toMatchObject({ channel_id: dm });

    const files = h.slack.files().slice(filesBefore);
    expect(files).toHaveLength(1);
    const file = files[0]!;
    expect(file.channel).toBe(dm);
    expect(file.filename).toMatch(/^invite-lite-audit-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv$/);
    expect(file.title).toMatch(/^invite-lite audit export, \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}$/);
    const csv = file.bytes.toString('utf8');
    expect(csv.split('\n')[0]).toBe(AUDIT_COLUMNS.join(','));
    const row = csv.split('\n').find((line) => line.startsWith(`${onboardingId},`))!;
    expect(row).toContain(`,${IP},Mozilla/5.0 (audit),`);

    // The bytes are the records' CSV, as the CLI's export writes it for the same period.
    const logged = h.logged.slice(logBefore).find((l) => l.event === 'slack.auditExported')!;
    expect(logged.fields).toMatchObject({ by: USERS.manager, bytes: file.bytes.length, fileId: file.id });
    const period = { from: logged.fields.from as string, to: logged.fields.to as string };
    expect(Date.parse(period.to) - Date.parse(period.from)).toBe(90 * 86_400_000);
    expect(csv).toBe(formatAudit((await collectAudit(h.temporal.client, h.temporal.taskQueue, period)).records, 'csv'));
    // Never the content in the log.
    // Never the content in the log (the IP is in the thread's own reply, not from here).
    const logs = JSON.stringify(h.logged);
    expect(logs).not.toContain(AUDIT_COLUMNS.slice(0, 4).join(','));
    expect(logs).not.toContain(`${onboardingId},onboarding,`);
  });

  it('takes a period of two days, both included', async () => {
    expect(exportPeriod(['2026-01-01', '2026-03-31'])).toEqual({ from: '2026-01-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' });
    expect(exportPeriod(['2026-03-01', '2026-03-01'])).toEqual({ from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' });
    const now = Date.parse('2026-06-01T12:00:00.000Z');
    expect(exportPeriod([], now)).toEqual({ from: '2026-03-03T12:00:00.000Z', to: '2026-06-01T12:00:00.000Z' });
    for (const bad of [['2026-03-01'], ['2026-02-30', '2026-03-01'], ['2026-03-05', '2026-03-01'], ['last', 'month'], ['2026-03-01', '2026-03-02', 'x']]) {
      expect(exportPeriod(bad)).toBeNull();
    }
  });

  it('a bad period gets a message saying what is expected; nothing is exported', async () => {
    const callsBefore = h.slack.calls.length;
    for (const text of ['export 2026-02-30 2026-03-01', 'export 2026-03-05 2026-03-01', 'export last month']) {
      const before = h.slack.callsOf('response_url').length;
      await h.command('/onboarding-status', USERS.manager, text);
      const answer = await eventually(() => h.slack.callsOf('response_url')[before], `the answer to ${text}`);
      expect(answer.args).toEqual({ response_type: 'ephemeral', text: EXPORT_USAGE });
    }
    expect(h.slack.calls.slice(callsBefore).filter((c) => /^(files\.|conversations\.open|upload)/.test(c.method))).toEqual([]);
  });

  it('is refused to a tech, privately; nothing is exported', async () => {
    const callsBefore = h.slack.calls.length;
    const before = h.slack.callsOf('response_url').length;
    await h.command('/onboarding-status', USERS.tech, 'export 2026-01-01 2026-03-31');
    const answer = await eventually(() => h.slack.callsOf('response_url')[before], 'the refusal');
    expect(answer.args).toEqual({ response_type: 'ephemeral', text: MANAGERS_ONLY.export });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.slack.calls.slice(callsBefore).filter((c) => /^(files\.|conversations\.open|upload)/.test(c.method))).toEqual([]);
  });
});

describe('the fake Slack’s file upload', () => {
  it('speaks Slack’s three steps: an upload URL on itself, the bytes, the completion; an unknown or incomplete file is refused', async () => {
    const slack = await startFakeSlack();
    try {
      const client = new WebClient(slack.botToken, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
      const { upload_url, file_id } = await client.files.getUploadURLExternal({ filename: 'a.csv', length: 3 });
      expect(upload_url!.startsWith(slack.url.replace(/\/api\/$/, '/upload/v1/'))).toBe(true);
      expect(file_id).toMatch(/^F\d+$/);
      // Not uploaded yet: nothing to complete.
      await expect(client.files.completeUploadExternal({ files: [{ id: file_id! }], channel_id: 'D0MGR00001' })).rejects.toMatchObject({
        data: { error: 'file_not_found' },
      });
      const posted = await fetch(upload_url!, { method: 'POST', body: 'a,b' });
      expect([posted.status, await posted.text()]).toEqual([200, 'OK - 3']);
      expect((await fetch(upload_url!, { method: 'POST', body: 'again' })).status).toBe(404);
      await expect(client.files.completeUploadExternal({ files: [{ id: 'F999' }], channel_id: 'D0MGR00001' })).rejects.toMatchObject({
        data: { error: 'file_not_found' },
      });
      const done = await client.files.completeUploadExternal({ files: [{ id: file_id!, title: 'A' }], channel_id: 'D0MGR00001' });
      expect(done.files?.[0]).toMatchObject({ id: file_id, title: 'A' });
      expect(slack.files()).toEqual([{ id: file_id, filename: 'a.csv', title: 'A', bytes: Buffer.from('a,b'), channel: 'D0MGR00001', initialComment: null }]);
      // Once only.
      await expect(client.files.completeUploadExternal({ files: [{ id: file_id! }] })).rejects.toMatchObject({ data: { error: 'file_not_found' } });
      expect((await client.conversations.open({ users: 'U0MGR00001' })).channel).toEqual({ id: 'D0MGR00001' });
    } finally {
      await slack.close();
    }
  });

  it('needs files:write and im:write, as Slack does', async () => {
    const slack = await startFakeSlack({ scopes: ['commands', 'chat:write'] });
    try {
      const client = new WebClient(slack.botToken, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
      await expect(client.files.getUploadURLExternal({ filename: 'a.csv', length: 3 })).rejects.toMatchObject({
        data: { error: 'missing_scope', needed: 'files:write' },
      });
      await expect(client.conversations.open({ users: 'U0MGR00001' })).rejects.toMatchObject({ data: { error: 'missing_scope', needed: 'im:write' } });
    } finally {
      await slack.close();
    }
  });
});
