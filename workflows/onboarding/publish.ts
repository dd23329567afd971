/**
 * Making the onboarding visible: its Slack thread (the root shows the status, replies tell the
 * events), its search attributes (what lists and counts query) and its memo (what the IT Glue sweep
 * and the Slack overviews read). `publish()` shows whatever changed, before every wait.
 */
import * as wf from '@temporalio/workflow';
import type { SlackActivities } from '../../activities/contracts';
import { ONBOARDING_DEADLINE, ONBOARDING_KIND, ONBOARDING_ORG_ID, ONBOARDING_REQUESTED_BY, ONBOARDING_STAGE } from '../messages';
import type { OnboardingEvent } from '../types';
import { type OnboardingMemo, OVERVIEW_MEMO, overviewOf, userFingerprint } from '../memo';
import type { OnboardingState } from './state';

export class Publisher {
  /** The status changed since it was last shown in Slack and the search attributes. */
  private unpublished = false;
  /** Stage and deadline as last upserted, so that an unchanged pair is not upserted again. */
  private publishedAttributes = '';

  constructor(
    private readonly state: OnboardingState,
    private readonly slack: SlackActivities,
    /** Histories recorded before showed a stage in the search attributes only once it waited. */
    readonly stagesPublished: boolean,
  ) {}

  /** The status changed: show it at the next publish. */
  changed(): void {
    this.unpublished = true;
  }

  /**
   * Before every wait: shows what changed, in the Slack thread, the search attributes and the memo
   * the overviews read, so that one update carries a stage change together with what the stage
   * waits for.
   */
  async publish(): Promise<void> {
    await this.showStatus();
    this.overview();
  }

  /** Shows the status in the Slack thread and the search attributes, when it changed (at the end too). */
  async showStatus(): Promise<void> {
    if (this.unpublished) {
      this.unpublished = false;
      this.searchAttributes();
      await this.thread();
    }
  }

  /** Tells the Slack overviews what to show of this onboarding (OnboardingOverview), when it changed. */
  private overview(): void {
    // Histories recorded before the overview was published replay without it.
    if (!wf.patched('overview-memo')) return;
    const overview = overviewOf(this.state.status);
    const current = (wf.workflowInfo().memo as Record<string, unknown> | undefined)?.[OVERVIEW_MEMO];
    if (JSON.stringify(current) === JSON.stringify(overview)) return;
    wf.upsertMemo({ [OVERVIEW_MEMO]: overview });
  }

  /** Tells the IT Glue sweep whose user to look for and what is already known of it. */
  sweepMemo(): void {
    const { invitee, user } = this.state.status;
    if (!invitee) return;
    const memo: OnboardingMemo = { inviteeEmail: invitee.email.toLowerCase(), userFingerprint: userFingerprint(user) };
    const current = wf.workflowInfo().memo as Partial<OnboardingMemo> | undefined;
    if (current?.inviteeEmail === memo.inviteeEmail && current.userFingerprint === memo.userFingerprint) return;
    wf.upsertMemo({ ...memo });
  }

  /** Stage, organization, tech, kind and deadline, for visibility lists; only when stage or deadline changed. */
  searchAttributes(): void {
    const s = this.state.status;
    const attributes = JSON.stringify([s.stage, s.deadline]);
    if (this.stagesPublished && attributes === this.publishedAttributes) return;
    this.publishedAttributes = attributes;
    wf.upsertSearchAttributes([
      { key: ONBOARDING_STAGE, value: s.stage },
      { key: ONBOARDING_ORG_ID, value: s.request.orgId },
      { key: ONBOARDING_REQUESTED_BY, value: s.request.requestedBy },
      { key: ONBOARDING_KIND, value: s.request.kind },
      { key: ONBOARDING_DEADLINE, value: s.deadline ? new Date(s.deadline) : null },
    ]);
  }

  /** Draws the thread's root for the status (the first time: starts the thread). */
  async thread(): Promise<void> {
    await this.toSlack(async () => {
      this.state.status.thread = await this.slack.updateThread(this.state.status);
    });
  }

  /** Posts the event as a reply in the onboarding's Slack thread. */
  async reply(event: OnboardingEvent): Promise<void> {
    const { thread, workflowId } = this.state.status;
    if (thread) await this.toSlack(() => this.slack.postToThread({ workflowId, thread, event }));
  }

  /**
   * A Slack write. Where it fails for good (bad token, bot not in the channel) an open onboarding
   * stalls, like on any such failure; once stalled or finished, Slack is only told if it can be.
   */
  private async toSlack(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      const bestEffort = this.state.ended || this.state.stage === 'STALLED';
      if (!(error instanceof wf.ActivityFailure) || !bestEffort) throw error;
    }
  }
}
