/** The contacts (several) and approver type-ahead of the /invite-lite modal, for organizations with over 100 contacts. */
import type { AllMiddlewareArgs, SlackOptionsMiddlewareArgs } from '@slack/bolt';
import { hasEmail } from '../../../itglue/eligibility';
import type { SlackDeps } from '../../deps';
import { contactOption, MAX_STATIC_OPTIONS } from '../../views/invite-modal';
import { inviteMetadata } from '../../views/invite-values';

export function contacts(deps: SlackDeps) {
  return async ({ options, body, ack }: SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs): Promise<void> => {
    const { orgId } = inviteMetadata(body.view?.private_metadata);
    const needle = (options.value ?? '').trim().toLowerCase();
    const all = deps.directory && orgId ? await deps.directory.contactsOf(orgId) : [];
    const found = all
      .filter(hasEmail)
      .filter((c) => `${c.name} ${c.email}`.toLowerCase().includes(needle))
      .sort((a, b) => a.name.localeCompare(b.name))
      .slice(0, MAX_STATIC_OPTIONS)
      .map((c) => contactOption({ id: c.id, name: c.name, email: c.email }));
    await ack({ options: found });
  };
}
