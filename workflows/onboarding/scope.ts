/**
 * From the user's first sign-in, the scope watch (workflows/scope-watch.ts) reads where the user
 * works in IT Glue; it outlives the onboarding, which tells it when it ended.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import { scopeWatchOf } from '../policy';
import { dayOf, onboardingEnded, scopeWatch, scopeWatchWorkflowId } from '../scope-watch';
import type { OnboardingRun } from './run';

const parseTime = (iso: string | null) => (iso ? Date.parse(iso) : Number.NaN);

/** Starts the scope watch once the user has signed in. Histories recorded before it replay without one. */
export async function watchScope(run: OnboardingRun, signedIn = !!run.status.user?.currentSignInAt): Promise<void> {
  const s = run.status;
  const user = s.user;
  const { request, policy } = run.input;
  if (s.scopeWatch || !user || !signedIn || !wf.patched('scope-watch')) return;
  const workflowId = scopeWatchWorkflowId(request.orgId, request.contactId);
  const seen = [user.invitationAcceptedAt, user.currentSignInAt].map(parseTime).filter((t) => !Number.isNaN(t));
  try {
    const child = await wf.CancellationScope.nonCancellable(() =>
      wf.startChild(scopeWatch, {
        workflowId,
        parentClosePolicy: 'ABANDON',
        cancellationType: 'ABANDON',
        args: [
          {
            onboarding: { workflowId: s.workflowId, firstRunId: wf.workflowInfo().firstExecutionRunId },
            org: run.state.org,
            user: { id: user.id, name: run.state.invitee.name },
            requestedBy: request.requestedBy,
            thread: s.thread,
            sharedOrganizations: policy.groups.sharedOrganizations ?? [],
            settings: scopeWatchOf(policy),
            historyLimit: policy.historyLimit,
            since: dayOf(seen.length > 0 ? Math.min(...seen) : Date.now()),
            until: null,
          },
        ],
      }),
    );
    s.scopeWatch = { workflowId, firstRunId: child.firstExecutionRunId };
  } catch (error) {
    // Another onboarding's watch of this contact still runs (its user was deleted and invited again).
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    s.scopeWatch = { workflowId, firstRunId: null };
    wf.log.warn('scope watch not started: another one is running', { workflowId });
  }
}

/** Tells the scope watch that the onboarding ended: it goes on for its days after completion, or stops. */
export async function endScopeWatch(run: OnboardingRun, outcome: 'completed' | 'cancelled'): Promise<void> {
  const s = run.status;
  if (!s.scopeWatch?.firstRunId) return;
  try {
    const endedAt = s.stages[s.stages.length - 1]!.enteredAt;
    await wf.getExternalWorkflowHandle(s.scopeWatch.workflowId).signal(onboardingEnded, { outcome, at: endedAt });
  } catch (error) {
    // The watch has ended already.
    if (wf.isCancellation(error)) throw error;
  }
}
