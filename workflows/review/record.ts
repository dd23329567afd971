/**
 * What an access review keeps (docs/design.md §15.2): the organization's customer users as its
 * page lists them, the answers, and the offboardings its removals started. A review's request is
 * an OnboardingRequest naming the organization, who asked (a manager's Slack user ID, `cli`, or
 * `schedule` for the periodic ones) and optionally the contact who answers; its `contactId` is empty.
 */

/** One customer user as the review page lists it. */
export interface ReviewedUser {
  userId: string;
  /** The organization's contact whose user it is (by primary email). */
  contactId: string;
  name: string;
  email: string;
  roleName: string;
  myGlue: boolean;
  /** Whether the user's groups let it see passwords; null when it cannot be told. */
  passwordAccess: boolean | null;
  invitedAt: string | null;
  /** Who approved the access, from invite-lite's onboarding record; null for users it did not onboard. */
  approvedBy: string | null;
  approvedAt: string | null;
  /** The onboarding that gave the access; null: "matched by email" (an IT Glue user whose email is a contact's). */
  onboardingId: string | null;
  lastSignInAt: string | null;
  /** No sign-in for `review.dormantAfter` (or never, since an invitation that old). */
  dormant: boolean;
}

export type ReviewAnswer = 'keep' | 'remove';

/** A review's users, the answers, and the offboardings the removals started. */
export interface AccessReview {
  users: ReviewedUser[];
  /** By user ID; null until answered. */
  answers: Record<string, ReviewAnswer> | null;
  /** Offboardings started for the users to remove (`started` false: one was open already). */
  offboardings: Array<{ userId: string; workflowId: string; started: boolean }>;
}
