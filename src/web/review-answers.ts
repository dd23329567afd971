/**
 * An access review's form, read (docs/design.md §15.2): the choice for each of the review's users,
 * from its field `answer:<userId>`. Only the review's own users are read; any other field is ignored.
 */
import type { ReviewAnswer, ReviewedUser } from '../../workflows/review/record';

const ANSWERS: readonly string[] = ['keep', 'remove'] satisfies ReviewAnswer[];

/** The choices made, and the users left without one. */
export function reviewAnswers(form: URLSearchParams, users: readonly ReviewedUser[]): { answers: Record<string, ReviewAnswer>; missing: ReviewedUser[] } {
  const chosen: Array<[string, ReviewAnswer]> = [];
  const missing: ReviewedUser[] = [];
  for (const user of users) {
    const value = form.get(`answer:${user.userId}`);
    if (value !== null && ANSWERS.includes(value)) chosen.push([user.userId, value as ReviewAnswer]);
    else missing.push(user);
  }
  // Own properties whatever the IDs are (fromEntries defines them; an assignment could set a prototype).
  return { answers: Object.fromEntries(chosen), missing };
}
