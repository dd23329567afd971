/**
 * One writer per organization's authorization record (the tag field of its Site Summary flexible
 * asset; docs/design.md §4.3, §14). Adding a contact, or taking one out when an offboarding removes
 * their access (§15), is a read-modify-write of the whole asset: IT Glue deletes the traits a PATCH
 * leaves out and replaces the field's list, so two onboardings or offboardings at one customer
 * writing at once could drop each other's change. Every add and removal goes through this workflow
 * (ID `itglue-authorization:<orgId>`, started with the first Update; the asset itself is looked up
 * by the activity), which writes the waiting changes of one kind together, one write at a time, and
 * ends after a quiet minute. A write refused for good is tried again for each contact on its own, so
 * that one contact IT Glue refuses (say, deleted meanwhile) does not fail the others written with it.
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

/** What taking a contact out did: the field's contacts after it, and whether the contact was there. */
export interface AuthorizationRemoval {
  contactIds: string[];
  removed: boolean;
}

/**
 * Takes the contact out of the field, keeping every other contact and trait; nothing is written
 * when the contact is not there, or the organization has no such asset.
 */
export const removeAuthorizedContact = wf.defineUpdate<AuthorizationRemoval, [AuthorizedContact]>('removeAuthorizedContact');

export const authorizationRecordWorkflowId = (orgId: string) => `itglue-authorization:${orgId}`;

interface Failure {
  message: string;
  type: string;
  nonRetryable: boolean;
}

interface Ticket extends AuthorizedContact {
  change: 'add' | 'remove';
  state: 'waiting' | 'writing' | 'done';
  /** Written on its own: a write of it with others was refused. */
  alone?: boolean;
  contactIds?: string[];
  /** A removal's: whether this write took the contact out. */
  removed?: boolean;
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

  const queue = async ({ contactId, assetTypeName, fieldNameKey }: AuthorizedContact, change: Ticket['change']): Promise<Ticket> => {
    const ticket: Ticket = { contactId, assetTypeName, fieldNameKey, change, state: 'waiting' };
    tickets.push(ticket);
    await wf.condition(() => ticket.state === 'done');
    if (ticket.error) throw ApplicationFailure.create({ ...ticket.error });
    return ticket;
  };
  wf.setHandler(recordAuthorizedContact, async (contact) => (await queue(contact, 'add')).contactIds!);
  wf.setHandler(removeAuthorizedContact, async (contact) => {
    const { contactIds, removed } = await queue(contact, 'remove');
    return { contactIds: contactIds!, removed: removed === true };
  });

  while (await workArrives(() => tickets.some((t) => t.state === 'waiting'))) {
    // The waiting changes of one kind to the same field (the policy names it) go in one write.
    const first = tickets.find((t) => t.state === 'waiting')!;
    const batch = first.alone ? [first] : tickets.filter((t) => t.state === 'waiting' && !t.alone && t.change === first.change && sameField(t, first));
    for (const t of batch) t.state = 'writing';
    const target = {
      orgId,
      contactIds: [...new Set(batch.map((t) => t.contactId))],
      assetTypeName: first.assetTypeName,
      fieldNameKey: first.fieldNameKey,
    };
    try {
      // An add sends the input that histories recorded before removals existed hold.
      const { contactIds, removed } = await recordAuthorizedContacts(first.change === 'remove' ? { ...target, remove: true } : target);
      for (const t of batch) Object.assign(t, { state: 'done', contactIds, removed: removed?.includes(t.contactId) === true });
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
