/**
 * Who may do what (docs/design.md §9). Techs and managers are members of a Slack user group
 * (usergroups.users.list, cached for a few minutes) and/or listed by user ID. User groups need a
 * paid Slack plan: where Slack answers `plan_upgrade_required`, only the listed IDs count.
 *
 * When Slack cannot be asked, the last list read is used for at most `SLACK_GROUP_CACHE_MAX` after
 * it was read (default 15 minutes). After that, or when a group was never read, the group's
 * membership is unknown: a request that only that group could allow is refused with a message that
 * says so (and a log line), never allowed on an old list.
 *
 * The `authorize` middleware runs in front of every command, button, form submission and option
 * list, so rights are checked again on each one (anyone who can see a message can press its
 * buttons). A refusal is said to the person only and changes nothing. It never waits for Slack:
 * it reads the lists last read, which are read again in the background (at start, every few
 * minutes, and when one is found old), so that every request is acknowledged in Slack's 3 s. A
 * group not read yet (the first moments after start) is refused with "try again in a moment"
 * (docs/design.md §9).
 */
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Log } from '../log';
import type { SlackConfig } from '../config/slack';
import { userOf } from './payload';
import { ackStateOf } from './receiver';
import { tellUser } from './reply';

export interface Rights {
  tech: boolean;
  manager: boolean;
}

/** The context key under which the sender's rights are found after `authorize`. */
export const RIGHTS = 'inviteLiteRights';

export function rightsOf(context: Record<string, unknown>): Rights {
  return (context[RIGHTS] as Rights | undefined) ?? { tech: false, manager: false };
}

/** How long a user group's members are read again after (3 minutes). */
export const GROUP_CACHE_TTL_MS = 3 * 60_000;
/** SLACK_GROUP_CACHE_MAX's default: how long after the last successful read a list is still trusted. */
export const GROUP_CACHE_MAX_MS = 15 * 60_000;

/** A user group's members cannot be known now: never read, or last read longer ago than the cache allows. */
export class RolesUnavailableError extends Error {
  override readonly name = 'RolesUnavailableError';
  constructor(
    readonly usergroup: string,
    /** When the group was last read, or null if never. */
    readonly lastReadAt: number | null,
    /** Why: Slack's error, or NOT_READ_YET while the first read has not answered. */
    readonly reason: string,
  ) {
    super(
      `the members of user group ${usergroup} cannot be read (${reason})${lastReadAt === null ? '' : ` and the list read ${Math.round((Date.now() - lastReadAt) / 60_000)} min ago is too old to trust`}`,
    );
  }
}

/** The sender's rights as far as they can be told: `unknown` holds the roles whose group could not be read. */
export interface RightsLookup {
  rights: Rights;
  unknown: Array<{ role: keyof Rights; error: RolesUnavailableError }>;
}

export class Roles {
  private readonly groups = new Map<string, { at: number; members: Promise<Set<string>>; reading: boolean }>();
  /** The last list read of each group, and when. */
  private readonly stale = new Map<string, { at: number; members: Set<string> }>();
  /** Why the last read of a group failed, until one succeeds. */
  private readonly failed = new Map<string, string>();
  private warnedPlan = false;
  private readonly ttlMs: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly client: WebClient,
    private readonly config: Pick<SlackConfig, 'techUsergroupId' | 'techUserIds' | 'managerUsergroupId' | 'managerUserIds'>,
    private readonly log: Log,
    ttlMs = GROUP_CACHE_TTL_MS,
    /** How long after the last successful read a list is trusted while Slack cannot be asked. */
    private readonly maxAgeMs = GROUP_CACHE_MAX_MS,
  ) {
    // A list is never used without asking Slack again for longer than it may be trusted.
    this.ttlMs = Math.min(ttlMs, maxAgeMs);
  }

  /** Reads the groups now (resolves once read or failed) and again every cache time, in the background, until stop(). */
  start(): Promise<void> {
    if (!this.timer) {
      this.timer = setInterval(() => void this.refresh(), this.ttlMs);
      this.timer.unref();
    }
    return this.refresh();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Reads every configured group whose list is older than the cache time (one read per group at a time). */
  async refresh(): Promise<void> {
    const groups = [this.config.techUsergroupId, this.config.managerUsergroupId].filter((g): g is string => !!g);
    await Promise.all(groups.map((g) => this.members(g).catch(() => undefined)));
  }

  /**
   * The sender's rights from the lists last read, without asking Slack (for requests that must be
   * acknowledged in time): a list older than the cache time is read again in the background; a
   * group never read, or whose list is too old to trust, is unknown.
   */
  cached(userId: string): RightsLookup {
    const { techUsergroupId, techUserIds, managerUsergroupId, managerUserIds } = this.config;
    const unknown: RightsLookup['unknown'] = [];
    const isIn = (role: keyof Rights, ids: string[], groupId: string | null): boolean => {
      if (ids.includes(userId)) return true;
      if (!groupId) return false;
      void this.members(groupId).catch(() => undefined);
      const last = this.stale.get(groupId);
      if (last && Date.now() - last.at < this.maxAgeMs) return last.members.has(userId);
      unknown.push({ role, error: new RolesUnavailableError(groupId, last?.at ?? null, this.failed.get(groupId) ?? NOT_READ_YET) });
      return false;
    };
    return { rights: { tech: isIn('tech', techUserIds, techUsergroupId), manager: isIn('manager', managerUserIds, managerUsergroupId) }, unknown };
  }

  /** The sender's rights; throws RolesUnavailableError when a group that counts cannot be read. */
  async rightsOf(userId: string): Promise<Rights> {
    const { rights, unknown } = await this.lookup(userId);
    if (unknown.length > 0) throw unknown[0]!.error;
    return rights;
  }

  /** The sender's rights as far as they can be told now (an unknown role counts as not held). */
  async lookup(userId: string): Promise<RightsLookup> {
    const { techUsergroupId, techUserIds, managerUsergroupId, managerUserIds } = this.config;
    const [tech, manager] = await Promise.allSettled([this.isIn(userId, techUserIds, techUsergroupId), this.isIn(userId, managerUserIds, managerUsergroupId)]);
    const unknown: RightsLookup['unknown'] = [];
    const known = (role: keyof Rights, result: PromiseSettledResult<boolean>): boolean => {
      if (result.status === 'fulfilled') return result.value;
      if (!(result.reason instanceof RolesUnavailableError)) throw result.reason;
      unknown.push({ role, error: result.reason });
      return false;
    };
    return { rights: { tech: known('tech', tech), manager: known('manager', manager) }, unknown };
  }

  private async isIn(userId: string, ids: string[], groupId: string | null): Promise<boolean> {
    if (ids.includes(userId)) return true;
    if (!groupId) return false;
    return (await this.members(groupId)).has(userId);
  }

  /** The group's members: the list read within the cache time, or the read under way (one at a time), or a new read. */
  private members(groupId: string): Promise<Set<string>> {
    const now = Date.now();
    const cached = this.groups.get(groupId);
    if (cached && (cached.reading || now - cached.at < this.ttlMs)) return cached.members;
    const entry = { at: now, members: this.fetch(groupId), reading: true };
    this.groups.set(groupId, entry);
    entry.members.then(
      () => void (entry.reading = false),
      () => void (this.groups.get(groupId) === entry && this.groups.delete(groupId)),
    );
    return entry.members;
  }

  private async fetch(groupId: string): Promise<Set<string>> {
    try {
      const result = await this.client.usergroups.users.list({ usergroup: groupId });
      const members = new Set(result.users ?? []);
      this.stale.set(groupId, { at: Date.now(), members });
      this.failed.delete(groupId);
      return members;
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (code === 'plan_upgrade_required') {
        if (!this.warnedPlan) {
          this.warnedPlan = true;
          this.log('slack.usergroupsUnavailable', {
            usergroup: groupId,
            message: 'user groups need a paid Slack plan: only SLACK_TECH_USER_IDS / SLACK_MANAGER_USER_IDS count',
          });
        }
        // Nobody is a member: that is the answer until the plan changes.
        const none = new Set<string>();
        this.stale.set(groupId, { at: Date.now(), members: none });
        return none;
      }
      const reason = code ?? (error as Error).message;
      this.failed.set(groupId, reason);
      const previous = this.stale.get(groupId);
      const age = previous ? Date.now() - previous.at : null;
      if (previous && age! < this.maxAgeMs) {
        this.log('slack.usergroupsStale', { usergroup: groupId, error: reason, ageSeconds: Math.round(age! / 1000) });
        return previous.members;
      }
      this.log('slack.usergroupsUnknown', {
        usergroup: groupId,
        error: reason,
        lastReadSecondsAgo: age === null ? null : Math.round(age / 1000),
        message: previous ? 'the last list read is older than SLACK_GROUP_CACHE_MAX: not trusted' : 'never read',
      });
      throw new RolesUnavailableError(groupId, previous?.at ?? null, reason);
    }
  }
}

export type Rule = 'tech' | 'manager' | 'tech-or-manager' | 'anyone';

/** The reason of a RolesUnavailableError for a group whose first read has not answered yet. */
const NOT_READ_YET = 'not read yet';

/** What the sender is told in the first moments after start, before the groups have been read. */
export const RIGHTS_LOADING = 'invite-lite has just started and is still reading who the techs and managers are. Nothing was changed: please try again in a moment.';

/** What the sender is told when their rights cannot be checked. */
export const RIGHTS_UNKNOWN =
  'Your rights cannot be checked right now: Slack has not answered who is in the techs’ or managers’ group for a while. Nothing was changed. Please try again in a few minutes; if it keeps happening, tell your Slack admin.';

const REFUSALS: Record<Exclude<Rule, 'anyone'>, string> = {
  tech: 'Only the techs can do this. Nothing was changed. (Ask your Slack admin to add you to the techs.)',
  manager: 'Only a manager can do this. Nothing was changed.',
  'tech-or-manager': 'Only the techs and managers can do this. Nothing was changed. (Ask your Slack admin to add you.)',
};

function allowed(rule: Rule, rights: Rights): boolean {
  switch (rule) {
    case 'tech':
      return rights.tech;
    case 'manager':
      return rights.manager;
    case 'tech-or-manager':
      return rights.tech || rights.manager;
    case 'anyone':
      return true;
  }
}

/** Looks up the sender's rights (into the context) and refuses the request unless `rule` allows it. */
export function authorize<Args extends AnyMiddlewareArgs = AnyMiddlewareArgs>(roles: Roles, rule: Rule, log: Log, refusal?: string): Middleware<Args> {
  return async ({ body, context, client, next }) => {
    const user = userOf(body);
    // From the lists last read: no Slack call before the request is acknowledged.
    const { rights, unknown } = user ? roles.cached(user) : { rights: { tech: false, manager: false }, unknown: [] };
    context[RIGHTS] = rights;
    // An unknown role cannot allow anything; it only matters where the known ones do not allow the request.
    const undecided = unknown.length > 0 && (rule === 'anyone' ? !rights.tech && !rights.manager : !allowed(rule, rights));
    if (undecided) {
      log('slack.rightsUnknown', { user, rule, usergroups: unknown.map((u) => u.error.usergroup), error: unknown[0]!.error.message });
      const loading = unknown.every((u) => u.error.reason === NOT_READ_YET);
      await tellUser({ client, body, text: loading ? RIGHTS_LOADING : RIGHTS_UNKNOWN, ack: ackStateOf(context), log });
      return;
    }
    if (allowed(rule, rights)) return next();
    log('slack.refused', { user, rule });
    if (rule === 'anyone') return;
    await tellUser({ client, body, text: refusal ?? REFUSALS[rule], ack: ackStateOf(context), log });
  };
}
