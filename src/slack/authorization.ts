/**
 * Who may do what (PRODUCT.md §4). Techs and managers are members of a Slack user group
 * (usergroups.users.list, cached for a few minutes) and/or listed by user ID. User groups need a
 * paid Slack plan: where Slack answers `plan_upgrade_required`, only the listed IDs count.
 *
 * The `authorize` middleware runs in front of every command, button, form submission and option
 * list, so rights are checked again on each one (anyone who can see a message can press its
 * buttons). A refusal is said to the person only and changes nothing.
 */
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Log } from '../../activities/logging';
import type { SlackConfig } from '../config';
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

export class Roles {
  private readonly groups = new Map<string, { at: number; members: Promise<Set<string>> }>();
  private readonly stale = new Map<string, Set<string>>();
  private warnedPlan = false;

  constructor(
    private readonly client: WebClient,
    private readonly config: Pick<SlackConfig, 'techUsergroupId' | 'techUserIds' | 'managerUsergroupId' | 'managerUserIds'>,
    private readonly log: Log,
    private readonly ttlMs = 3 * 60_000,
  ) {}

  async rightsOf(userId: string): Promise<Rights> {
    const { techUsergroupId, techUserIds, managerUsergroupId, managerUserIds } = this.config;
    const [tech, manager] = await Promise.all([
      this.isIn(userId, techUserIds, techUsergroupId),
      this.isIn(userId, managerUserIds, managerUsergroupId),
    ]);
    return { tech, manager };
  }

  private async isIn(userId: string, ids: string[], groupId: string | null): Promise<boolean> {
    if (ids.includes(userId)) return true;
    if (!groupId) return false;
    return (await this.members(groupId)).has(userId);
  }

  private members(groupId: string): Promise<Set<string>> {
    const now = Date.now();
    const cached = this.groups.get(groupId);
    if (cached && now - cached.at < this.ttlMs) return cached.members;
    const members = this.fetch(groupId);
    this.groups.set(groupId, { at: now, members });
    members.catch(() => this.groups.delete(groupId));
    return members;
  }

  private async fetch(groupId: string): Promise<Set<string>> {
    try {
      const result = await this.client.usergroups.users.list({ usergroup: groupId });
      const members = new Set(result.users ?? []);
      this.stale.set(groupId, members);
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
        return new Set();
      }
      const previous = this.stale.get(groupId);
      if (previous) {
        this.log('slack.usergroupsStale', { usergroup: groupId, error: code ?? (error as Error).message });
        return previous;
      }
      throw error;
    }
  }
}

export type Rule = 'tech' | 'manager' | 'tech-or-manager' | 'anyone';

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
    const rights = user ? await roles.rightsOf(user) : { tech: false, manager: false };
    context[RIGHTS] = rights;
    if (allowed(rule, rights)) return next();
    log('slack.refused', { user, rule });
    if (rule === 'anyone') return;
    await tellUser({ client, body, text: refusal ?? REFUSALS[rule], ack: ackStateOf(context), log });
  };
}
