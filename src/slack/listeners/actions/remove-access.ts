/**
 * Button Remove access (a completed onboarding's thread root, the App Home's recent completions):
 * a tech starts the offboarding of the onboarding's IT Glue user (docs/design.md §15), then is told,
 * only them, where its thread is, or that one is already open. The button names the onboarding
 * only; everything else is read from its status. The offboarding's workflow ID (organization and
 * user) makes a second press, or two techs at once, start one offboarding.
 */
import { startOffboarding } from '../../../onboardings';
import { threadLink, threadPosted } from '../../thread-link';
import { STAGE_LABELS } from '../../views/format';
import { oneLine } from '../../../../workflows/text';
import { offboardedUserOf, type OffboardingRequest, type OnboardingStatus } from '../../../../workflows/types';
import type { SlackDeps } from '../../deps';
import { escapeMrkdwn } from '../../escape';
import { type ButtonArgs, pressOf, tellPresser } from '../../middleware/thread-press';
import { resultOf, statusOf } from '../../overview';

export function removeAccess(deps: SlackDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    const press = pressOf(args);
    // A double click is one press; the workflow ID would make it one offboarding anyway.
    if (!deps.recent.first(`remove-access:${press.workflowId}:${press.user}`, deps.doubleClickMs)) return;
    const onboarding = await completedOnboarding(deps, press.workflowId);
    if (!onboarding?.user) {
      await tellPresser(deps, args, 'Only a completed onboarding whose IT Glue user is known can have its access removed here. Nothing was changed.');
      return;
    }
    const { request, user } = onboarding;
    const offboarding: OffboardingRequest = {
      orgId: request.orgId,
      contactId: request.contactId,
      userId: user.id,
      kind: request.kind,
      passwordAccess: false,
      requestedBy: press.user,
      reason: 'Asked from the onboarding thread',
    };
    const started = await startOffboarding(deps.temporal, deps.taskQueue, offboarding, deps.policy);
    deps.log('slack.offboardingStarted', { workflowId: started.workflowId, created: started.created, from: press.workflowId, by: press.user });
    const who = escapeMrkdwn(oneLine(onboarding.invitee?.name ?? `contact ${request.contactId}`));
    const org = escapeMrkdwn(oneLine(onboarding.org?.name ?? `organization ${request.orgId}`));
    if (!started.created) {
      const open = await statusOf(deps, started.workflowId);
      const stage = open ? ` (${STAGE_LABELS[open.stage]})` : '';
      await tellPresser(deps, args, `An offboarding of ${who} is already open${stage}: ${await threadLink(deps, open, started.workflowId)}. Nothing else was started.`);
      return;
    }
    const posted = await threadPosted(deps, started.workflowId);
    await tellPresser(deps, args, `The removal of ${who}'s access to ${org} has started: ${await threadLink(deps, posted, started.workflowId)}.`);
  };
}

/** The onboarding's final status when it completed (never an offboarding's or a review's); null otherwise. */
async function completedOnboarding(deps: SlackDeps, workflowId: string): Promise<OnboardingStatus | null> {
  if (offboardedUserOf(workflowId) !== null) return null;
  let described;
  try {
    described = await deps.temporal.workflow.getHandle(workflowId).describe();
  } catch {
    return null; // no such onboarding (WorkflowNotFoundError)
  }
  if (described.status.name !== 'COMPLETED') return null;
  const status = await resultOf(deps, workflowId);
  return status && !status.process && status.stage === 'COMPLETED' ? status : null;
}
