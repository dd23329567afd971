/**
 * The stages of an onboarding (docs/design.md §4) and of an offboarding (§15: REMOVING_ACCESS,
 * AWAITING_DELETION), in the order a normal run passes them; both share the first and the final ones.
 */
export const STAGES = [
  'VALIDATING',
  'AWAITING_APPROVAL',
  'RECORDING_AUTHORIZATION',
  'SENDING_INSTRUCTIONS',
  'AWAITING_INVITE',
  'VERIFYING',
  'AWAITING_ACCEPTANCE',
  'AWAITING_2FA',
  'REMOVING_ACCESS',
  'AWAITING_DELETION',
  'COMPLETED',
  'REJECTED',
  'DENIED',
  'APPROVAL_EXPIRED',
  'CANCELLED',
  'STALLED',
] as const;

export type Stage = (typeof STAGES)[number];

/** Stages after which the workflow ends. STALLED is not one: it waits for a manager. */
export const FINAL_STAGES: readonly Stage[] = ['COMPLETED', 'REJECTED', 'DENIED', 'APPROVAL_EXPIRED', 'CANCELLED'];

export function isFinal(stage: Stage): boolean {
  return FINAL_STAGES.includes(stage);
}

/** Each process's open stages, in the order a normal run passes them (STALLED, which waits for a manager, last). */
export const OPEN_STAGES_OF = {
  onboarding: [
    'VALIDATING',
    'AWAITING_APPROVAL',
    'RECORDING_AUTHORIZATION',
    'SENDING_INSTRUCTIONS',
    'AWAITING_INVITE',
    'VERIFYING',
    'AWAITING_ACCEPTANCE',
    'AWAITING_2FA',
    'STALLED',
  ],
  offboarding: ['VALIDATING', 'AWAITING_APPROVAL', 'REMOVING_ACCESS', 'AWAITING_DELETION', 'STALLED'],
  review: ['VALIDATING', 'AWAITING_APPROVAL', 'REMOVING_ACCESS', 'STALLED'],
} as const satisfies Record<'onboarding' | 'offboarding' | 'review', readonly Stage[]>;

export function isStage(value: string): value is Stage {
  return (STAGES as readonly string[]).includes(value);
}

/** Who the onboarding is waiting on in a stage. */
export type WaitingOn = 'system' | 'approver' | 'tech' | 'invitee' | 'manager' | 'nobody';

/** A finer state inside a stage: what the stage waits for. */
export type SubState =
  /** VERIFYING: the user's settings differ from the request; someone fixes them, then presses Fixed. */
  | 'MISMATCH'
  /** VERIFYING: the tech confirms the settings the API cannot read. */
  | 'CONFIRM_SETTINGS'
  /** AWAITING_ACCEPTANCE: the invitation expired unused; the tech resends it. */
  | 'INVITE_EXPIRED';
