/**
 * AWAITING_ACCEPTANCE: the invitee accepts IT Glue's invitation. Its link expires (6 hours by
 * default): the tech resends it, a set number of times, after which a manager must look.
 */
import { cancelled, stall } from './endings';
import { endTechWait, escalateTechWait, techWaitEscalatesAt } from './escalation';
import type { OnboardingRun } from './run';

const parseTime = (iso: string | null) => (iso ? Date.parse(iso) : Number.NaN);

export async function awaitAcceptance(run: OnboardingRun): Promise<void> {
  const s = run.status;
  const p = run.state.progress;
  const { invite: policy } = run.policy;
  p.linkSentAt ??= Number.isNaN(parseTime(run.state.user.invitationSentAt)) ? Date.now() : parseTime(run.state.user.invitationSentAt);
  for (;;) {
    const user = run.state.user;
    if (user.invitationAcceptedAt) {
      await run.note('accepted', `${run.state.invitee.name} accepted the invitation.`);
      return run.moveTo('AWAITING_2FA', 'invitee');
    }
    const sentAt = parseTime(user.invitationSentAt);
    const expired = s.subState === 'INVITE_EXPIRED';
    if (!Number.isNaN(sentAt) && sentAt > p.linkSentAt!) {
      // A newer invitation in IT Glue: a resend, whether or not anyone pressed Resent.
      p.linkSentAt = sentAt;
      if (expired) await resent(run, 'IT Glue shows a new invitation.');
      continue;
    }
    const expiresAt = p.linkSentAt! + policy.linkValidity;
    if (!expired && Date.now() >= expiresAt) {
      if (s.resends >= policy.maxResends) return stall(run, `the invitation expired ${s.resends + 1} times without being accepted.`);
      await invitationExpired(run);
      continue;
    }
    if (!expired) run.waitFor('invitee', expiresAt, null);
    // Expired: the tech resends it; a resend nobody makes is escalated.
    for (const action of await run.next(expired ? techWaitEscalatesAt(run, 'invite-expired') : expiresAt)) {
      if (action.type === 'cancel') return cancelled(run, action);
      if (action.type === 'invitationResent') await resentPressed(run, action.by);
    }
    if (s.subState === 'INVITE_EXPIRED') {
      await escalateTechWait(run, 'invite-expired', `No tech has resent the expired invitation for ${run.state.user.email}`);
    }
  }
}

/** The link expired unused: the tech is asked to resend it, the invitee told by mail. */
async function invitationExpired(run: OnboardingRun): Promise<void> {
  const how = 'IT Glue → Account → Users → the "Invited User" row → Reset Invitation, then press Resent';
  await run.note('invite-expired', `The invitation link for ${run.state.user.email} expired unused. Resend it: ${how}.`);
  // Counted over the whole onboarding (resends start again after a resume): one message per expiry.
  const expiry = run.status.events.filter((e) => e.type === 'invite-expired').length;
  await run.mail.sendInviteExpired({ ...run.mailContext(), expiry });
  run.waitFor('tech', null, 'INVITE_EXPIRED');
}

/** The tech pressed Resent: the newest invitation IT Glue shows starts the link's life again. */
async function resentPressed(run: OnboardingRun, by: string): Promise<void> {
  const p = run.state.progress;
  const found = await run.itglue.findUser(run.state.invitee.email);
  if (found) run.takeUser(found);
  const newer = parseTime(run.state.user.invitationSentAt);
  if (!Number.isNaN(newer) && newer > p.linkSentAt!) {
    p.linkSentAt = newer;
  } else if (run.status.subState === 'INVITE_EXPIRED') {
    p.linkSentAt = Date.now();
  }
  if (run.status.subState === 'INVITE_EXPIRED') await resent(run, `<@${by}> resent the invitation.`, by);
}

async function resent(run: OnboardingRun, text: string, by?: string): Promise<void> {
  const s = run.status;
  endTechWait(run);
  s.resends += 1;
  await run.note('resent', `${text} (resend ${s.resends} of ${run.policy.invite.maxResends})`, { by });
  run.waitFor('invitee', run.state.progress.linkSentAt! + run.policy.invite.linkValidity, null);
}
