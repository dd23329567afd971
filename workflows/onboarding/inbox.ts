/**
 * What people and the IT Glue sweep have told the onboarding, waiting to be taken by the stage
 * that waits for it. Person actions arrive as Updates (judged by their validators first) or, in
 * onboardings started before, as signals.
 */
import type { OfflineChannel } from '../types';

export type Action =
  | { type: 'decided' }
  | { type: 'user' }
  | { type: 'invitationSent'; by: string }
  | { type: 'invitationResent'; by: string }
  | { type: 'fixed'; by: string }
  | { type: 'settingsConfirmed'; by: string }
  | { type: 'twoFactorConfirmed'; by: string }
  | { type: 'offlineApproval'; by: string; channel: OfflineChannel; note: string }
  | { type: 'changeApprover'; by: string; approverContactId: string }
  | { type: 'cancel'; by: string; reason?: string }
  | { type: 'resume'; by: string }
  | { type: 'approveRemoval'; by: string }
  | { type: 'userDeleted'; by: string }
  | { type: 'userGone' }
  | { type: 'batchFailed'; reason: string };

export type CancelAction = Extract<Action, { type: 'cancel' }>;

export class Inbox {
  private readonly actions: Action[] = [];

  get empty(): boolean {
    return this.actions.length === 0;
  }

  push(action: Action): void {
    this.actions.push(action);
  }

  /** Everything waiting, oldest first; the inbox is empty afterwards. */
  takeAll(): Action[] {
    return this.actions.splice(0);
  }

  /** A waiting cancel, taken out of the inbox; undefined when there is none. */
  takeCancel(): CancelAction | undefined {
    const at = this.actions.findIndex((a) => a.type === 'cancel');
    return at < 0 ? undefined : (this.actions.splice(at, 1)[0] as CancelAction);
  }

  hasCancel(): boolean {
    return this.actions.some((a) => a.type === 'cancel');
  }
}
