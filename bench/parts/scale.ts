/**
 * 4. Parked scale and 5. IT Glue budget, on a Temporal dev server with its database in a file:
 *
 * - the service as `npm start` runs it, twice: one that gets the onboardings ("loaded") and an idle
 *   one, identical but for its task queue; their resident memory is read at the same moment;
 * - onboardings parked where they wait for days (bench/support/parked.ts): waiting for the approver
 *   and for the invitation to be accepted, each with its thread root in the fake Slack;
 * - `/onboarding-status` and the App Home, as a manager (everyone's) and as a tech (their own),
 *   timed from the signed request to the answer reaching the fake Slack (response_url,
 *   views.publish), with a few onboardings open and then with all of them;
 * - the IT Glue sweep (the real activity, against the fake IT Glue): with a few onboardings waiting
 *   and then with `parked` waiting (the same users both times), and once in between with exactly
 *   2,000 waiting and 5,000 IT Glue users; and whole onboardings run while they wait, with the
 *   IT Glue requests they make.
 */
import { MAX_ACTIVITIES_PER_SECOND } from '../../src/itglue/budget';
import { ItGlueClient } from '../../src/itglue/client';
import { openQuery } from '../../src/slack/overview';
import { visibilityQuery } from '../../src/temporal/visibility-query';
import { createItGlueActivities } from '../../activities/itglue';
import { manyUsers, type FakeUser } from '../../test/fakes/itglue-server';
import { ONBOARDING_STAGE } from '../../workflows/messages';
import type { OnboardingInput } from '../../workflows/types';
import { row, type PartResult, type Row } from '../report';
import { rssBytes, type Child } from '../support/children';
import { appFlow, runFlows } from '../support/flows';
import { parkedInput, startParked, type ParkedStage } from '../support/parked';
import { appHomeOpenedBody, commandBody, postRoot, postSigned } from '../support/slack';
import { userFor } from '../support/seed';
import { CHANNEL, counted, databaseBytes, FLOW_POLICY, MAIL_DOMAIN, MANAGER, PARKED_POLICY, SIGNING_SECRET, TECH, TECHS, type Base } from '../support/stack';
import { MB, median, pool, round, sleep, until } from '../support/stats';

export interface ScaleSizes {
  /** Onboardings open at the measurement (part 4) and waiting for the sweep (part 5). */
  parked: number;
  /** Whole onboardings run for the IT Glue requests per onboarding. */
  flows: number;
  /** First invitee number of those flows (their contacts are in the fake IT Glue). */
  firstFlowInvitee: number;
}

const RANGES = { few: 100_000, approval: 200_000, acceptance: 300_000, invite: 400_000 } as const;
/** IT Glue users who are neither invitees nor changed: MSP staff and existing customer users. */
const BULK_USERS = 5_000;
/** The sweep of the acceptance criterion: this many onboardings waiting, this many IT Glue users. */
const CRITERION = { waiting: 2_000, users: 5_000 };
/** Waiting invitees whose IT Glue user appears before each sweep. */
const NEW_USERS_PER_SWEEP = 10;

type Input = OnboardingInput & { workflowId: string };

export async function scaleParts(
  base: Base,
  loaded: Child,
  idle: Child,
  queue: string,
  sizes: ScaleSizes,
  flowsBaseline: number | null,
  deadline: number,
): Promise<PartResult[]> {
  const started = performance.now();
  const { client, slack, itglue } = base;
  const dbFile = `${base.dir}/temporal.db`;
  const url = `http://127.0.0.1:${Number(loaded.ready.port)}/slack/events`;
  const left = () => Math.max(10_000, deadline - Date.now());
  const checkTime = (what: string) => {
    if (Date.now() > deadline) throw new Error(`time limit reached before ${what}`);
  };

  const few = Math.max(NEW_USERS_PER_SWEEP, Math.round(sizes.parked / 100));
  const approvals = Math.floor((sizes.parked - few) / 2);
  const acceptances = sizes.parked - few - approvals;
  const invites = sizes.parked - few - acceptances;
  const techOf = (i: number) => TECHS[i % TECHS.length]!;

  // Every input now (the IT Glue users of those waiting for acceptance must match what they know).
  const inputs = (stage: ParkedStage, from: number, count: number) =>
    Array.from({ length: count }, (_, i) => parkedInput(from + i, stage, PARKED_POLICY, techOf(i), { channel: CHANNEL, ts: '0.0' }));
  const fewInputs = inputs('AWAITING_INVITE', RANGES.few, few);
  const approvalInputs = inputs('AWAITING_APPROVAL', RANGES.approval, approvals);
  const acceptanceInputs = inputs('AWAITING_ACCEPTANCE', RANGES.acceptance, acceptances);
  const inviteInputs = inputs('AWAITING_INVITE', RANGES.invite, invites);

  // The same IT Glue users for both sweeps: the bulk, the users of those waiting for acceptance
  // (as they know them), and the new users of a few of those waiting for the invitation.
  const acceptanceUsers: FakeUser[] = acceptanceInputs.map((input, i) => ({
    ...userFor(RANGES.acceptance + i, false, input.carried!.user!.invitationSentAt!),
  }));
  const seededUsers = [...itglue.data.users];
  const bulkUsers = manyUsers(BULK_USERS);
  const fewUsers = Array.from({ length: NEW_USERS_PER_SWEEP }, (_, i) => userFor(RANGES.few + i, false));
  itglue.data.users.push(...bulkUsers, ...acceptanceUsers, ...fewUsers, ...Array.from({ length: NEW_USERS_PER_SWEEP }, (_, i) => userFor(RANGES.invite + i, false)));

  const park = async (list: Input[]) => {
    await pool(list.length, 50, async (i) => {
      if (i % 100 === 0) checkTime('all onboardings were parked');
      const input = list[i]!;
      input.carried!.thread = await postRoot(slack, CHANNEL, `Onboarding ${input.workflowId}`);
      await startParked(client, queue, input);
    });
  };
  const open = (stage: string) =>
    visibilityQuery().where('TaskQueue', '=', queue).where('ExecutionStatus', '=', 'Running').where(ONBOARDING_STAGE, '=', stage).toString();

  const sweeper = createItGlueActivities({
    // The service's default rate (ITGLUE_REQUESTS_PER_SECOND).
    client: new ItGlueClient({ baseUrl: itglue.url, apiKey: itglue.apiKey, requestsPerSecond: 8 }),
    temporal: client,
    taskQueue: queue,
  });
  const sweep = async () => {
    const before = itglue.requests.length;
    const at = performance.now();
    const report = await sweeper.sweepUsers();
    return { ...report, requests: itglue.requests.length - before, seconds: round((performance.now() - at) / 1000, 2) };
  };

  const timeCommand = async (user: string, text = '') => {
    const before = slack.callsOf('response_url').length;
    const at = Date.now();
    const status = await postSigned(
      url,
      SIGNING_SECRET,
      commandBody({ command: '/onboarding-status', user, text, triggerId: slack.issueTriggerId(), responseUrl: slack.responseUrl() }),
    );
    if (status !== 200) throw new Error(`/onboarding-status answered ${status}`);
    const call = await until(() => slack.callsOf('response_url')[before], 60_000, 'the /onboarding-status answer', 10);
    return { ms: call.time - at, text: String(call.args.text ?? '').slice(0, 160) };
  };
  let homeCount = 0;
  const timeHome = async (user: string) => {
    const published = () => slack.callsOf('views.publish').filter((c) => c.args.user_id === user);
    const before = published().length;
    const at = Date.now();
    const status = await postSigned(url, SIGNING_SECRET, appHomeOpenedBody(user, slack.botUserId, ++homeCount), 'application/json');
    if (status !== 200) throw new Error(`app_home_opened answered ${status}`);
    const call = await until(() => published()[before], 60_000, 'the App Home', 10);
    if (!call.ok) throw new Error(`views.publish failed: ${call.error}`);
    return { ms: call.time - at, blocks: ((call.args.view as { blocks?: unknown[] }).blocks ?? []).length };
  };
  const renders = async (rounds: number) => {
    const times = { statusManager: [] as number[], statusTech: [] as number[], homeManager: [] as number[], homeTech: [] as number[] };
    const seen: Record<string, unknown> = {};
    for (let i = 0; i < rounds; i++) {
      const sm = await timeCommand(MANAGER);
      times.statusManager.push(sm.ms);
      seen.statusManager = sm.text;
      const st = await timeCommand(TECHS[0]!);
      times.statusTech.push(st.ms);
      seen.statusTech = st.text;
      const hm = await timeHome(MANAGER);
      times.homeManager.push(hm.ms);
      seen.homeManagerBlocks = hm.blocks;
      times.homeTech.push((await timeHome(TECHS[0]!)).ms);
    }
    return { times, seen };
  };
  /** The visibility queries behind the views, timed from here: listing every open one, the first 100, counting them. */
  const visibility = async () => {
    const query = openQuery({ taskQueue: queue }, {});
    let at = performance.now();
    let n = 0;
    for await (const _ of client.workflow.list({ query })) n += 1;
    const listAllMs = round(performance.now() - at, 0);
    at = performance.now();
    let first = 0;
    for await (const _ of client.workflow.list({ query, pageSize: 100 })) if (++first >= 100) break;
    const first100Ms = round(performance.now() - at, 0);
    at = performance.now();
    const counted = (await client.workflow.count(query)).count;
    return { listed: n, listAllMs, first100Ms, counted, countMs: round(performance.now() - at, 0) };
  };
  const memory = async () => {
    // A few samples, a second apart; the last one counts.
    let sample = { loaded: 0, idle: 0, temporal: 0 };
    for (let i = 0; i < 5; i++) {
      sample = { loaded: rssBytes(loaded.pid) ?? 0, idle: rssBytes(idle.pid) ?? 0, temporal: rssBytes(base.server.process.pid!) ?? 0 };
      await sleep(1_000);
    }
    return sample;
  };

  // ---- a few onboardings waiting: the baselines ---------------------------------------------------
  checkTime('the first sweep');
  await park(fewInputs);
  await counted(client, open('AWAITING_INVITE'), few, 120_000);
  const sweepFew = await sweep();
  await counted(client, open('AWAITING_ACCEPTANCE'), NEW_USERS_PER_SWEEP, 120_000);
  await sleep(2_000);
  const rendersFew = await renders(5);
  const listFew = await visibility();
  const memoryBefore = await memory();
  const dbBefore = databaseBytes(dbFile);

  // ---- the sweep with CRITERION.waiting waiting and CRITERION.users IT Glue users -------------------
  checkTime('the sweep of the criterion');
  const early = Math.max(0, Math.min(acceptances, CRITERION.waiting - few));
  await park(acceptanceInputs.slice(0, early));
  await counted(client, open('AWAITING_ACCEPTANCE'), NEW_USERS_PER_SWEEP + early, left());
  // For this sweep IT Glue has exactly CRITERION.users users: those the waiting ones know, then the bulk.
  const everyone = itglue.data.users;
  const known = [...seededUsers, ...acceptanceUsers.slice(0, early), ...fewUsers];
  itglue.data.users = [...known, ...bulkUsers.slice(0, Math.max(0, CRITERION.users - known.length))];
  const sweepCriterion = await sweep();
  itglue.data.users = everyone;
  // The sweep's own count (the fake's would include a scheduled sweep running at the same time).
  const criterionRow = row(
    5,
    `IT Glue requests per sweep, ${sweepCriterion.waiting} waiting, ${sweepCriterion.users} IT Glue users`,
    '',
    sweepCriterion.itglueRequests,
    null,
    null,
    {
      text: '≤ 10',
      met: sweepCriterion.itglueRequests <= 10,
    },
  );

  // ---- parked ----------------------------------------------------------------------------------
  checkTime('parking');
  const parkStarted = performance.now();
  // Interleaved, as onboardings arrive.
  const laterAcceptances = acceptanceInputs.slice(early);
  await park(approvalInputs.flatMap((input, i) => (laterAcceptances[i] ? [input, laterAcceptances[i]!] : [input])).concat(laterAcceptances.slice(approvalInputs.length)));
  await counted(client, open('AWAITING_APPROVAL'), approvals, left());
  await counted(client, open('AWAITING_ACCEPTANCE'), acceptances + NEW_USERS_PER_SWEEP, left());
  const parkSeconds = (performance.now() - parkStarted) / 1000;
  await sleep(3_000);
  const memoryAfter = await memory();
  const dbAfter = databaseBytes(dbFile);
  checkTime('the renders');
  const rendersMany = await renders(3);
  const listMany = await visibility();
  const openQueued = visibilityQuery().where('TaskQueue', '=', queue).where('ExecutionStatus', '=', 'Running').where('WorkflowType', '=', 'onboarding');
  const openCount = (await client.workflow.count(openQueued.toString())).count;

  const growth = memoryAfter.loaded - memoryAfter.idle;
  const growthOwn = memoryAfter.loaded - memoryBefore.loaded;
  const statusMs = median(rendersMany.times.statusManager);
  const part4Rows: Row[] = [
    row(4, `service RSS, ${openCount} onboardings open`, 'MB', memoryAfter.loaded / MB, memoryAfter.idle / MB, 'idle service', {
      text: 'growth ≤ 200 MB',
      met: growth <= 200 * MB,
    }),
    row(4, 'RSS growth over the idle service', 'MB', growth / MB, null, null, { text: '≤ 200 MB', met: growth <= 200 * MB }),
    row(4, 'Temporal database (file)', 'MB', dbAfter / MB, dbBefore / MB, `${few} open`),
    row(4, '/onboarding-status, manager (all open), median', 'ms', statusMs, median(rendersFew.times.statusManager), `${few} open`, {
      text: '< 1000 ms',
      met: Math.max(...rendersMany.times.statusManager) < 1_000,
    }),
    row(4, '/onboarding-status, tech (own), median', 'ms', median(rendersMany.times.statusTech), median(rendersFew.times.statusTech), `${few} open`, {
      text: '< 1000 ms',
      met: Math.max(...rendersMany.times.statusTech) < 1_000,
    }),
    row(4, 'App Home, manager dashboard, median', 'ms', median(rendersMany.times.homeManager), median(rendersFew.times.homeManager), `${few} open`),
    row(4, 'App Home, tech, median', 'ms', median(rendersMany.times.homeTech), median(rendersFew.times.homeTech), `${few} open`),
  ];
  const part4: PartResult = {
    part: 4,
    name: 'Parked scale',
    seconds: (performance.now() - started) / 1000,
    rows: part4Rows,
    details: {
      open: openCount,
      parked: { approval: approvals, acceptance: acceptances + NEW_USERS_PER_SWEEP, invite: few - NEW_USERS_PER_SWEEP },
      parkSeconds: round(parkSeconds, 1),
      startsPerSecond: round((approvals + laterAcceptances.length) / parkSeconds, 0),
      rssMB: {
        before: { loaded: round(memoryBefore.loaded / MB, 1), idle: round(memoryBefore.idle / MB, 1), temporalServer: round(memoryBefore.temporal / MB, 1) },
        after: { loaded: round(memoryAfter.loaded / MB, 1), idle: round(memoryAfter.idle / MB, 1), temporalServer: round(memoryAfter.temporal / MB, 1) },
        growthOverIdle: round(growth / MB, 1),
        growthOfLoaded: round(growthOwn / MB, 1),
        perOnboardingKB: round(growthOwn / 1024 / Math.max(1, approvals + acceptances), 1),
      },
      databaseMB: {
        before: round(dbBefore / MB, 1),
        after: round(dbAfter / MB, 1),
        perOnboardingKB: round((dbAfter - dbBefore) / 1024 / Math.max(1, approvals + acceptances), 2),
      },
      rendersMs: { few: rendersFew.times, all: rendersMany.times },
      firstAnswers: { few: rendersFew.seen, all: rendersMany.seen },
      visibilityQueries: { few: listFew, all: listMany },
    },
  };

  // ---- 5. IT Glue budget ---------------------------------------------------------------------------
  // Its failure (e.g. the time limit) leaves part 4's figures and the sweep of the criterion standing.
  const part5Started = performance.now();
  let part5: PartResult;
  try {
    part5 = await budgetPart();
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    const details = { sweeps: { criterion: sweepCriterion } };
    part5 = { part: 5, name: 'IT Glue budget', seconds: (performance.now() - part5Started) / 1000, rows: [criterionRow], details, error: message };
  }
  return [part4, part5];

  async function budgetPart(): Promise<PartResult> {
    checkTime('the IT Glue budget');
    await park(inviteInputs);
    await counted(client, open('AWAITING_INVITE'), invites + few - NEW_USERS_PER_SWEEP, left());
    const sweepMany = await sweep();
    await counted(client, open('AWAITING_ACCEPTANCE'), acceptances + 2 * NEW_USERS_PER_SWEEP, 120_000);
    await sleep(2_000);

    const before = itglue.requests.length;
    const flowCtx = { client, taskQueue: queue, policy: FLOW_POLICY, sink: base.sink, itglue, tech: TECH, mailDomain: MAIL_DOMAIN, timeoutMs: 180_000 };
    let n = sizes.firstFlowInvitee;
    const flows = await runFlows(sizes.flows, 10, async () => void (await appFlow(flowCtx, n++)), deadline);
    const completed = flows.count - flows.failures.length;
    const flowRequests = itglue.requests.slice(before);
    // The loaded service's scheduled sweep (GET /users without an email filter) may run meanwhile: not the onboardings' requests.
    const scheduledSweepRequests = flowRequests.filter((r) => r.path === '/users' && !r.query['filter[email]']).length;
    const perOnboarding = (flowRequests.length - scheduledSweepRequests) / Math.max(1, completed);

    return {
      part: 5,
      name: 'IT Glue budget',
      seconds: (performance.now() - part5Started) / 1000,
      rows: [
        criterionRow,
        row(
          5,
          `IT Glue requests per sweep, ${sweepMany.waiting} waiting, ${sweepMany.users} IT Glue users`,
          '',
          sweepMany.requests,
          sweepFew.requests,
          `${sweepFew.waiting} waiting`,
        ),
        row(
          5,
          `IT Glue requests per onboarding, ${sweepMany.waiting} waiting`,
          '',
          perOnboarding,
          flowsBaseline,
          flowsBaseline === null ? null : 'none waiting (part 3)',
        ),
      ],
      details: {
        itglueUsers: itglue.data.users.length,
        sweeps: { few: sweepFew, criterion: sweepCriterion, all: sweepMany },
        flows: {
          count: flows.count,
          failures: flows.failures.slice(0, 5),
          seconds: round(flows.seconds, 1),
          itglueRequests: flowRequests.length - scheduledSweepRequests,
          scheduledSweepRequests,
        },
        itglueLimit: 'IT Glue allows 3000 requests per 5 minutes per account',
        sweepsPerFiveMinutesAtDefaultInterval: 1,
        onboardingsPerFiveMinutesWithinTheLimit: round((3_000 - sweepMany.requests) / perOnboarding, 0),
        // What the IT Glue queue's limit let through: the service runs at MAX_ACTIVITIES_PER_SECOND.
        itglueActivitiesPerSecond: MAX_ACTIVITIES_PER_SECOND,
        onboardingsPerFiveMinutesAtTheQueueLimit: round((completed / flows.seconds) * 300, 1),
      },
    };
  }
}
