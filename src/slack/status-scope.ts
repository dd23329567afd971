/**
 * What `/onboarding-status [org | @user | stage]` asks for. Managers see everyone's onboardings;
 * a tech sees their own unless they name a person or an organization.
 */
import { isStage, type Stage } from '../../workflows/stages';
import type { Rights } from './authorization';
import type { SlackDeps } from './deps';
import { escapeMrkdwn, mention } from './escape';
import type { OpenFilter } from './overview';
import { STAGE_LABELS } from './views/format';

export interface StatusScope {
  filter: OpenFilter;
  /** Who or what the list is about, in words (mrkdwn, escaped). */
  label: string;
  overdueOnly: boolean;
}

const MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;

function stageFrom(text: string): Stage | null {
  const key = text.trim().toUpperCase().replace(/[\s-]+/g, '_');
  if (isStage(key)) return key;
  const byLabel = (Object.keys(STAGE_LABELS) as Stage[]).find((s) => STAGE_LABELS[s].toLowerCase() === text.trim().toLowerCase());
  return byLabel ?? null;
}

export async function statusScope(deps: SlackDeps, text: string, user: string, rights: Rights): Promise<StatusScope> {
  const value = text.trim();
  const mine: OpenFilter = rights.manager ? {} : { requestedBy: user };
  const whose = rights.manager ? 'everyone' : 'yours';
  if (!value) return { filter: mine, label: whose, overdueOnly: false };

  const person = MENTION.exec(value);
  if (person) return { filter: { requestedBy: person[1] }, label: `requested by ${mention(person[1]!)}`, overdueOnly: false };

  if (/^(overdue|late)$/i.test(value)) return { filter: mine, label: `${whose}, overdue`, overdueOnly: true };

  const stage = stageFrom(value);
  if (stage) return { filter: { ...mine, stage }, label: `${whose}, ${STAGE_LABELS[stage]}`, overdueOnly: false };

  if (/^\d+$/.test(value)) return { filter: { orgIds: [value] }, label: `organization ${value}`, overdueOnly: false };
  const orgs = deps.directory ? await deps.directory.searchOrganizations(value, 100) : [];
  const label = escapeMrkdwn(orgs.length === 1 ? orgs[0]!.name : `organizations matching “${value}”`);
  return { filter: { orgIds: orgs.map((o) => o.id) }, label, overdueOnly: false };
}
