/**
 * The scope watch: where an onboarded user works in IT Glue, against where they should.
 *
 * IT Glue's API cannot show the organizations given to a user on the user itself, but it shows
 * what the user does: per organization, resource type and day, how many records they created,
 * viewed, edited and deleted. One watch per onboarding (ID `scope-watch:<orgId>:<contactId>`),
 * started by the onboarding at the user's first sign-in and left running when the onboarding ends.
 * Once every `scopeWatch.every` it reads the user's figures since its last check, in one IT Glue
 * request. Activity in an organization other than the onboarded one and the policy's shared
 * organizations raises an alert, once per organization and day: a reply in the onboarding's thread
 * that mentions the tech and the managers, and an event in the onboarding's record. It ends
 * `scopeWatch.days` after the onboarding completed, or when the onboarding is cancelled.
 */
import * as wf from '@temporalio/workflow';
import type { ItGlueMaintenanceActivities, SlackActivities, UserActivity, UserActivityRow } from '../activities/contracts';
import { itglueTaskQueue, SCOPE_WATCH_ITGLUE, SLACK } from './activity-options';
import { scopeAlert } from './messages';
import type { Policy } from './policy';
import type { OnboardingEvent, Organization, ThreadRef } from './types';

const DAY = 86_400_000;
/** The most days read at once: IT Glue may refuse date ranges longer than a week. */
export const MAX_RANGE_DAYS = 7;
/** Days before today read once more at the next check, as IT Glue may still be counting them. */
const RECOUNT_DAYS = 1;

export interface ScopeWatchInput {
  /** The onboarding that started the watch, and its first run ID (the same through continue-as-new). */
  onboarding: { workflowId: string; firstRunId: string };
  org: Organization;
  /** The watched IT Glue user, and the invitee's name for the alerts. */
  user: { id: string; name: string };
  /** Slack user ID of the tech who started the onboarding. */
  requestedBy: string;
  /** The onboarding's Slack thread, where alerts are posted. */
  thread: ThreadRef | null;
  /** Organizations every customer may see (the policy's `groups.sharedOrganizations`). */
  sharedOrganizations: string[];
  settings: Policy['scopeWatch'];
  /** Continue-as-new once the history has this many events. */
  historyLimit: number;
  /** The first day read (UTC, YYYY-MM-DD): the day the user first signed in. */
  since: string;
  /** When the watch ends (ISO time); null while the onboarding has not completed. */
  until: string | null;
  /** Present when the watch continued as new: everything it had. */
  carried?: ScopeWatchStatus;
}

/** What the `status` query returns; carried across continue-as-new. */
export interface ScopeWatchStatus {
  workflowId: string;
  /** The watch's first run ID (the same through continue-as-new). */
  firstRunId: string;
  onboardingWorkflowId: string;
  /** `watching` until `until`, then `ended`; `stopped` when the onboarding was cancelled. */
  state: 'watching' | 'ended' | 'stopped';
  orgId: string;
  userId: string;
  since: string;
  until: string | null;
  checks: number;
  lastCheckAt: string | null;
  nextCheckAt: string;
  /** The last day whose figures are complete and not read again (UTC, YYYY-MM-DD). */
  checkedThrough: string | null;
  /** The (organization, day) pairs already alerted, as `<orgId>/<YYYY-MM-DD>`. */
  alerted: string[];
  /** Why the last check or alert could not be made; null when it went through. */
  lastError: string | null;
  /** The alerts raised, oldest first. */
  events: OnboardingEvent[];
}

/** The onboarding ended: completed (the watch goes on for `scopeWatch.days`) or cancelled (it stops). */
export const onboardingEnded = wf.defineSignal<[{ outcome: 'completed' | 'cancelled'; at: string }]>('onboardingEnded');
export const scopeWatchStatus = wf.defineQuery<ScopeWatchStatus>('status');

/** The watch of the onboarding of this organization and contact. */
export function scopeWatchWorkflowId(orgId: string, contactId: string): string {
  return `scope-watch:${orgId}:${contactId}`;
}

/** The UTC day of a time (ms since epoch), YYYY-MM-DD. */
export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const addDays = (day: string, days: number): string => dayOf(Date.parse(`${day}T00:00:00Z`) + days * DAY);
const earlier = (a: string, b: string) => (a < b ? a : b);
const later = (a: string, b: string) => (a > b ? a : b);

const iso = (ms: number) => new Date(ms).toISOString();
const errorText = (error: unknown) => (error instanceof wf.ActivityFailure && error.cause ? error.cause.message : error instanceof Error ? error.message : String(error));

export async function scopeWatch(input: ScopeWatchInput): Promise<ScopeWatchStatus> {
  const watch = new Watch(input);
  wf.setHandler(scopeWatchStatus, () => watch.s);
  wf.setHandler(onboardingEnded, (ended) => watch.onboardingEnded(ended));
  return watch.run();
}

class Watch {
  readonly s: ScopeWatchStatus;
  private readonly info = wf.workflowInfo();
  private readonly itglue = wf.proxyActivities<ItGlueMaintenanceActivities>({ ...SCOPE_WATCH_ITGLUE, taskQueue: itglueTaskQueue(this.info.taskQueue) });
  private readonly slack = wf.proxyActivities<SlackActivities>(SLACK);
  /** Where the user may work: their own organization and the shared ones. */
  private readonly expected: string[];

  constructor(private readonly input: ScopeWatchInput) {
    const { org, settings } = input;
    this.expected = [org.id, ...input.sharedOrganizations];
    this.s = input.carried ?? {
      workflowId: this.info.workflowId,
      firstRunId: this.info.firstExecutionRunId,
      onboardingWorkflowId: input.onboarding.workflowId,
      state: 'watching',
      orgId: org.id,
      userId: input.user.id,
      since: input.since,
      until: input.until,
      checks: 0,
      lastCheckAt: null,
      // Nothing to read at the first sign-in itself: the first check is one interval later.
      nextCheckAt: iso(Date.now() + settings.every),
      checkedThrough: null,
      alerted: [],
      lastError: null,
      events: [],
    };
  }

  /** The onboarding ended: cancelled, the watch stops; completed, it goes on for its days. */
  onboardingEnded({ outcome, at }: { outcome: 'completed' | 'cancelled'; at: string }): void {
    if (this.s.state !== 'watching') return;
    if (outcome === 'cancelled') this.s.state = 'stopped';
    else this.s.until = iso(Date.parse(at) + this.input.settings.days * DAY);
  }

  /** Checks every interval until the watch's last day, or until it is stopped. */
  async run(): Promise<ScopeWatchStatus> {
    const s = this.s;
    while (s.state === 'watching') {
      const until = s.until === null ? null : Date.parse(s.until);
      const due = Math.min(Date.parse(s.nextCheckAt), until ?? Infinity);
      if (Date.now() < due) {
        // Woken early when the onboarding ends: the end may move the last check.
        const seen = s.until;
        await wf.condition(() => s.state !== 'watching' || s.until !== seen, due - Date.now());
        continue;
      }
      await this.check();
      s.nextCheckAt = iso(Date.now() + this.input.settings.every);
      if (s.until !== null && Date.now() >= Date.parse(s.until)) {
        if (s.state === 'watching') s.state = 'ended';
        break;
      }
      await this.continueAsNewIfLong();
    }
    return s;
  }

  /** Reads the figures since the last check and raises the alerts they call for. */
  private async check(): Promise<void> {
    const s = this.s;
    const now = Date.now();
    const today = dayOf(now);
    const from = earlier(s.checkedThrough ? later(addDays(s.checkedThrough, 1), s.since) : s.since, today);
    const to = earlier(today, addDays(from, MAX_RANGE_DAYS - 1));
    s.checks += 1;
    s.lastCheckAt = iso(now);
    let activity: UserActivity;
    try {
      activity = await this.itglue.userActivity({ userId: s.userId, from, to, expected: this.expected });
    } catch (error) {
      if (!(error instanceof wf.ActivityFailure)) throw error;
      s.lastError = `Reading the user's activity in IT Glue failed: ${errorText(error)}`;
      return;
    }
    s.lastError = null;
    // Days before the recount window are complete; a truncated answer is complete before its last day.
    let through = earlier(to, addDays(today, -1 - RECOUNT_DAYS));
    const lastDay = activity.rows.at(-1)?.date;
    if (!activity.complete && lastDay && lastDay > from) through = earlier(through, addDays(lastDay, -1));
    if (through >= from) s.checkedThrough = s.checkedThrough ? later(s.checkedThrough, through) : through;
    await this.raiseAlerts(activity);
  }

  /** One alert per organization and day outside the expected ones, never one raised before. */
  private async raiseAlerts(activity: UserActivity): Promise<void> {
    const outside = new Map<string, UserActivityRow[]>();
    for (const row of activity.rows) {
      if (this.expected.includes(row.organizationId) || row.created + row.viewed + row.edited + row.deleted === 0) continue;
      const key = `${row.organizationId}/${row.date}`;
      if (this.s.alerted.includes(key)) continue;
      outside.set(key, [...(outside.get(key) ?? []), row]);
    }
    const keys = [...outside.keys()].sort((a, b) => {
      const [orgA = '', dayA = ''] = a.split('/');
      const [orgB = '', dayB = ''] = b.split('/');
      return dayA.localeCompare(dayB) || orgA.localeCompare(orgB, undefined, { numeric: true });
    });
    for (const key of keys) {
      const event = this.alert(outside.get(key)!, activity.organizationNames);
      // Kept before it is told, so that it is never raised twice.
      this.s.alerted.push(key);
      this.s.events.push(event);
      await this.tell(event);
    }
  }

  /** The alert for one organization and day: where, what, and what to check. */
  private alert(rows: UserActivityRow[], names: Record<string, string>): OnboardingEvent {
    const { org, user, sharedOrganizations, requestedBy } = this.input;
    const { organizationId, date } = rows[0]!;
    const name = names[organizationId];
    const where = name ? `${name} (IT Glue organization ${organizationId})` : `the IT Glue organization with id ${organizationId}`;
    const what = rows.map((r) => `${r.resourceType} (${counts(r)})`).join(', ');
    const allowed = sharedOrganizations.length > 0 ? `${org.name} and the shared organizations` : org.name;
    return {
      at: iso(Date.now()),
      type: 'scope-alert',
      text:
        `${user.name} was active in ${where} on ${date}, outside ${org.name}: ${what}. ` +
        `Check their organization access in IT Glue (Account → Users → the user, and their groups): it must reach ${allowed} only.`,
      mention: { users: [requestedBy], managers: true },
    };
  }

  /** Posts the alert in the onboarding's thread and hands it to the onboarding, while it runs. */
  private async tell(event: OnboardingEvent): Promise<void> {
    const s = this.s;
    if (this.input.thread) {
      try {
        await this.slack.postToThread({ workflowId: s.onboardingWorkflowId, thread: this.input.thread, event });
      } catch (error) {
        if (!(error instanceof wf.ActivityFailure)) throw error;
        s.lastError = `Posting an alert in Slack failed: ${errorText(error)}`;
      }
    }
    try {
      await wf.getExternalWorkflowHandle(s.onboardingWorkflowId).signal(scopeAlert, { watchRunId: this.info.firstExecutionRunId, event });
    } catch (error) {
      // The onboarding has ended: its status shows this watch's alerts (src/onboardings.ts).
      if (wf.isCancellation(error)) throw error;
    }
  }

  /** Carries everything to a new run when the history grows long. */
  private async continueAsNewIfLong(): Promise<void> {
    const { continueAsNewSuggested, historyLength } = wf.workflowInfo();
    if (!continueAsNewSuggested && historyLength < this.input.historyLimit) return;
    await wf.condition(wf.allHandlersFinished);
    await wf.continueAsNew<typeof scopeWatch>({ ...this.input, carried: this.s });
  }
}

function counts(row: UserActivityRow): string {
  const parts = (['viewed', 'created', 'edited', 'deleted'] as const).filter((k) => row[k] > 0).map((k) => `${row[k]} ${k}`);
  return parts.join(', ');
}
