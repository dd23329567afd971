/**
 * What `/onboarding-status [org | @user | stage]` asks for. Managers see everyone's onboardings,
 * by organization, person or stage. A tech sees their own only: an organization or a stage narrows
 * their own list, and naming another person is refused. Managers have forms of their own
 * (managerRequest): the access reviews, starting one, the audit export.
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

/** What a tech is told who asks for someone else's onboardings. */
export const OTHERS_REFUSED = 'You can list your own onboardings only: a manager can list anyone’s. Nothing else was read.';

/** A scope, or a refusal to tell the sender (when a tech names someone else). */
export type ScopeAnswer = ({ refused: false } & StatusScope) | { refused: true; text: string };

const MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;

function stageFrom(text: string): Stage | null {
  const key = text
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '_');
  if (isStage(key)) return key;
  const byLabel = (Object.keys(STAGE_LABELS) as Stage[]).find((s) => STAGE_LABELS[s].toLowerCase() === text.trim().toLowerCase());
  return byLabel ?? null;
}

export async function statusScope(deps: SlackDeps, text: string, user: string, rights: Rights): Promise<ScopeAnswer> {
  const value = text.trim();
  const mine: OpenFilter = rights.manager ? {} : { requestedBy: user };
  const whose = rights.manager ? 'everyone' : 'yours';
  const scope = (filter: OpenFilter, label: string, overdueOnly = false): ScopeAnswer => ({ refused: false, filter, label, overdueOnly });
  if (!value) return scope(mine, whose);

  const person = MENTION.exec(value);
  if (person) {
    const named = person[1]!;
    if (!rights.manager && named !== user) return { refused: true, text: OTHERS_REFUSED };
    return scope({ requestedBy: named }, rights.manager ? `requested by ${mention(named)}` : whose);
  }

  if (/^(overdue|late)$/i.test(value)) return scope(mine, `${whose}, overdue`, true);

  const stage = stageFrom(value);
  if (stage) return scope({ ...mine, stage }, `${whose}, ${STAGE_LABELS[stage]}`);

  const prefix = rights.manager ? '' : `${whose}, `;
  if (/^\d+$/.test(value)) return scope({ ...mine, orgIds: [value] }, `${prefix}organization ${value}`);
  const orgs = deps.directory ? await deps.directory.searchOrganizations(value, 100) : [];
  const label = escapeMrkdwn(orgs.length === 1 ? orgs[0]!.name : `organizations matching “${value}”`);
  return scope({ ...mine, orgIds: orgs.map((o) => o.id) }, `${prefix}${label}`);
}

/**
 * The managers' forms of the command (docs/design.md §15.2, §15.4), which come before an
 * organization's name: `reviews` (the access reviews), `review <organization name or IT Glue id>`
 * (start one), `export [from to]` (the audit export, sent as a file in a direct message).
 */
export type ManagerRequest = { kind: 'reviews' } | { kind: 'review'; organization: string } | { kind: 'export'; period: string[] };

/** What a tech is told who asks for a manager's form of the command. */
export const MANAGERS_ONLY: Record<ManagerRequest['kind'], string> = {
  reviews: 'Only a manager can list the access reviews. Nothing was read.',
  review: 'Only a manager can start an access review. Nothing was started.',
  export: 'Only a manager can export the audit records. Nothing was exported.',
};

export function managerRequest(text: string): ManagerRequest | null {
  const [word = '', ...rest] = text.trim().split(/\s+/);
  switch (word.toLowerCase()) {
    case 'reviews':
      return rest.length === 0 ? { kind: 'reviews' } : null;
    case 'review':
      return { kind: 'review', organization: rest.join(' ') };
    case 'export':
      return { kind: 'export', period: rest };
    default:
      return null;
  }
}
