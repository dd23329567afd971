/** What an /invite-lite modal holds when Slack sends it back: its private metadata and its inputs' values. */
import type { Option } from '@slack/web-api';
import { blockId, INVITE, type InviteField, type InviteMetadata, type InviteSelection } from './invite-modal';

export function inviteMetadata(privateMetadata: string | undefined): InviteMetadata {
  try {
    const parsed = JSON.parse(privateMetadata || '{}') as Record<string, unknown> | null;
    // The app's own data: anything else (another type, an id IT Glue could not have) counts as absent.
    const channelId = parsed?.channelId;
    const orgId = parsed?.orgId;
    return {
      channelId: typeof channelId === 'string' ? channelId : null,
      orgId: typeof orgId === 'string' && /^\d+$/.test(orgId) ? orgId : null,
    };
  } catch {
    return { channelId: null, orgId: null };
  }
}

type StateValues = Record<string, Record<string, { value?: string | null; selected_option?: Option | null; selected_options?: Option[] }>>;

/** What the modal's inputs hold (for the submission, and to keep choices when the view is rebuilt). */
export function readInvite(values: StateValues | undefined, orgId: string | null): InviteSelection & { orgId: string | null } {
  const v = values ?? {};
  const get = (field: InviteField) => v[blockId(field, field === 'org' ? null : orgId)]?.[INVITE[field].action];
  // Values of another type than Slack sends count as not given.
  const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const chosen = (field: InviteField) => str(get(field)?.selected_option?.value);
  const text = (field: InviteField) => str(get(field)?.value)?.trim() || undefined;
  const kind = chosen('kind');
  const role = chosen('role');
  return {
    orgId: chosen('org') ?? orgId,
    // The contacts to invite: several (a multi-select), or one as an older modal sent it.
    contactIds: (() => {
      const field = get('contact');
      if (Array.isArray(field?.selected_options)) return field.selected_options.map((o) => str(o?.value)).filter((id): id is string => !!id);
      const one = chosen('contact');
      return one ? [one] : undefined;
    })(),
    contactId: chosen('contact') ?? str(get('contact')?.selected_options?.[0]?.value),
    approverId: chosen('approver'),
    kind: kind === 'myglue' || kind === 'itglue' ? kind : undefined,
    role: role === 'Lite' || role === 'Creator' || role === 'Editor' ? role : undefined,
    groupIds: (() => {
      const options = get('groups')?.selected_options;
      return Array.isArray(options) ? options.map((o) => str(o?.value)).filter((id): id is string => !!id) : undefined;
    })(),
    passwordAccess: chosen('password') === undefined ? undefined : chosen('password') === 'yes',
    ticket: text('ticket'),
    note: text('note'),
  };
}
