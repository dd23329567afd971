/**
 * The IT Glue sweep's activity (docs/design.md §14): one listing of IT Glue's users tells each
 * waiting onboarding what changed for its invitee, and each offboarding waiting for a deletion that
 * its user is gone (§15.1). Its cost grows with the number of IT Glue users, not of waiting workflows.
 */
import { userResource } from '../src/itglue/schemas';
import { WORKFLOW_TYPES } from '../src/onboardings';
import { heartbeatWhile } from '../src/temporal/heartbeat';
import { visibilityQuery } from '../src/temporal/visibility-query';
import { ONBOARDING_STAGE, userGone, userObserved } from '../workflows/messages';
import { offboardedUserOf, type ItGlueUser } from '../workflows/types';
import { userFingerprint, type OnboardingMemo } from '../workflows/memo';
import type { SweepReport } from './contracts';
import type { ItGlueActivityDeps } from './itglue-writers';

/** Stages in which an onboarding waits for news of its IT Glue user. */
const WATCHING_STAGES = ['AWAITING_INVITE', 'VERIFYING', 'AWAITING_ACCEPTANCE', 'AWAITING_2FA'];

export function userSweep({ client, temporal, taskQueue }: ItGlueActivityDeps): () => Promise<SweepReport> {
  /** Sends one signal to each workflow, 50 at a time; one that finished meanwhile is left alone. */
  async function signalEach<T>(targets: T[], send: (target: T) => Promise<void>): Promise<void> {
    for (let i = 0; i < targets.length; i += 50) {
      await heartbeatWhile(Promise.all(targets.slice(i, i + 50).map((t) => send(t).catch(() => undefined))));
    }
  }

  async function sweepUsers(): Promise<SweepReport> {
    const before = client.requestCount;
    const waiting: { workflowId: string; memo: Partial<OnboardingMemo> }[] = [];
    const query = visibilityQuery()
      .where('WorkflowType', '=', 'onboarding')
      .where('ExecutionStatus', '=', 'Running')
      .whereIn(ONBOARDING_STAGE, WATCHING_STAGES)
      .toString();
    // Offboardings waiting for their user's deletion (docs/design.md §15), this deployment's only:
    // the user ID is in the workflow ID, so no IT Glue request is made for any of them.
    const deletions = visibilityQuery()
      .where('WorkflowType', '=', WORKFLOW_TYPES.offboarding)
      .where('ExecutionStatus', '=', 'Running')
      .where(ONBOARDING_STAGE, '=', 'AWAITING_DELETION')
      .where('TaskQueue', '=', taskQueue)
      .toString();
    const awaitingDeletion: { workflowId: string; userId: string }[] = [];
    const listing = (async () => {
      for await (const w of temporal.workflow.list({ query })) {
        waiting.push({ workflowId: w.workflowId, memo: (w.memo ?? {}) as Partial<OnboardingMemo> });
      }
    })();
    const deletionListing = (async () => {
      for await (const w of temporal.workflow.list({ query: deletions })) {
        const userId = offboardedUserOf(w.workflowId);
        if (userId) awaitingDeletion.push({ workflowId: w.workflowId, userId });
      }
    })();
    await heartbeatWhile(Promise.all([listing, deletionListing]));
    if (waiting.length === 0 && awaitingDeletion.length === 0) {
      // Nothing to look for; one small request keeps the API key in use.
      await client.request('GET', '/users', { 'page[size]': 1 });
      return { users: 0, waiting: 0, signalled: 0, itglueRequests: client.requestCount - before };
    }
    const wantedEmails = new Set(waiting.map((w) => w.memo.inviteeEmail).filter((e): e is string => !!e));
    const wantedIds = new Set(awaitingDeletion.map((o) => o.userId));
    const found = new Map<string, ItGlueUser>();
    const stillThere = new Set<string>();
    let users = 0;
    // The whole list, or a failure: a user is taken for deleted only when a complete list lacks it.
    for await (const page of client.pages('/users', userResource)) {
      users += page.length;
      for (const user of page) {
        const email = user.email.toLowerCase();
        if (wantedEmails.has(email)) found.set(email, user);
        if (wantedIds.has(user.id)) stillThere.add(user.id);
      }
    }
    const changed = waiting.flatMap((w) => {
      const user = w.memo.inviteeEmail ? found.get(w.memo.inviteeEmail) : undefined;
      return user && userFingerprint(user) !== w.memo.userFingerprint ? [{ workflowId: w.workflowId, user }] : [];
    });
    await signalEach(changed, ({ workflowId, user }) => temporal.workflow.getHandle(workflowId).signal(userObserved, user));
    // The offboarding reads the user once more before it takes it for deleted.
    const gone = awaitingDeletion.filter((o) => !stillThere.has(o.userId));
    await signalEach(gone, ({ workflowId, userId }) => temporal.workflow.getHandle(workflowId).signal(userGone, { userId }));
    return {
      users,
      waiting: waiting.length,
      signalled: changed.length,
      itglueRequests: client.requestCount - before,
      ...(awaitingDeletion.length > 0 ? { awaitingDeletion: awaitingDeletion.length, gone: gone.length } : {}),
    };
  }

  return sweepUsers;
}
