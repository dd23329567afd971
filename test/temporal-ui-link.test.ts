/**
 * TEMPORAL_UI_URL: the onboarding's page in the Temporal UI, linked from the thread's root
 * ("Details"), the App Home's rows and the CLI's `status`; by default the embedded server's UI.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../src/cli/commands';
import { ConfigError, loadConfig } from '../src/config';
import { serviceActivities } from '../src/service-activities';
import { itemLine } from '../src/slack/views/format';
import { managerHome } from '../src/slack/views/home';
import type { Item } from '../src/slack/views/models';
import { workflowPageUrl } from '../src/temporal/ui-link';
import { startFakeSlack, type FakeSlack } from './fakes/slack-api';
import { statusFixture } from './support/fake-activities';
import type { ThreadRef } from '../workflows/types';

const dir = mkdtempSync(join(tmpdir(), 'invite-lite-ui-link-'));
let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

const PAGE = 'https://temporal.acme-it.example/namespaces/msp-prod/workflows/onboarding%3A100%3A201';

describe('TEMPORAL_UI_URL', () => {
  it('links to <ui>/namespaces/<ns>/workflows/<id>, the ID encoded', () => {
    expect(workflowPageUrl('https://temporal.acme-it.example/', 'msp-prod', 'onboarding:100:201')).toBe(PAGE);
    expect(workflowPageUrl('https://ui.example/base', 'default', 'a/b?c#d')).toBe('https://ui.example/base/namespaces/default/workflows/a%2Fb%3Fc%23d');
  });

  it('is the embedded UI’s address by default, none with TEMPORAL_ADDRESS or headless, and what it says when set', () => {
    expect(loadConfig({ DATA_DIR: dir }).temporal.uiUrl).toBeNull();
    expect(loadConfig({ DATA_DIR: dir, TEMPORAL_UI_PORT: '8233' }).temporal.uiUrl).toBe('http://localhost:8233');
    expect(loadConfig({ DATA_DIR: dir, TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_UI_PORT: '8233' }).temporal.uiUrl).toBeNull();
    const set = loadConfig({ DATA_DIR: dir, TEMPORAL_ADDRESS: 'my-ns.a1b2c.tmprl.cloud:7233', TEMPORAL_UI_URL: 'https://cloud.temporal.io' });
    expect(set.temporal.uiUrl).toBe('https://cloud.temporal.io');
  });

  it('refuses what is not an http(s) URL, in one line naming the variable', () => {
    for (const value of ['temporal.acme-it.example', 'ftp://ui.example', 'https://ui.example/?x=1']) {
      expect(() => loadConfig({ DATA_DIR: dir, TEMPORAL_UI_URL: value })).toThrow(ConfigError);
      expect(() => loadConfig({ DATA_DIR: dir, TEMPORAL_UI_URL: value })).toThrow(/^TEMPORAL_UI_URL: expected an http:\/\/ or https:\/\/ URL/);
    }
  });
});

describe('where the link appears', () => {
  const env = (extra: Record<string, string> = {}) =>
    loadConfig({
      DATA_DIR: dir,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: 'ui-link-test-signing-secret',
      SLACK_API_URL: slack.url,
      SLACK_CHANNEL_ID: 'C0UILINK01',
      SLACK_TECH_USER_IDS: 'U0TECH0001',
      ITGLUE_API_KEY: 'ITG.ui-link-test',
      ITGLUE_API_URL: 'http://127.0.0.1:9',
      APPROVAL_SECRET: 'ui-link-test approval secret, 32 bytes or more',
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_NAMESPACE: 'msp-prod',
      ...extra,
    });
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

  it('the thread’s root message links “Details” to the onboarding’s page', async () => {
    const config = env({ TEMPORAL_UI_URL: 'https://temporal.acme-it.example' });
    const { slack: activities } = serviceActivities(config, () => undefined, { client: {} as Client, taskQueue: 'ui-link' });
    const s = statusFixture({ workflowId: 'onboarding:100:201' });
    const thread = (await new MockActivityEnvironment({ attempt: 1 }, { logger: quiet }).run(() => activities.updateThread(s))) as ThreadRef;
    const root = slack.messages('C0UILINK01').find((m) => m.ts === thread.ts)!;
    expect(JSON.stringify(root.blocks)).toContain(`<${PAGE}|Details>`);
  });

  it('no “Details” link without a Temporal UI', async () => {
    const { slack: activities } = serviceActivities(env(), () => undefined, { client: {} as Client, taskQueue: 'ui-link' });
    const s = statusFixture({ workflowId: 'onboarding:100:202' });
    const thread = (await new MockActivityEnvironment({ attempt: 1 }, { logger: quiet }).run(() => activities.updateThread(s))) as ThreadRef;
    const root = slack.messages('C0UILINK01').find((m) => m.ts === thread.ts)!;
    expect(JSON.stringify(root.blocks)).not.toContain('Details>');
  });

  it('an App Home row links “Details” to the page', () => {
    const now = Date.parse('2031-07-06T12:00:00.000Z');
    const item: Item = {
      workflowId: 'onboarding:100:201',
      stage: 'AWAITING_INVITE',
      orgId: '100',
      orgName: 'Acme Dental',
      invitee: 'Ines Invitee',
      requestedBy: 'U0TECH0001',
      startedAt: '2031-07-05T12:00:00.000Z',
      deadline: null,
      waitingOn: 'tech',
      subState: null,
      overdue: false,
      link: null,
      details: PAGE,
      reason: null,
    };
    expect(itemLine(item, now)).toContain(`<${PAGE}|Details>`);
    expect(itemLine({ ...item, details: null }, now)).not.toContain('Details');
    const home = managerHome({ counts: [{ stage: 'AWAITING_INVITE', count: 1 }], open: [item], stalled: [], overdue: [], recent: [], medians: [], recentDays: 30 }, now);
    expect(JSON.stringify(home.blocks)).toContain(`<${PAGE}|Details>`);
  });

  it('the CLI’s status output carries the page', async () => {
    const s = statusFixture({ workflowId: 'onboarding:100:201' });
    const client = { workflow: { getHandle: () => ({ query: async () => s }) } } as unknown as Client;
    const lines: string[] = [];
    await runCommand({ command: 'status', workflowId: s.workflowId }, client, env({ TEMPORAL_UI_URL: 'https://temporal.acme-it.example' }), (l) => lines.push(l));
    expect(JSON.parse(lines.join('\n'))).toMatchObject({ workflowId: s.workflowId, stage: s.stage, temporalUi: PAGE });
    lines.length = 0;
    await runCommand({ command: 'status', workflowId: s.workflowId }, client, env(), (l) => lines.push(l));
    expect(JSON.parse(lines.join('\n'))).not.toHaveProperty('temporalUi');
  });
});
