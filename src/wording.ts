/** How mails and the approval pages put an onboarding into words, the same way everywhere. */
import type { Policy } from '../workflows/policy';
import type { OnboardingRequest } from '../workflows/types';

const MYGLUE_ROLE: Record<string, string> = {
  Lite: 'can view, not change anything',
  Creator: 'can view, create and edit, not delete',
  Editor: 'can view, create, edit and delete',
};

/** "IT Glue Lite user (read-only)" or "MyGlue Creator user (can view, create and edit, not delete)", after "an". */
export function accessLevel(request: Pick<OnboardingRequest, 'kind' | 'myGlueRole'>): string {
  if (request.kind === 'itglue') return 'IT Glue Lite user (read-only)';
  const role = request.myGlueRole ?? 'Lite';
  return `MyGlue ${role} user (${MYGLUE_ROLE[role] ?? 'MyGlue role'})`;
}

/** What a thread (or, without Slack, its log line) says of an onboarding run on the IT Glue stand-ins. */
export const SIMULATED_ITGLUE =
  'IT Glue is simulated (ITGLUE_API_KEY is unset): the organization and people are placeholders, and nothing was read from or done in IT Glue';

/** A MyGlue user's passwords, as the groups leave them: "visible" or "hidden" (after "Passwords: "). */
export function passwordsVisibility(visible: boolean): 'visible' | 'hidden' {
  return visible ? 'visible' : 'hidden';
}

/**
 * Password access in words. IT Glue Lite: the tech's choice (the customer group). MyGlue: what the
 * chosen groups' denied asset types allow, "visible" or "hidden".
 */
export function passwordAccess(request: Pick<OnboardingRequest, 'kind' | 'passwordAccess'>): string {
  if (request.kind === 'myglue') return passwordsVisibility(request.passwordAccess);
  return request.passwordAccess ? 'Included: the user can see stored passwords' : 'Not included: stored passwords stay hidden';
}

/** The zone times are written in unless the policy's `branding.timeZone` names another. */
export const DEFAULT_TIME_ZONE = 'UTC';

const formats = new Map<string, Intl.DateTimeFormat>();

function timeFormat(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone });
    formats.set(timeZone, format);
  }
  return format;
}

/** Whether Intl knows the time zone (an IANA name such as Europe/Berlin, or UTC). */
export function isTimeZone(timeZone: string): boolean {
  try {
    timeFormat(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * A time as mails and pages show it, in `timeZone` (the policy's `branding.timeZone`), which is
 * named: "Monday 3 March 2025 at 14:05 UTC", "Monday 3 March 2025 at 15:05 Europe/Berlin".
 */
export function formatTime(time: string | number | Date, timeZone: string = DEFAULT_TIME_ZONE): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return String(time);
  const zone = isTimeZone(timeZone) ? timeZone : DEFAULT_TIME_ZONE;
  return `${timeFormat(zone).format(date).replace(',', '')} ${zone}`;
}

/** Where MyGlue users sign in unless the policy says otherwise (US region). */
export const DEFAULT_MYGLUE_LOGIN_HOST = 'app.myglue.com';

/**
 * Where the invitee signs in: IT Glue users at the IT Glue app host (`branding.loginHost`), MyGlue
 * users at MyGlue's (`branding.myGlueLoginHost`, which policies carried by onboardings started
 * before the setting lack).
 */
export function loginHostFor(request: Pick<OnboardingRequest, 'kind'>, branding: Policy['branding']): string {
  if (request.kind !== 'myglue') return branding.loginHost;
  return branding.myGlueLoginHost?.trim() || DEFAULT_MYGLUE_LOGIN_HOST;
}

/**
 * The MSP's single-sign-on address that IT Glue users must not use, e.g. "acme.itglue.com"; null
 * when there is none, and for MyGlue users, who never sign in to the MSP's IT Glue account.
 */
export function ssoHost(branding: Policy['branding'], request: Pick<OnboardingRequest, 'kind'> = { kind: 'itglue' }): string | null {
  if (request.kind === 'myglue') return null;
  const sso = branding.ssoSubdomain.trim();
  if (!sso) return null;
  if (sso.includes('.')) return sso;
  // app.itglue.com → acme.itglue.com; app.eu.itglue.com → acme.eu.itglue.com
  const rest = branding.loginHost.replace(/^app\./, '');
  return `${sso}.${rest}`;
}
