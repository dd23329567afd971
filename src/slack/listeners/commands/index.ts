import type { App } from '@slack/bolt';
import { authorize } from '../../authorization';
import type { SlackDeps } from '../../deps';
import { inviteLite } from './invite-lite';
import { offboardLite } from './offboard-lite';
import { onboardingStatus } from './onboarding-status';

export const COMMANDS = { inviteLite: '/invite-lite', offboardLite: '/offboard-lite', onboardingStatus: '/onboarding-status' } as const;

export function registerCommands(app: App, deps: SlackDeps): void {
  app.command(COMMANDS.inviteLite, authorize(deps.roles, 'tech', deps.log), inviteLite(deps));
  app.command(COMMANDS.offboardLite, authorize(deps.roles, 'tech', deps.log), offboardLite(deps));
  app.command(COMMANDS.onboardingStatus, authorize(deps.roles, 'tech-or-manager', deps.log), onboardingStatus(deps));
}
