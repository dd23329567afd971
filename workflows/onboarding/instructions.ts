/** SENDING_INSTRUCTIONS: the invitee gets the access instructions by mail; then the tech creates the user. */
import type { OnboardingRun } from './run';

const HOUR = 3_600_000;

export async function sendInstructions(run: OnboardingRun): Promise<void> {
  await run.mail.sendInstructions({ ...run.mailContext(), linkValidityHours: run.policy.invite.linkValidity / HOUR });
  await run.note('instructions-sent', `Access instructions emailed to ${run.state.invitee.name}.`);
  return run.moveTo('AWAITING_INVITE', 'tech');
}
