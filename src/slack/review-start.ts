/**
 * `/onboarding-status review <organization name or IT Glue id>` (managers): the organization is
 * found in IT Glue as the invite form's type-ahead finds it (one customer organization exactly),
 * then its access review starts (docs/design.md §15.2), requested by the manager. The answer,
 * only for them, links the review's thread, or the review already open for the organization.
 */
import { startReview } from '../onboardings';
import { threadLink, threadPosted } from './thread-link';
import { oneLine } from '../../workflows/text';
import type { SlackDeps } from './deps';
import { escapeMrkdwn } from './escape';
import type { ItGlueOrganization } from '../itglue/schemas';
import { REVIEW_STAGE_LABEL } from './views/thread-review';
import { STAGE_LABELS } from './views/format';
import { statusOf } from './workflow-reads';

/** Candidates named when a name matches several organizations. */
const CANDIDATES_SHOWN = 10;

export const REVIEW_USAGE = 'Name the organization to review: `/onboarding-status review <organization name or IT Glue id>`. Nothing was started.';

const orgName = (o: Pick<ItGlueOrganization, 'name'>) => escapeMrkdwn(oneLine(o.name));

/** The one customer organization `text` names (by IT Glue id or by name), or what to tell the manager. */
async function organizationOf(deps: SlackDeps, text: string): Promise<{ org: ItGlueOrganization } | { answer: string }> {
  if (!deps.directory) return { answer: 'IT Glue is not configured (ITGLUE_API_KEY), so no organization can be found. Nothing was started.' };
  if (/^\d+$/.test(text)) {
    const org = await deps.directory.organization(text);
    if (!org || org.primary) return { answer: `IT Glue has no customer organization with the id ${escapeMrkdwn(text)}. Nothing was started.` };
    return { org };
  }
  const found = await deps.directory.searchOrganizations(text, CANDIDATES_SHOWN + 1);
  if (found.length === 1) return { org: found[0]! };
  const named = `“${escapeMrkdwn(oneLine(text))}”`;
  if (found.length === 0) return { answer: `No customer organization in IT Glue matches ${named}. Nothing was started.` };
  const list = found.slice(0, CANDIDATES_SHOWN).map((o) => `• ${orgName(o)} (id ${escapeMrkdwn(o.id)})`);
  const more = found.length > CANDIDATES_SHOWN ? '\n…and more: give a longer name.' : '';
  return {
    answer: `Several organizations match ${named}; name one exactly, or give its IT Glue id (\`/onboarding-status review <id>\`). Nothing was started.\n${list.join('\n')}${more}`,
  };
}

/** Starts the access review `text` names, for `user` (a manager); returns what to tell them (mrkdwn). */
export async function startReviewFromSlack(deps: SlackDeps, text: string, user: string): Promise<string> {
  const value = text.trim();
  if (!value) return REVIEW_USAGE;
  const found = await organizationOf(deps, value);
  if ('answer' in found) return found.answer;
  const { org } = found;
  const started = await startReview(deps.temporal, deps.taskQueue, { orgId: org.id, requestedBy: user }, deps.policy);
  deps.log('slack.reviewStarted', { workflowId: started.workflowId, created: started.created, by: user });
  if (!started.created) {
    const open = await statusOf(deps, started.workflowId);
    const stage = open ? ` (${REVIEW_STAGE_LABEL[open.stage] ?? STAGE_LABELS[open.stage]})` : '';
    return `A review of ${orgName(org)} is already open${stage}: ${await threadLink(deps, open, started.workflowId)}. Nothing else was started.`;
  }
  const posted = await threadPosted(deps, started.workflowId);
  return `The access review of ${orgName(org)} has started: ${await threadLink(deps, posted, started.workflowId)}.`;
}
