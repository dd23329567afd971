/**
 * AWAITING_INVITE: the tech creates the user in IT Glue (the one step its API cannot do) and
 * presses Invitation sent; the user is looked for then and with every sweep; the tech is reminded.
 */
import { cancelled } from './endings';
import { earliest, escalateTechWait, techWaitEscalatesAt } from './escalation';
import { productName } from '../text';
import type { OnboardingRun } from './run';
import { confirmSettings } from './settings';

export async function awaitInvite(run: OnboardingRun): Promise<void> {
  const s = run.status;
  const { invite: policy } = run.policy;
  run.state.progress.invite ??= { since: Date.now(), techReminders: 0 };
  for (;;) {
    if (s.user) {
      await run.note('user-found', `IT Glue user ${s.user.email} found.`);
      return run.moveTo('VERIFYING');
    }
    const i = run.state.progress.invite;
    const remindAt = i.techReminders < policy.maxTechReminders ? i.since + (i.techReminders + 1) * policy.remindTechAfter : null;
    const escalateAt = techWaitEscalatesAt(run, 'invite');
    run.waitFor('tech', remindAt);
    for (const action of await run.next(earliest(remindAt, escalateAt))) {
      if (action.type === 'cancel') return cancelled(run, action);
      if (action.type === 'invitationSent') await invitationSent(run, action.by);
    }
    if (!s.user && remindAt !== null && Date.now() >= remindAt) {
      i.techReminders += 1;
      await run.note('tech-reminder', `The IT Glue invitation for ${run.state.invitee.email} has not been seen yet: please send it.`);
    }
    if (!s.user) await escalateTechWait(run, 'invite', `No tech has created the ${productName(run.input.request)} user for ${run.state.invitee.email}`);
  }
}

/** The tech says the invitation went out (and, under shared groups, confirms the settings): look for the user now. */
async function invitationSent(run: OnboardingRun, by: string): Promise<void> {
  const confirmed = confirmSettings(run, by);
  const settings = confirmed ? ` and confirms the settings: ${confirmed}` : '';
  await run.note('invitation-sent', `<@${by}> says the invitation was sent${settings}.`, { by });
  const email = run.state.invitee.email;
  const user = await run.itglue.findUser(email);
  if (!user || !run.takeUser(user)) {
    await run.note('user-not-found', `No IT Glue user with ${email} yet; checking again with every sweep.`);
  }
}
