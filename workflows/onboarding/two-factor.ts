/**
 * AWAITING_2FA: the invitee sets up two-factor authentication. Where IT Glue enforces it, the
 * first sign-in proves it; otherwise the tech confirms it. The invitee is reminded by mail.
 */
import { cancelled, completed } from './endings';
import type { OnboardingRun } from './run';
import { watchScope } from './scope';

const parseTime = (iso: string | null) => (iso ? Date.parse(iso) : Number.NaN);

export async function awaitTwoFactor(run: OnboardingRun): Promise<void> {
  const { request, policy } = run.input;
  const acceptedAt = parseTime(run.state.user.invitationAcceptedAt);
  run.state.progress.twoFactor ??= { since: Number.isNaN(acceptedAt) ? Date.now() : acceptedAt, remindersSent: 0 };
  const enforced = request.kind === 'itglue' ? policy.twoFactor.enforcedForItGlue : policy.twoFactor.enforcedForMyGlue;
  for (;;) {
    const signedIn = run.state.user.currentSignInAt;
    if (enforced && signedIn) {
      await run.note('signed-in', `${run.state.invitee.name} signed in at ${signedIn}; MFA is enforced, so 2FA is set up.`);
      return completed(run);
    }
    const t = run.state.progress.twoFactor;
    const offset = policy.twoFactor.remindAt[t.remindersSent];
    const remindAt = offset === undefined ? null : t.since + offset;
    run.waitFor(enforced ? 'invitee' : 'tech', remindAt);
    await watchScope(run);
    for (const action of await run.next(remindAt)) {
      if (action.type === 'cancel') return cancelled(run, action);
      if (action.type === 'twoFactorConfirmed') {
        await run.note('2fa-confirmed', `<@${action.by}> confirmed that 2FA is set up.`, { by: action.by });
        return completed(run);
      }
    }
    if (remindAt !== null && Date.now() >= remindAt && !(enforced && run.state.user.currentSignInAt)) {
      t.remindersSent += 1;
      await run.mail.sendTwoFactorReminder({ ...run.mailContext(), reminder: t.remindersSent });
      await run.note('2fa-reminder', `2FA reminder ${t.remindersSent} sent to ${run.state.invitee.name}.`);
    }
  }
}
