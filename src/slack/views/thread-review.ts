/**
 * What an access review's thread root says (docs/design.md §15.2): whose users are reviewed, its
 * own stages in plain words, the users with what became of each, and the offboardings the removals
 * started. The root's frame (status, progress line, buttons, context) is the onboarding's
 * (./thread.ts). A review's `invitee` and `approver` are both the contact who answers (the
 * primary contact); `review` holds the users, the answers and the offboardings.
 */
import type { Stage } from '../../../workflows/stages';
import type { OnboardingStatus } from '../../../workflows/types';
import type { ReviewedUser } from '../../../workflows/review/record';
import { oneLine } from '../../../workflows/text';
import { formatTime } from '../../wording';
import { code, escapeMrkdwn, linkTarget, mention, slackDate, truncate } from '../escape';
import { field, names, SECTION_MAX } from './thread-parts';

/** A review's stages in plain words, where they differ from an onboarding's (the answerer named in the headline). */
export const REVIEW_STAGE_LABEL: Partial<Record<Stage, string>> = {
  VALIDATING: 'Gathering users',
  AWAITING_APPROVAL: 'Waiting for the answer',
  REMOVING_ACCESS: 'Starting the removals',
  COMPLETED: 'Completed',
  APPROVAL_EXPIRED: 'Unanswered',
  REJECTED: 'Rejected',
};

/** Users listed in the root; the rest are counted (Slack's section limit). */
const USERS_SHOWN = 25;

/** The organization, escaped, for titles and labels. */
function orgOf(s: OnboardingStatus): string {
  return names(s).org;
}

/** ":clipboard: *Access review of Acme Dental*". */
export function reviewTitle(s: OnboardingStatus): string {
  return `:clipboard: *Access review of ${orgOf(s)}*`;
}

/** The notification text's subject, e.g. "Access review of Acme Dental". */
export function reviewSubject(s: OnboardingStatus): string {
  return `Access review of ${orgOf(s)}`;
}

/** What the answer decided: how many users are kept and removed; null before the answer. */
export function reviewCounts(s: Pick<OnboardingStatus, 'review'>): { kept: number; removed: number } | null {
  const answers = s.review?.answers;
  if (!answers) return null;
  const values = Object.values(answers);
  return { kept: values.filter((a) => a === 'keep').length, removed: values.filter((a) => a === 'remove').length };
}

/** The stage said plainly (mrkdwn, escaped). */
export function reviewHeadline(s: OnboardingStatus): string {
  const n = names(s);
  const counts = reviewCounts(s);
  switch (s.stage) {
    case 'VALIDATING':
      return 'Gathering users: reading the organization’s IT Glue Lite and MyGlue users';
    case 'AWAITING_APPROVAL':
      return n.approver ? `Waiting for ${n.approver}’s answer` : 'Waiting for the answer';
    case 'REMOVING_ACCESS':
      return 'Starting the removals: an offboarding for each user to remove';
    case 'COMPLETED':
      if (!s.review || s.review.users.length === 0) return 'Completed: no IT Glue Lite or MyGlue users to review';
      return counts ? `Completed: ${counts.kept} kept, ${counts.removed} removed` : 'Completed';
    case 'APPROVAL_EXPIRED':
      return n.approver ? `Unanswered: ${n.approver} did not answer in time` : 'Unanswered';
    case 'REJECTED':
      return 'Rejected: this review cannot go ahead';
    case 'CANCELLED':
      return 'Cancelled';
    case 'STALLED':
      return 'Stalled: needs a manager';
    default:
      return REVIEW_STAGE_LABEL[s.stage] ?? s.stage;
  }
}

/** How the review was answered (mrkdwn, escaped). */
function answerText(s: OnboardingStatus): string {
  const e = s.evidence;
  if (e?.via === 'link') return `Answered by ${escapeMrkdwn(oneLine(e.approver.name))}, ${slackDate(e.at, formatTime(e.at))}`;
  if (e?.via === 'cli') return `Answered by ${escapeMrkdwn(oneLine(e.approver.name))} (recorded by ${mention(e.recordedBy)}), ${slackDate(e.at, formatTime(e.at))}`;
  if (e?.via === 'not-needed') return escapeMrkdwn(e.reason);
  if (s.stage === 'APPROVAL_EXPIRED') return 'None in time';
  return s.stage === 'VALIDATING' ? 'Not asked yet' : 'Not yet';
}

/** The review's facts: the organization, who answers, the users, the answer. */
export function reviewFields(s: OnboardingStatus) {
  const n = names(s);
  const users = s.review?.users ?? [];
  const counts = reviewCounts(s);
  const dormant = users.filter((u) => u.dormant).length;
  const matched = users.filter((u) => !u.onboardingId).length;
  const notes = [dormant ? `${dormant} dormant` : '', matched ? `${matched} matched by email` : ''].filter(Boolean).join(', ');
  return [
    field('Organization', n.org),
    field('Answers', s.approver ? `${n.approver}\n${escapeMrkdwn(s.approver.email)}` : s.stage === 'VALIDATING' ? 'To be found' : 'Nobody: no primary contact was found'),
    field('Users', s.review ? `${users.length}${notes ? ` (${notes})` : ''}` : 'To be read'),
    field('Answer', counts ? `${answerText(s)}\n${counts.kept} kept, ${counts.removed} to remove` : answerText(s)),
  ];
}

/** One user's state: kept, to remove, or not answered yet; dormant and matched by email noted. */
function userLine(s: OnboardingStatus, u: ReviewedUser): string {
  const answer = s.review?.answers?.[u.userId];
  const state = answer === 'keep' ? ':white_check_mark: kept' : answer === 'remove' ? ':x: to remove' : ':grey_question: not answered';
  const notes = [u.myGlue ? 'MyGlue' : 'IT Glue Lite', u.dormant ? ':zzz: dormant' : '', u.onboardingId ? '' : 'matched by email'].filter(Boolean);
  return `• ${escapeMrkdwn(oneLine(u.name))} ${code(u.email)} — ${state} · ${notes.join(' · ')}`;
}

/** The offboardings the removals started: a link to each thread when known, else its workflow ID. */
function offboardingLines(s: OnboardingStatus, threadLink: (workflowId: string) => string | null): string[] {
  const users = new Map((s.review?.users ?? []).map((u) => [u.userId, u]));
  return (s.review?.offboardings ?? []).map((o) => {
    const who = escapeMrkdwn(oneLine(users.get(o.userId)?.email ?? `user ${o.userId}`));
    const link = threadLink(o.workflowId);
    const where = link ? `<${linkTarget(link)}|its thread>` : code(o.workflowId);
    return `• ${who}: ${where}${o.started ? '' : ' (one was already open)'}`;
  });
}

/** The users with their state once known, then the offboardings started; null before the users are read. */
export function reviewDetail(s: OnboardingStatus, threadLink: (workflowId: string) => string | null = () => null): string | null {
  const review = s.review;
  if (!review || review.users.length === 0) return null;
  const shown = review.users.slice(0, USERS_SHOWN).map((u) => userLine(s, u));
  const more = review.users.length - shown.length;
  const parts = [`*Users*\n${shown.join('\n')}${more > 0 ? `\n…and ${more} more` : ''}`];
  const offboardings = offboardingLines(s, threadLink);
  if (offboardings.length > 0) parts.push(`*Offboardings started*\n${offboardings.join('\n')}`);
  if (s.stage === 'APPROVAL_EXPIRED') parts.push('*Managers:* remove a user with `/offboard-lite`, or start a new review with `/onboarding-status review`.');
  return truncate(parts.join('\n\n'), SECTION_MAX);
}
