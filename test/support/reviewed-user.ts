/** A user as an access review lists it (docs/design.md §15.2), for the Slack tests: onboarded by invite-lite, approved by Paula. */
import type { Person } from '../../workflows/types';
import type { ReviewedUser } from '../../workflows/review/record';
import { ORG, PRIMARY, userFor } from './fake-activities';

export function reviewedUser(person: Person, over: Partial<ReviewedUser> = {}): ReviewedUser {
  return {
    userId: userFor(person).id,
    contactId: person.contactId,
    name: person.name,
    email: person.email.toLowerCase(),
    roleName: 'Lite',
    myGlue: false,
    passwordAccess: false,
    invitedAt: '2026-01-05T10:00:00.000Z',
    approvedBy: PRIMARY.name,
    approvedAt: '2026-01-04T09:00:00.000Z',
    onboardingId: `onboarding:${ORG.id}:${person.contactId}`,
    lastSignInAt: '2026-02-20T08:00:00.000Z',
    dormant: false,
    ...over,
  };
}
