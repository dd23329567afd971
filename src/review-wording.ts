/**
 * How an access review's users are put into words (docs/design.md §15.2), the same in its mails and
 * on its page: the role, the password access, the days, the answers.
 */
import type { AccessReview, ReviewedUser } from '../workflows/review/record';
import { DEFAULT_TIME_ZONE, isTimeZone, passwordsVisibility } from './wording';

/** "IT Glue Lite", or "MyGlue Creator". */
export function reviewedRole(user: Pick<ReviewedUser, 'myGlue' | 'roleName'>): string {
  return `${user.myGlue ? 'MyGlue' : 'IT Glue'} ${user.roleName}`;
}

/** Whether the user's groups let it see stored passwords: "visible", "hidden" or "unknown". */
export function reviewedPasswords(user: Pick<ReviewedUser, 'passwordAccess'>): string {
  return user.passwordAccess === null ? 'unknown' : passwordsVisibility(user.passwordAccess);
}

const days = new Map<string, Intl.DateTimeFormat>();

/** A day in the branding's zone, e.g. "3 March 2025" (an invitation, a sign-in). */
export function formatDay(time: string, timeZone: string = DEFAULT_TIME_ZONE): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return time;
  const zone = isTimeZone(timeZone) ? timeZone : DEFAULT_TIME_ZONE;
  let format = days.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: zone });
    days.set(zone, format);
  }
  return format.format(date);
}

/** The users kept and the users to remove, as the answers say (a user without an answer is in neither). */
export function answeredUsers(review: Pick<AccessReview, 'users' | 'answers'>): { kept: ReviewedUser[]; removed: ReviewedUser[] } {
  const answers = review.answers ?? {};
  return {
    kept: review.users.filter((u) => answers[u.userId] === 'keep'),
    removed: review.users.filter((u) => answers[u.userId] === 'remove'),
  };
}
