/**
 * The page of a batch approval link (docs/design.md §15.3): each person still waiting with Approve /
 * Deny (none chosen beforehand), one comment and one submit; the persons settled otherwise, as
 * such; and after the POST, each person's outcome.
 */
import type { Policy } from '../../workflows/policy';
import type { OnboardingStatus } from '../../workflows/types';
import { html, type Html } from '../html';
import { accessLevel, formatTime, passwordAccess } from '../wording';
import type { ApprovalState } from './approval-state';
import { COMMENT_MAX } from './approval-views';
import type { Page } from './page';

type Branding = Policy['branding'];

/** A member of the batch as the page shows it: its status (null when it cannot be read) and where its request stands. */
export interface BatchEntry {
  workflowId: string;
  /** The member's name and email as the batch knows them. */
  name: string;
  email: string;
  status: OnboardingStatus | null;
  state: ApprovalState;
}

/** What became of one person's decision sent by the POST. */
export type BatchOutcome =
  | { entry: BatchEntry; kind: 'decided'; decision: 'approve' | 'deny' }
  | { entry: BatchEntry; kind: 'refused'; reason: string }
  | { entry: BatchEntry; kind: 'not-sent' };

/** The form's field of a person's decision. */
export function decisionField(entry: BatchEntry): string {
  return `decision:${entry.workflowId}`;
}

function page(branding: Branding, title: string, body: Html): Page {
  return { title, brand: branding.mspName, body };
}

function contact(branding: Branding): Html {
  return html`<p class="hint">Questions? Contact ${branding.supportContact}.</p>`;
}

/** Where a request not open for a decision stands, in words. */
function settled(state: ApprovalState, branding: Branding): string {
  switch (state.kind) {
    case 'decided': {
      const verb = state.evidence.decision === 'approve' ? 'Approved' : 'Denied';
      return `${verb} on ${formatTime(state.evidence.at, branding.timeZone)}: nothing more is needed.`;
    }
    case 'expired':
      return 'The request has expired: nothing was approved.';
    case 'superseded':
      return 'Another contact has been asked to approve this request instead.';
    case 'not-waiting':
      return 'No longer waiting for a decision (cancelled, or settled another way).';
    case 'open':
      return '';
  }
}

function personFacts(entry: BatchEntry): Html {
  const request = entry.status?.request;
  return html`<dl>
<dt>Email</dt><dd>${entry.email}</dd>
${request ? html`<dt>Access</dt><dd>${accessLevel(request)}</dd><dt>Passwords</dt><dd>${passwordAccess(request)}</dd>` : ''}
${request?.ticket ? html`<dt>Reference</dt><dd>${request.ticket}</dd>` : ''}
</dl>`;
}

function choice(entry: BatchEntry, value: 'approve' | 'deny', chosen: string | undefined): Html {
  const id = `${decisionField(entry)}:${value}`;
  return html`<label for="${id}" class="${value}-choice"><input type="radio" id="${id}" name="${decisionField(entry)}" value="${value}"${chosen === value ? html` checked` : ''}> ${value === 'approve' ? 'Approve' : 'Deny'}</label>`;
}

/**
 * The persons of the batch: those still waiting with their two choices (`chosen`: what a refused
 * POST had chosen), the others as they stand; `missing`, the persons left without a choice.
 */
export function batchRequestView(
  branding: Branding,
  input: { org: string; entries: BatchEntry[]; expiresAt: number; csrf: string; chosen?: Record<string, string>; missing?: string[]; comment?: string },
): Page {
  const open = input.entries.filter((e) => e.state.kind === 'open');
  const others = input.entries.filter((e) => e.state.kind !== 'open');
  const missing = input.missing ?? [];
  const people = open.length === 1 ? '1 person' : `${open.length} persons`;
  const form =
    open.length === 0
      ? html`<p class="outcome outcome-info">Nothing is waiting for your decision any more.</p>`
      : html`<form method="post">
<input type="hidden" name="csrf" value="${input.csrf}">
${open.map(
  (e) => html`<fieldset>
<legend><strong>${e.name}</strong></legend>
${personFacts(e)}
<div class="actions">${choice(e, 'approve', input.chosen?.[e.workflowId])} ${choice(e, 'deny', input.chosen?.[e.workflowId])}</div>
</fieldset>`,
)}
<label for="comment">Comment <span class="hint">(optional, kept with each decision)</span></label>
<textarea id="comment" name="comment" maxlength="${COMMENT_MAX}" rows="3">${input.comment ?? ''}</textarea>
<div class="actions"><button type="submit" class="approve">Send my decisions</button></div>
</form>`;
  return page(
    branding,
    'Approve IT Glue access?',
    html`<h1>${branding.mspName} asks for your approval</h1>
${missing.length > 0 ? html`<p class="outcome outcome-deny">Nothing was recorded: choose Approve or Deny for ${missing.join(', ')}.</p>` : ''}
${open.length > 0 ? html`<p>${branding.mspName} would like to give ${people} access to the IT documentation of ${input.org} in IT Glue. Choose Approve or Deny for each person.</p>` : ''}
${form}
${others.map((e) => html`<p><strong>${e.name}</strong> &lt;${e.email}&gt;: ${settled(e.state, branding)}</p>`)}
<p class="hint">Answer by ${formatTime(input.expiresAt, branding.timeZone)}. Each decision is recorded with the time, your network address and your browser.</p>
${contact(branding)}`,
  );
}

function outcomeText(outcome: BatchOutcome, branding: Branding): string {
  switch (outcome.kind) {
    case 'decided':
      return outcome.decision === 'approve' ? `You approved: ${branding.mspName} will now set up the access.` : `You denied: no access will be given.`;
    case 'refused':
      return `Not recorded: ${outcome.reason}`;
    case 'not-sent':
      return settled(outcome.entry.state, branding);
  }
}

/** Each person's outcome after the one POST. */
export function batchResultView(branding: Branding, outcomes: BatchOutcome[], comment: string | null): Page {
  return page(
    branding,
    'Thank you: decisions recorded',
    html`<h1>Thank you</h1>
${outcomes.map((o) => {
  const tone = o.kind === 'decided' ? (o.decision === 'approve' ? 'outcome-approve' : 'outcome-deny') : 'outcome-info';
  return html`<p class="outcome ${tone}">${o.entry.name}: ${outcomeText(o, branding)}</p>`;
})}
${comment ? html`<p>Your comment: “${comment}”</p>` : ''}
<p>${branding.mspName} has been told. You can close this page.</p>
${contact(branding)}`,
  );
}
