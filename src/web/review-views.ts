/**
 * An access review's pages (docs/design.md §6, §15.2): the organization's users, each with Keep /
 * Remove, in one form; the answer recorded through this link; and the refusals worded for a review.
 * One card per user, so that the page fits a phone without a table to scroll.
 */
import type { Evidence, OnboardingStatus } from '../../workflows/types';
import type { ReviewAnswer, ReviewedUser } from '../../workflows/review/record';
import { html, type Html } from '../html';
import { answeredUsers, formatDay, reviewedPasswords, reviewedRole } from '../review-wording';
import { formatTime } from '../wording';
import type { ApprovalState } from './approval-state';
import { type Branding, COMMENT_MAX, contact, page, stateView } from './approval-views';
import type { Page } from './page';

type Decided = Exclude<Evidence, { via: 'not-needed' }>;

/** What the person already chose, when the page is shown again, and why it is. */
export interface ReviewForm {
  answers: Record<string, ReviewAnswer>;
  comment: string;
  problem: string;
}

function approvedWords(branding: Branding, user: ReviewedUser): string {
  if (user.onboardingId === null) return `matched by email — not onboarded by ${branding.mspName}`;
  if (!user.approvedBy) return 'onboarded without a recorded approval';
  return `by ${user.approvedBy}${user.approvedAt ? ` on ${formatDay(user.approvedAt, branding.timeZone)}` : ''}`;
}

function choice(user: ReviewedUser, value: ReviewAnswer, label: string, chosen: ReviewAnswer | undefined): Html {
  return html`<label><input type="radio" name="answer:${user.userId}" value="${value}" required${chosen === value ? html` checked` : ''}> ${label}</label>`;
}

/** One user's card: who, the role, passwords, when invited and approved, last sign-in, Keep / Remove. */
function userCard(branding: Branding, user: ReviewedUser, chosen: ReviewAnswer | undefined): Html {
  const zone = branding.timeZone;
  return html`<fieldset>
<legend>${user.name}${user.dormant ? html` — <strong>dormant</strong>` : ''}</legend>
<dl>
<dt>Email</dt><dd>${user.email}</dd>
<dt>Role</dt><dd>${reviewedRole(user)}</dd>
<dt>Passwords</dt><dd>${reviewedPasswords(user)}</dd>
<dt>Invited</dt><dd>${user.invitedAt ? formatDay(user.invitedAt, zone) : 'unknown'}</dd>
<dt>Approved</dt><dd>${approvedWords(branding, user)}</dd>
<dt>Last sign-in</dt><dd>${user.lastSignInAt ? formatDay(user.lastSignInAt, zone) : 'never'}</dd>
</dl>
<div class="actions">
${choice(user, 'keep', 'Keep', chosen)}
${choice(user, 'remove', 'Remove', chosen)}
</div>
</fieldset>`;
}

/** The review with its form; `form` when it is shown again (a user left without a choice). */
export function reviewRequestView(branding: Branding, status: OnboardingStatus, expiresAt: number, csrf: string, form?: ReviewForm): Page {
  const org = status.org?.name ?? 'your organization';
  const users = status.review?.users ?? [];
  return page(
    branding,
    `Review who can see ${org}'s IT documentation`,
    html`<h1>${branding.mspName} asks you to review who can see ${org}'s IT documentation</h1>
${form ? html`<p class="outcome outcome-deny" role="alert">${form.problem}</p>` : ''}
<p>Choose <strong>Keep</strong> or <strong>Remove</strong> for each of the ${users.length} users below. <strong>Remove takes the access away</strong>: the user is taken out of every group and deleted in IT Glue. Keep changes nothing.</p>
<dl>
<dt>Organization</dt><dd>${org}</dd>
<dt>Requested by</dt><dd>${branding.mspName}</dd>
<dt>Answer by</dt><dd>${formatTime(expiresAt, branding.timeZone)}</dd>
</dl>
<form method="post">
<input type="hidden" name="csrf" value="${csrf}">
${users.map((u) => userCard(branding, u, form?.answers[u.userId]))}
<label for="comment">Comment <span class="hint">(optional)</span></label>
<textarea id="comment" name="comment" maxlength="${COMMENT_MAX}" rows="3">${form?.comment ?? ''}</textarea>
<div class="actions">
<button type="submit" class="approve">Send my answer</button>
</div>
</form>
<p class="hint">Your answer is recorded with the time, your network address and your browser.</p>
${contact(branding)}`,
  );
}

/** Names the users left without a choice. */
export function missingChoices(users: ReviewedUser[]): string {
  return `Choose Keep or Remove for ${users.map((u) => `${u.name} (${u.email})`).join(', ')}. Nothing was recorded yet.`;
}

function userList(users: ReviewedUser[]): Html {
  return users.length ? html`<ul>${users.map((u) => html`<li>${u.name} &lt;${u.email}&gt;</li>`)}</ul>` : html`<p>Nobody.</p>`;
}

/** The answer just given through this link: who is kept, who will be removed. */
export function reviewResultView(branding: Branding, evidence: Decided, status: OnboardingStatus): Page {
  const { kept, removed } = answeredUsers(status.review ?? { users: [], answers: null });
  const comment = evidence.via === 'link' ? evidence.comment : null;
  return page(
    branding,
    'Thank you: review answered',
    html`<h1>Thank you</h1>
<p class="outcome outcome-approve">Your answer to the access review of ${status.org?.name ?? 'your organization'} has been recorded.</p>
<p>It was recorded on ${formatTime(evidence.at, branding.timeZone)}.</p>
<h2>Kept (${kept.length})</h2>
${userList(kept)}
<h2>To be removed (${removed.length})</h2>
${userList(removed)}
${comment ? html`<p>Your comment: “${comment}”</p>` : ''}
<p>${removed.length ? `${branding.mspName} will now remove the access of the users to be removed.` : 'Everyone keeps their access: nothing changes.'} You can close this page.</p>
${contact(branding)}`,
  );
}

/** A review's link that cannot answer (any state but open), worded for a review. */
export function reviewStateView(branding: Branding, state: Exclude<ApprovalState, { kind: 'open' }>): Page {
  switch (state.kind) {
    case 'decided':
      return page(
        branding,
        'Already answered',
        html`<h1>This review has already been answered</h1>
<p class="outcome outcome-info">The answer was recorded on ${formatTime(state.evidence.at, branding.timeZone)}.</p>
<p>Nothing more is needed from you.</p>
${contact(branding)}`,
      );
    case 'expired':
      return page(
        branding,
        'Link expired',
        html`<h1>This link has expired</h1>
<p>The review could be answered until ${formatTime(state.at, branding.timeZone)}.</p>
<p>If someone's access should change, ask ${branding.mspName}.</p>
${contact(branding)}`,
      );
    case 'superseded':
      return page(
        branding,
        'Link replaced',
        html`<h1>This link has been replaced</h1>
<p>A newer email about this review, or a newer review of your organization, was sent with a new link. Please use the link in the most recent email from ${branding.mspName}.</p>
${contact(branding)}`,
      );
    default:
      return stateView(branding, state, 'review');
  }
}
