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

export function passwordAccess(request: Pick<OnboardingRequest, 'passwordAccess'>): string {
  return request.passwordAccess ? 'Included: the user can see stored passwords' : 'Not included: stored passwords stay hidden';
}

const TIME = new Intl.DateTimeFormat('en-GB', {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});

/** "Monday 3 March 2025 at 14:05 UTC". */
export function formatTime(time: string | number | Date): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return String(time);
  return `${TIME.format(date).replace(',', '')} UTC`;
}

/** The MSP's single-sign-on address that invitees must not use, e.g. "acme.itglue.com"; null when there is none. */
export function ssoHost(branding: Policy['branding']): string | null {
  const sso = branding.ssoSubdomain.trim();
  if (!sso) return null;
  if (sso.includes('.')) return sso;
  // app.itglue.com → acme.itglue.com; app.eu.itglue.com → acme.eu.itglue.com
  const rest = branding.loginHost.replace(/^app\./, '');
  return `${sso}.${rest}`;
}
