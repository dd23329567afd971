/**
 * The settings of an IT Glue Lite user under shared customer groups that the API cannot read (its
 * own organization access above all): the tech checks them in IT Glue and confirms them, with
 * Invitation sent or Settings confirmed. The first confirmation is kept as evidence.
 */
import type { Action } from './inbox';
import type { OnboardingRun } from './run';

/** What the tech confirms. */
export function settingsChecklist(run: OnboardingRun): string[] {
  const s = run.status;
  const org = s.org?.name ?? `organization ${run.input.request.orgId}`;
  return ['role Lite', `the group "${s.groupNames[0] ?? 'chosen'}" and no other group`, `organization access: ${org} and ONLY ${org}`, 'no sub-organizations'];
}

/**
 * Keeps the tech's confirmation (who, when, what); the first one counts. Returns what was
 * confirmed, for the thread; null when nothing was to be confirmed.
 */
export function confirmSettings(run: OnboardingRun, by: string): string | null {
  const s = run.status;
  if (!run.confirmsSettings || s.confirmation) return null;
  s.confirmation = { by, at: run.now(), items: settingsChecklist(run) };
  return settingsChecklist(run).join('; ');
}

/** Takes a confirmation of the settings from the actions (Invitation sent, or the confirmation itself). */
export async function confirmationIn(run: OnboardingRun, actions: Action[]): Promise<void> {
  for (const action of actions) {
    if (action.type !== 'invitationSent' && action.type !== 'settingsConfirmed') continue;
    const confirmed = confirmSettings(run, action.by);
    if (confirmed) await run.note('settings-confirmed', `<@${action.by}> confirmed the settings in IT Glue: ${confirmed}.`, { by: action.by });
  }
}
