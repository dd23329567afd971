/** The organization type-ahead of the /invite-lite modal: IT Glue's customer organizations by name. */
import type { AllMiddlewareArgs, SlackOptionsMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../deps';
import { organizationOption } from '../../views/invite-modal';

export function organizations(deps: SlackDeps) {
  return async ({ options, ack }: SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs): Promise<void> => {
    const found = deps.directory ? await deps.directory.searchOrganizations(options.value ?? '', 100) : [];
    await ack({ options: found.map(organizationOption) });
  };
}
