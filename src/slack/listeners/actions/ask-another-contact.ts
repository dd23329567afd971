/** Thread button "Ask another contact": opens a modal to choose another approver among the organization's contacts. */
import type { SlackDeps } from '../../deps';
import { openModal } from '../../open-modal';
import { type ButtonArgs, onboardingOf, pressOf, tellPresser } from '../../middleware/thread-press';
import { whyNotNow } from '../../refusals';
import { changeApproverModal } from '../../views/approval-modals';

export function askAnotherContact(deps: SlackDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    const press = pressOf(args);
    const status = onboardingOf(args);
    const refused = whyNotNow(status, 'changeApprover');
    if (refused) return tellPresser(deps, args, refused);
    await openModal({
      client: args.client,
      triggerId: args.body.trigger_id,
      title: 'Ask another contact',
      log: deps.log,
      build: async () => {
        const contacts = deps.directory ? await deps.directory.contactsOf(status.request.orgId, true) : [];
        const others = contacts
          .filter((c) => c.email && c.id !== status.request.contactId && c.id !== status.approver?.contactId)
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((c) => ({ id: c.id, name: c.name, email: c.email! }));
        return changeApproverModal({
          metadata: {
            workflowId: press.workflowId,
            channel: press.message?.channel ?? null,
            threadTs: press.message?.threadTs ?? null,
            ...(press.seen === undefined ? {} : { seen: press.seen }),
          },
          orgName: status.org?.name ?? `organization ${status.request.orgId}`,
          inviteeName: status.invitee?.name ?? `contact ${status.request.contactId}`,
          currentApprover: status.approver?.name ?? null,
          contacts: others,
        });
      },
    });
  };
}
