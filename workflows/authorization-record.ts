/**
 * One writer per organization's authorization record (the tag field of its Site Summary flexible
 * asset). Adding a contact is a read-modify-write of the whole asset: IT Glue deletes the traits a
 * PATCH leaves out and replaces the field's list, so two onboardings at one customer writing at
 * once could drop each other's contact. Every add goes through this workflow (ID
 * `itglue-authorization:<orgId>`, started with the first Update; the asset itself is looked up by
 * the activity), which writes the waiting adds together, one write at a time, and ends after a
 * quiet minute. A write refused for good is tried again for each contact on its own, so that one
 * contact IT Glue refuses (say, deleted meanwhile) does not fail the others written with it.
 */
import * as wf from '@temporalio/workflow';
import { ApplicationFailure } from '@temporalio/workflow';
import { workArrives, writerActivities } from './single-writer';

/** Which field of which asset type holds the authorized contacts (from the policy). */
export interface AuthorizationField {
  assetTypeName: string;
  fieldNameKey: string;
}

export interface AuthorizedContact extends AuthorizationField {
  contactId: string;
}

/** Adds the contact to the field; returns the field's contacts after the write. */
export const recordAuthorizedContact = wf.defineUpdate<string[], [AuthorizedContact]>('recordAuthorizedContact');

export const authorizationRecordWorkflowId = (orgId: string) => `itglue-authorization:${orgId}`;

interface Failure {
  message: string;
  type: string;
  nonRetryable: boolean;
}

interface Ticket extends AuthorizedContact {
  state: 'waiting' | 'writing' | 'done';
  /** Written on its own: a write of it with others was refused. */
  alone?: boolean;
  contactIds?: string[];
  error?: Failure;
}

/**
 * Why the write failed, as the onboarding is to see it: IT Glue's reason and whether retrying can
 * mend it (a missing or doubled asset, a refused request: no; an outage outlasting the retries: yes).
 */
function failureOf(error: unknown): Failure {
  const cause = error instanceof wf.ActivityFailure && error.cause ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    return { message: cause.message, type: cause.type ?? 'AuthorizationRecordFailed', nonRetryable: cause.nonRetryable === true };
  }
  return { message: cause instanceof Error ? cause.message : String(cause), type: 'AuthorizationRecordFailed', nonRetryable: false };
}

const sameField = (a: AuthorizationField, b: AuthorizationField) => a.assetTypeName === b.assetTypeName && a.fieldNameKey === b.fieldNameKey;

export async function authorizationRecord(orgId: string): Promise<void> {
  const { recordAuthorizedContacts } = writerActivities();
  const tickets: Ticket[] = [];

  wf.setHandler(recordAuthorizedContact, async ({ contactId, assetTypeName, fieldNameKey }) => {
    const ticket: Ticket = { contactId, assetTypeName, fieldNameKey, state: 'waiting' };
    tickets.push(ticket);
    await wf.condition(() => ticket.state === 'done');
    if (ticket.error) throw ApplicationFailure.create({ ...ticket.error });
    return ticket.contactIds!;
  });

  while (await workArrives(() => tickets.some((t) => t.state === 'waiting'))) {
    // The waiting adds to the same field (the policy names it) go in one write.
    const first = tickets.find((t) => t.state === 'waiting')!;
    const batch = first.alone ? [first] : tickets.filter((t) => t.state === 'waiting' && !t.alone && sameField(t, first));
    for (const t of batch) t.state = 'writing';
    try {
      const { contactIds } = await recordAuthorizedContacts({
        orgId,
        contactIds: [...new Set(batch.map((t) => t.contactId))],
        assetTypeName: first.assetTypeName,
        fieldNameKey: first.fieldNameKey,
      });
      for (const t of batch) Object.assign(t, { state: 'done', contactIds });
    } catch (error) {
      const failure = failureOf(error);
      const split = failure.nonRetryable && new Set(batch.map((t) => t.contactId)).size > 1;
      for (const t of batch) Object.assign(t, split ? { state: 'waiting', alone: true } : { state: 'done', error: failure });
    }
    tickets.splice(0, tickets.length, ...tickets.filter((t) => t.state !== 'done'));
    if (wf.workflowInfo().continueAsNewSuggested && tickets.length === 0) {
      await wf.condition(wf.allHandlersFinished);
      if (tickets.length === 0) await wf.continueAsNew<typeof authorizationRecord>(orgId);
    }
  }
}
