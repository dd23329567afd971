/**
 * The README's pictures (docs/pictures/*.png), drawn from the project's real views so that they stay
 * true: `npm run pictures`.
 *
 * - modal.png: the /invite-lite modal (inviteModal) with an organization and a contact chosen;
 * - thread.png: an onboarding's thread root (threadRoot) waiting for the IT Glue invitation, and
 *   three replies (threadReply);
 * - app-home.png: the managers' App Home (managerHome) with onboardings in several stages;
 * - approval-phone.png: the approval page the approver opens from the email, served by the real
 *   approval routes on a loopback HTTP server, at phone size.
 *
 * The Slack views are turned into Slack-like HTML (scripts/block-kit-html.ts); headless Chromium
 * (scripts/headless-chromium.ts) takes the screenshots. All data is made up; nothing leaves this
 * machine.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import type { Page } from 'playwright-core';
import { ruleText } from '../src/slack/invite-form';
import { managerHome } from '../src/slack/views/home';
import { inviteModal, type ContactChoice } from '../src/slack/views/invite-modal';
import { threadReply } from '../src/slack/views/thread-reply';
import { threadRoot } from '../src/slack/views/thread';
import { approvalRoutes } from '../src/web/approval-pages';
import { approvalLink } from '../src/web/approval-token';
import { startHttpServer } from '../src/web/server';
import { customerGroupFor, DEFAULT_POLICY, type Policy } from '../workflows/policy';
import { isFinal, STAGES, type Stage } from '../workflows/stages';
import type { OnboardingEvent, OnboardingStatus, Person } from '../workflows/types';
import { statusFixture } from '../test/support/fake-activities';
import { homePage, modalPage, threadPage, type Workspace } from './block-kit-html';
import { withHeadlessChromium } from './headless-chromium';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = join(ROOT, 'docs/pictures');
/** A PNG larger than this is worth a look (the README loads all four). */
const MAX_BYTES = 300 * 1024;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The moment the Slack pictures show (fixed, so that a picture changes only when a view does). */
const NOW = Date.parse('2026-03-04T10:30:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const ago = (ms: number) => iso(NOW - ms);

const TECH = 'U07TECHSAM';
const TECH2 = 'U07TECHLEE';
const MANAGER = 'U07MGRRITA';

const WORKSPACE: Workspace = {
  now: NOW,
  users: { [TECH]: 'Sam Patel', [TECH2]: 'Lee Morgan', [MANAGER]: 'Rita Okafor' },
  app: { name: 'invite-lite', initials: 'IL' },
};

const BRANDING: Policy['branding'] = { ...DEFAULT_POLICY.branding, mspName: 'Harbor IT', supportContact: 'help@harbor-it.example' };

const ORG = { id: '4107', name: 'Bayside Dental' };
const person = (contactId: string, name: string, email: string): Person => ({ contactId, name, firstName: name.split(' ')[0]!, email });
const MAYA = person('88213', 'Maya Chen', 'maya.chen@baysidedental.example');
const DANIEL = person('88190', 'Daniel Ortiz', 'daniel.ortiz@baysidedental.example');
const CONTACTS: ContactChoice[] = [
  DANIEL,
  person('88201', 'Grace Kim', 'grace.kim@baysidedental.example'),
  MAYA,
  person('88224', 'Omar Haddad', 'omar.haddad@baysidedental.example'),
].map((p) => ({ id: p.contactId, name: p.name, email: p.email }));

/** What managerHome draws (its types, wherever they are declared). */
type Dashboard = Parameters<typeof managerHome>[0];
type Item = Dashboard['open'][number];

const threadLink = (n: number) => `https://harbor-it.slack.com/archives/C07ONBOARD/p177254${String(n).padStart(4, '0')}000100`;

// --- The Slack views, from the real builders --------------------------------------------------

function modalView() {
  return inviteModal({
    channelId: 'C07ONBOARD',
    notice: null,
    org: { ...ORG, myGlue: true },
    contacts: CONTACTS,
    withoutEmail: ['Front Desk'],
    primary: { kind: 'one', contactId: DANIEL.contactId },
    ruleText: ruleText(DEFAULT_POLICY),
    myGlueGroups: null,
    myGluePasswords: null,
    selected: { contactId: MAYA.contactId, kind: 'itglue', passwordAccess: false, ticket: 'T-2417', note: 'New hygienist; starts Monday.' },
  });
}

/** Maya's onboarding, approved by Daniel this morning, now waiting for the tech to invite her in IT Glue. */
function threadStatus(): OnboardingStatus {
  const started = Date.parse('2026-03-03T14:02:00Z');
  const asked = started + 40_000;
  const approved = Date.parse('2026-03-04T09:18:05Z');
  const waiting = approved + 5_000;
  const event = (at: number, type: OnboardingEvent['type'], text: string, more: Partial<OnboardingEvent> = {}): OnboardingEvent => ({ at: iso(at), type, text, ...more });
  const visit = (stage: Stage, from: number, to: number | null) => ({ stage, enteredAt: iso(from), leftAt: to === null ? null : iso(to) });
  return statusFixture({
    workflowId: `onboarding:${ORG.id}:${MAYA.contactId}`,
    request: { orgId: ORG.id, contactId: MAYA.contactId, kind: 'itglue', passwordAccess: false, requestedBy: TECH, ticket: 'T-2417' },
    stage: 'AWAITING_INVITE',
    waitingOn: 'tech',
    deadline: iso(waiting + DEFAULT_POLICY.invite.remindTechAfter),
    startedAt: iso(started),
    org: ORG,
    invitee: MAYA,
    approver: DANIEL,
    approvalExpiresAt: iso(asked + DEFAULT_POLICY.approval.timeout),
    evidence: {
      via: 'link',
      decision: 'approve',
      at: iso(approved),
      round: 1,
      approver: DANIEL,
      ip: '203.0.113.24',
      userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_3 like Mac OS X)',
      comment: 'Yes, please go ahead.',
    },
    groupNames: [customerGroupFor(DEFAULT_POLICY, ORG.name, false)],
    events: [
      event(started, 'stage', 'VALIDATING'),
      event(asked, 'stage', 'AWAITING_APPROVAL'),
      event(asked, 'approval-requested', `Approval requested from ${DANIEL.name} by email.`),
      event(approved, 'approved', `Approved by ${DANIEL.name} at ${iso(approved)} from 203.0.113.24: “Yes, please go ahead.”`),
      event(approved, 'stage', 'SENDING_INSTRUCTIONS'),
      event(waiting - 1_000, 'instructions-sent', `Access instructions emailed to ${MAYA.name}.`),
      event(waiting, 'stage', 'AWAITING_INVITE'),
    ],
    stages: [
      visit('VALIDATING', started, asked),
      visit('AWAITING_APPROVAL', asked, approved),
      visit('SENDING_INSTRUCTIONS', approved, waiting),
      visit('AWAITING_INVITE', waiting, null),
    ],
    thread: { channel: 'C07ONBOARD', ts: `${started / 1000}.000100` },
  });
}

function dashboard(): Dashboard {
  const item = (n: number, stage: Stage, invitee: string, orgName: string, over: Partial<Item>): Item => ({
    workflowId: `onboarding:${4100 + n}:${88000 + n}`,
    stage,
    orgId: String(4100 + n),
    orgName,
    invitee,
    requestedBy: TECH,
    startedAt: ago(DAY),
    deadline: null,
    waitingOn: 'system',
    subState: null,
    overdue: false,
    link: threadLink(n),
    reason: null,
    ...over,
  });
  const open: Item[] = [
    item(1, 'STALLED', 'Chris Doyle', 'Northside Physio', {
      requestedBy: TECH2,
      startedAt: ago(3 * DAY + 2 * HOUR),
      waitingOn: 'manager',
      reason: 'the invitation expired 4 times without being accepted.',
    }),
    item(2, 'AWAITING_APPROVAL', 'Tom Becker', 'Cedar & Pine Law', {
      startedAt: ago(4 * DAY + 17 * HOUR + 50 * MINUTE),
      waitingOn: 'approver',
      deadline: iso(NOW + 6 * HOUR + 10 * MINUTE),
      overdue: true,
    }),
    item(3, 'AWAITING_APPROVAL', 'Priya Nair', 'Greenfield Veterinary', {
      startedAt: ago(1 * HOUR + 35 * MINUTE),
      waitingOn: 'approver',
      deadline: iso(NOW + 22 * HOUR + 25 * MINUTE),
    }),
    item(4, 'AWAITING_INVITE', 'Maya Chen', 'Bayside Dental', {
      startedAt: '2026-03-03T14:02:00.000Z',
      waitingOn: 'tech',
      deadline: '2026-03-04T11:18:10.000Z',
    }),
    item(5, 'AWAITING_ACCEPTANCE', 'Jonas Weber', 'Marlow Architects', {
      requestedBy: TECH2,
      startedAt: ago(2 * DAY - 15 * MINUTE),
      waitingOn: 'invitee',
      deadline: iso(NOW + 4 * HOUR + 35 * MINUTE),
    }),
    item(6, 'AWAITING_2FA', 'Ana Souza', 'Oakridge Pharmacy', {
      requestedBy: TECH2,
      startedAt: ago(6 * DAY + 1 * HOUR),
      waitingOn: 'invitee',
      deadline: iso(NOW + 1 * DAY + 30 * MINUTE),
    }),
  ];
  const done = (n: number, invitee: string, orgName: string, requestedBy: string, startedAgo: number, took: number) => ({
    workflowId: `onboarding:${4200 + n}:${88100 + n}`,
    orgName,
    invitee,
    requestedBy,
    startedAt: ago(startedAgo),
    completedAt: ago(startedAgo - took),
    link: threadLink(20 + n),
  });
  return {
    counts: STAGES.filter((stage) => !isFinal(stage)).map((stage) => ({ stage, count: open.filter((i) => i.stage === stage).length })),
    open,
    stalled: open.filter((i) => i.stage === 'STALLED'),
    overdue: open.filter((i) => i.overdue && i.stage !== 'STALLED'),
    recent: [
      done(1, 'Lena Fischer', 'Bayside Dental', TECH, 3 * DAY, 1 * DAY + 3 * HOUR),
      done(2, 'Marcus Hill', 'Riverbend Accounting', TECH2, 8 * DAY, 2 * DAY + 5 * HOUR),
      done(3, 'Sofia Rossi', 'Marlow Architects', TECH, 12 * DAY, 19 * HOUR),
    ],
    medians: [
      { stage: 'VALIDATING', medianMs: 40_000, samples: 14 },
      { stage: 'AWAITING_APPROVAL', medianMs: 7 * HOUR + 20 * MINUTE, samples: 14 },
      { stage: 'SENDING_INSTRUCTIONS', medianMs: 5_000, samples: 14 },
      { stage: 'AWAITING_INVITE', medianMs: 1 * HOUR + 45 * MINUTE, samples: 14 },
      { stage: 'VERIFYING', medianMs: 2 * MINUTE, samples: 14 },
      { stage: 'AWAITING_ACCEPTANCE', medianMs: 3 * HOUR + 10 * MINUTE, samples: 14 },
      { stage: 'AWAITING_2FA', medianMs: 9 * HOUR, samples: 12 },
    ],
    recentDays: 30,
  };
}

// --- Screenshots ------------------------------------------------------------------------------

/** Saves a screenshot of the whole page, or of one element of it; returns its size in bytes. */
async function shoot(page: Page, name: string, selector?: string): Promise<number> {
  const path = join(OUT, name);
  const image = selector ? await page.locator(selector).screenshot({ path }) : await page.screenshot({ path, fullPage: true });
  const { size } = statSync(path);
  const scale = await page.evaluate<number>('window.devicePixelRatio');
  const over = size > MAX_BYTES ? ` (over ${MAX_BYTES / 1024} KB)` : '';
  console.log(`${name}: ${image.readUInt32BE(16)}×${image.readUInt32BE(20)} px (×${scale}), ${Math.round(size / 1024)} KB${over}`);
  return size;
}

/**
 * A Slack-like page (its body as wide as the page says); no network: the HTML is set, nothing is
 * loaded. Drawn for high-density screens, less dense where that would make too large a file.
 */
async function shootHtml(html: string, name: string): Promise<void> {
  for (const deviceScaleFactor of [2, 1.5, 1.25, 1]) {
    const bytes = await withHeadlessChromium({ viewport: { width: 1000, height: 600 }, deviceScaleFactor }, async (context) => {
      const page = await context.newPage();
      await page.setContent(html, { waitUntil: 'load' });
      await page.evaluate('document.fonts.ready');
      return shoot(page, name, 'body');
    });
    if (bytes <= MAX_BYTES) return;
  }
  console.warn(`${name} is larger than ${MAX_BYTES / 1024} KB even at its lowest density`);
}

/**
 * The approval page as the approver gets it: the real approval routes on a loopback HTTP server,
 * a real signed link, and a stand-in for Temporal that answers the `status` query with an
 * onboarding waiting for that approver.
 */
async function shootApprovalPage(name: string): Promise<void> {
  const day = Math.floor(Date.now() / DAY) * DAY;
  // The approval's time-out, a few days ahead (the same all day, so that reruns draw the same page).
  const expiresAt = day + 5 * DAY + 14 * HOUR;
  const status = statusFixture({
    workflowId: `onboarding:${ORG.id}:${MAYA.contactId}`,
    request: { orgId: ORG.id, contactId: MAYA.contactId, kind: 'itglue', passwordAccess: false, requestedBy: TECH, ticket: 'T-2417' },
    org: ORG,
    invitee: MAYA,
    approver: DANIEL,
    approvalRound: 1,
    approvalExpiresAt: iso(expiresAt),
    deadline: iso(expiresAt - 4 * DAY),
    startedAt: iso(expiresAt - 5 * DAY),
  });
  const temporal = {
    withDeadline: <T>(_deadline: number, call: () => Promise<T>) => call(),
    workflow: { getHandle: () => ({ query: async () => status }) },
  } as unknown as Client;
  const secret = randomBytes(32).toString('base64url');
  const log = () => undefined;
  const http = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    log,
    routes: approvalRoutes({ client: temporal, secret, branding: BRANDING, trustProxy: [], secureCookies: false, log }),
  });
  try {
    const link = approvalLink(`http://127.0.0.1:${http.port}`, secret, {
      workflowId: status.workflowId,
      round: 1,
      approverContactId: DANIEL.contactId,
      expiresAt,
    });
    const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
    await withHeadlessChromium(phone, async (context) => {
      const page = await context.newPage();
      const response = await page.goto(link);
      if (response?.status() !== 200) throw new Error(`the approval page answered ${response?.status()}`);
      await page.evaluate('document.fonts.ready');
      await shoot(page, name);
    });
  } finally {
    await http.close();
  }
}

async function main(): Promise<void> {
  // Chromium and the fonts (each step only checks once they are there).
  for (const script of ['scripts/chromium.sh', 'scripts/picture-fonts.sh']) execFileSync('bash', [join(ROOT, script)], { stdio: 'inherit' });
  mkdirSync(OUT, { recursive: true });

  await shootHtml(modalPage(modalView(), WORKSPACE, 520), 'modal.png');

  const s = threadStatus();
  const root = { at: Date.parse(s.startedAt), blocks: threadRoot(s).blocks };
  const replies = s.events.filter((e) => e.type !== 'stage').map((e) => ({ at: Date.parse(e.at), blocks: threadReply(e).blocks ?? [] }));
  await shootHtml(threadPage('onboarding', root, replies, WORKSPACE, 720), 'thread.png');

  await shootHtml(homePage(managerHome(dashboard(), NOW), WORKSPACE, 720), 'app-home.png');

  await shootApprovalPage('approval-phone.png');
}

await main();
