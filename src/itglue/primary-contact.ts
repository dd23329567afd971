/**
 * The organization's primary contact by the policy's rule (docs/design.md §4.1), checked as the
 * person who approves: a contact with an email, or the sentence telling the tech what to do
 * instead. The onboarding's and the offboarding's validations ask the tech to choose the
 * approver; an access review asks to name the contact who answers (`remedy`).
 */
import type { Policy } from '../../workflows/policy';
import type { ItGlueDirectory } from './directory';
import { checkContact } from './eligibility';
import type { ItGlueContact } from './schemas';

const CHOOSE_APPROVER = 'choose the approver';

export interface RuleContactOptions {
  /** What the tech is told to do when the rule finds no usable contact (default "choose the approver"). */
  remedy?: string;
  /** The organization's contacts, where the caller has read them already. */
  contacts?: ItGlueContact[];
}

export async function ruleContact(
  directory: ItGlueDirectory,
  org: { id: string; name: string },
  policy: Policy,
  { remedy = CHOOSE_APPROVER, contacts }: RuleContactOptions = {},
): Promise<ItGlueContact | string> {
  const found = await directory.primaryContact(org.id, policy.primaryContact, contacts);
  if (found.kind === 'one') {
    const checked = checkContact(found.contact.id, found.contact, org, 'primary-contact', 'request');
    return checked.ok ? checked.contact : checked.message.replace(CHOOSE_APPROVER, remedy);
  }
  const typeName = policy.primaryContact.kind === 'contact-type' ? policy.primaryContact.contactTypeName : null;
  if (found.kind === 'none' && typeName !== null && !(await directory.hasContactType(typeName))) {
    return `IT Glue has no contact type named "${typeName}" (the policy's primary-contact rule): correct primaryContact.contactTypeName in the policy, or ${remedy}.`;
  }
  const rule =
    policy.primaryContact.kind === 'contact-type'
      ? `contact type "${policy.primaryContact.contactTypeName}"`
      : policy.primaryContact.kind === 'important'
        ? 'contacts marked important'
        : `the "${policy.primaryContact.fieldNameKey}" field of "${policy.primaryContact.assetTypeName}"`;
  return found.kind === 'none'
    ? `No primary contact of ${org.name} was found by the rule (${rule}): ${remedy}.`
    : `Several contacts of ${org.name} match the primary-contact rule (${rule}: ${found.candidates.map((c) => c.name).join(', ')}): ${remedy}.`;
}
