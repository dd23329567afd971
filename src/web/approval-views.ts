/** The approval pages' content: the request with its form, the recorded result, and every refusal (an access review's in review-views.ts). */
import type { Policy } from '../../workflows/policy';
import type { Evidence, OnboardingStatus, Process } from '../../workflows/types';
import { html, type Html } from '../html';
import { accessLevel, formatTime, passwordAccess } from '../wording';
import { productName } from '../../workflows/text';
import type { ApprovalState } from './approval-state';
import type { Page } from './page';

export type Branding = Policy['branding'];
type Decided = Exclude<Evidence, { via: 'not-needed' }>;

/** Longest comment kept with a decision. */
export const COMMENT_MAX = 1_000;

export function page(branding: Branding, title: string, body: Html): Page {
  return { title, brand: branding.mspName, body };
}

export function contact(branding: Branding): Html {
  return html`<p class="hint">Questions? Contact ${branding.supportContact}.</p>`;
}

/** The form that decides: an optional comment, Approve (`approveLabel`) and Deny. */
function decisionForm(csrf: string, approveLabel: string): Html {
  return html`<form method="post">
<input type="hidden" name="csrf" value="${csrf}">
<label for="comment">Comment <span class="hint">(optional)</span></label>
<textarea id="comment" name="comment" maxlength="${COMMENT_MAX}" rows="3"></textarea>
<div class="actions">
<button type="submit" name="decision" value="approve" class="approve">${approveLabel}</button>
<button type="submit" name="decision" value="deny" class="deny">Deny</button>
</div>
</form>`;
}

const isOffboarding = (process: Process | undefined) => process === 'offboarding';

export function requestView(branding: Branding, status: OnboardingStatus, expiresAt: number, csrf: string): Page {
  if (isOffboarding(status.process)) return removalRequestView(branding, status, expiresAt, csrf);
  const { invitee, org, request } = status;
  return page(
    branding,
    'Approve IT Glue access?',
    html`<h1>${branding.mspName} asks for your approval</h1>
<p>${branding.mspName} would like to give ${invitee?.name ?? 'a person'} access to the IT documentation of ${org?.name ?? 'your organization'} in ${productName(request)}.</p>
<dl>
<dt>Person</dt><dd>${invitee?.name ?? ''}${invitee ? html` &lt;${invitee.email}&gt;` : ''}</dd>
<dt>Organization</dt><dd>${org?.name ?? ''}</dd>
<dt>Access</dt><dd>${accessLevel(request)}</dd>
<dt>Passwords</dt><dd>${passwordAccess(request)}</dd>
<dt>Requested by</dt><dd>${branding.mspName}</dd>
${request.ticket ? html`<dt>Reference</dt><dd>${request.ticket}</dd>` : ''}
<dt>Answer by</dt><dd>${formatTime(expiresAt, branding.timeZone)}</dd>
</dl>
${decisionForm(csrf, 'Approve')}
<p class="hint">Your decision is recorded with the time, your network address and your browser.</p>
${contact(branding)}`,
  );
}

/** An offboarding's request (docs/design.md §15): approving removes the person's access. */
function removalRequestView(branding: Branding, status: OnboardingStatus, expiresAt: number, csrf: string): Page {
  const { invitee, org, request, user } = status;
  const product = productName(request);
  const who = invitee?.name ?? 'a person';
  const reason = 'reason' in request && typeof request.reason === 'string' ? request.reason.trim() : '';
  return page(
    branding,
    `Approve removing ${product} access?`,
    html`<h1>${branding.mspName} asks for your approval to remove access</h1>
<p>${branding.mspName} would like to remove ${who}'s access to the IT documentation of ${org?.name ?? 'your organization'} in ${product}.</p>
<p>If you approve, <strong>the access is removed</strong>: ${who} can no longer see the documentation, and the ${product} user is deleted. If you deny, nothing changes.</p>
<dl>
<dt>Person</dt><dd>${invitee?.name ?? ''}${invitee ? html` &lt;${invitee.email}&gt;` : ''}</dd>
<dt>Organization</dt><dd>${org?.name ?? ''}</dd>
<dt>Product</dt><dd>${product}</dd>
<dt>User</dt><dd>${user?.email ?? invitee?.email ?? ''}</dd>
${reason ? html`<dt>Reason</dt><dd>${reason}</dd>` : ''}
<dt>Requested by</dt><dd>${branding.mspName}</dd>
${request.ticket ? html`<dt>Reference</dt><dd>${request.ticket}</dd>` : ''}
<dt>Answer by</dt><dd>${formatTime(expiresAt, branding.timeZone)}</dd>
</dl>
${decisionForm(csrf, 'Approve removal')}
<p class="hint">Your decision is recorded with the time, your network address and your browser.</p>
${contact(branding)}`,
  );
}

function decisionWords(branding: Branding, evidence: Decided): { verb: string; how: string } {
  if (evidence.via === 'offline') {
    return { verb: 'approved', how: `Approval was received by ${evidence.channel.replace('-', ' ')} and recorded on ${formatTime(evidence.at, branding.timeZone)}.` };
  }
  const verb = evidence.decision === 'approve' ? 'approved' : 'denied';
  if (evidence.via === 'cli') return { verb, how: `The decision was recorded by ${branding.mspName} on ${formatTime(evidence.at, branding.timeZone)}.` };
  return { verb, how: `The request was ${verb} on ${formatTime(evidence.at, branding.timeZone)}.` };
}

/** The decision just made through this link; `process` 'offboarding' words it as a removal. */
export function resultView(branding: Branding, evidence: Decided, process?: Process): Page {
  const approved = evidence.decision === 'approve';
  const { verb, how } = decisionWords(branding, evidence);
  const removal = isOffboarding(process);
  const next = removal
    ? approved
      ? `${branding.mspName} will now remove the access.`
      : `The access stays as it is, and ${branding.mspName} has been told.`
    : approved
      ? `${branding.mspName} will now set up the access.`
      : `No access will be given, and ${branding.mspName} has been told.`;
  return page(
    branding,
    removal ? `Thank you: removal ${verb}` : `Thank you: access ${verb}`,
    html`<h1>Thank you</h1>
<p class="outcome ${approved ? 'outcome-approve' : 'outcome-deny'}">You ${verb} the ${removal ? 'removal of the access' : 'request'}.</p>
<p>${how}</p>
${evidence.via === 'link' && evidence.comment ? html`<p>Your comment: “${evidence.comment}”</p>` : ''}
<p>${next} You can close this page.</p>
${contact(branding)}`,
  );
}

/** The page of a link that cannot be used for a decision (any state but open); `process` 'offboarding' words it as a removal. */
export function stateView(branding: Branding, state: Exclude<ApprovalState, { kind: 'open' }>, process?: Process): Page {
  switch (state.kind) {
    case 'decided': {
      const { verb, how } = decisionWords(branding, state.evidence);
      return page(
        branding,
        'Already answered',
        html`<h1>This request has already been answered</h1>
<p class="outcome outcome-info">${isOffboarding(process) ? 'The removal' : 'It'} was ${verb}.</p>
<p>${how} Nothing more is needed from you.</p>
${contact(branding)}`,
      );
    }
    case 'expired':
      return page(
        branding,
        'Link expired',
        html`<h1>This link has expired</h1>
<p>The request could be answered until ${formatTime(state.at, branding.timeZone)}. Nothing was approved.</p>
<p>${isOffboarding(process) ? 'If the access should still be removed' : 'If the access is still needed'}, ask ${branding.mspName} to send a new request.</p>
${contact(branding)}`,
      );
    case 'superseded':
      return page(
        branding,
        'Link replaced',
        html`<h1>This link has been replaced</h1>
<p>A newer email about this request was sent, with a new link. Please use the link in the most recent email from ${branding.mspName}.</p>
${contact(branding)}`,
      );
    case 'not-waiting':
      return page(
        branding,
        'No longer waiting',
        html`<h1>This request is no longer waiting for a decision</h1>
<p>It may have been cancelled, or settled another way. Nothing more is needed from you.</p>
${contact(branding)}`,
      );
  }
}

export function invalidLinkView(branding: Branding): Page {
  return page(
    branding,
    'Link not valid',
    html`<h1>This link is not valid</h1>
<p>Please open the link exactly as it is in the email (some mail programs break long links over two lines).</p>
${contact(branding)}`,
  );
}

/** The form could not be verified; `again` is the approval page's address. */
export function csrfView(branding: Branding, again: string): Page {
  return page(
    branding,
    'Please try again',
    html`<h1>Please try again</h1>
<p>Your answer could not be verified, so nothing was recorded. This happens when the page was opened in another browser or cookies are blocked for this site.</p>
<p><a href="${again}">Open the request again</a> and choose once more.</p>
${contact(branding)}`,
  );
}

export function badRequestView(branding: Branding, again: string): Page {
  return page(
    branding,
    'Please choose',
    html`<h1>Please choose Approve or Deny</h1>
<p>Nothing was recorded. <a href="${again}">Open the request again</a> and press one of the two buttons.</p>
${contact(branding)}`,
  );
}

/** Too many requests from this network address in a short time (429). */
export function tooManyRequestsView(branding: Branding): Page {
  return page(
    branding,
    'Please wait a moment',
    html`<h1>Please wait a moment</h1>
<p>There were too many requests from your network address in a short time, so nothing was read or recorded. Please open the link from the email again in a minute.</p>
${contact(branding)}`,
  );
}

export function unavailableView(branding: Branding): Page {
  return page(
    branding,
    'Please try again later',
    html`<h1>Please try again in a few minutes</h1>
<p>The approval service cannot be reached right now. Please open the link from the email again in a few minutes: the page then shows whether your answer has been recorded.</p>
${contact(branding)}`,
  );
}
