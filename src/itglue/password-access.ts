/**
 * Whether a MyGlue user sees stored passwords: not a choice, but what the user's MyGlue groups
 * allow. A group can deny its members asset types ("Deny Asset Type Access"); where several groups
 * disagree the most restrictive wins, so passwords are hidden as soon as one chosen group denies
 * the Passwords asset type. A group whose denied asset types could not be read counts as denying
 * them (new MyGlue groups deny every asset type until an administrator allows some), and no group
 * at all gives no access either.
 */

export interface GroupRestrictions {
  name: string;
  /** Denied asset types; null or absent when not known. */
  deniedResourceTypes?: string[] | null;
}

export interface PasswordVisibility {
  visible: boolean;
  /** The groups that deny the Passwords asset type. */
  deniedBy: string[];
  /** The groups whose denied asset types are not known. */
  unknown: string[];
}

/** "Passwords", "Password", "passwords"…: IT Glue's Passwords asset type. */
export function isPasswordsType(resourceType: string): boolean {
  const word = resourceType.toLowerCase().replace(/[^a-z]/g, '');
  return word === 'passwords' || word === 'password';
}

/** The effective password access of a user in all these groups. */
export function passwordVisibility(groups: readonly GroupRestrictions[]): PasswordVisibility {
  const deniedBy = groups.filter((g) => g.deniedResourceTypes?.some(isPasswordsType)).map((g) => g.name);
  const unknown = groups.filter((g) => !g.deniedResourceTypes).map((g) => g.name);
  return { visible: groups.length > 0 && deniedBy.length === 0 && unknown.length === 0, deniedBy, unknown };
}
