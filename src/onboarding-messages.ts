/**
 * The messages an onboarding hears from outside, by their command-line names: each person action
 * is an Update the workflow judges (a refusal comes back as ActionRefusedError); the IT Glue
 * sweep's observation is a signal. Used by the operator CLI and the Slack listeners.
 */
import { ApplicationFailure, type Client, type SignalDefinition, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import {
  approveRemoval,
  askAnotherApprover,
  cancelOnboarding,
  confirmFixed,
  confirmInvitationResent,
  confirmInvitationSent,
  confirmSettings,
  confirmTwoFactor,
  confirmUserDeleted,
  recordOfflineApproval,
  resumeOnboarding,
  userObserved,
} from '../workflows/messages';
import { ACTION_REFUSED } from '../workflows/person-actions';
import { isFinal, isStage, type Stage } from '../workflows/stages';
import { actorId, firstIssue, getStatus, id, InvalidInputError } from './onboardings';

const actor = {
  by: actorId,
  /** The count of actions on the drawing the press came from (see PersonInput.seen). */
  seen: z.number().int().nonnegative().optional(),
};
const nullableTime = z.string().nullable();

interface MessageSpec<A> {
  /** A person action: an Update the workflow judges; or the sweep's observation: a signal. */
  definition: UpdateDefinition<void, [A]> | SignalDefinition<[A]>;
  fields: z.ZodType<A>;
  /** Whether the message names who acts (`by`). */
  takesActor: boolean;
}

/** Pairs a message with the schema of its argument; the compiler checks that they agree. */
function messageSpec<A>(definition: MessageSpec<A>['definition'], fields: z.ZodObject & z.ZodType<A>): MessageSpec<A> {
  return { definition, fields, takesActor: 'by' in fields.shape };
}

/** The person actions an operator or a Slack user may take, by their command-line names, with the fields each one needs. */
export const PERSON_ACTIONS = {
  'invitation-sent': messageSpec(confirmInvitationSent, z.strictObject(actor)),
  'invitation-resent': messageSpec(confirmInvitationResent, z.strictObject(actor)),
  fixed: messageSpec(confirmFixed, z.strictObject(actor)),
  'settings-confirmed': messageSpec(confirmSettings, z.strictObject(actor)),
  'two-factor-confirmed': messageSpec(confirmTwoFactor, z.strictObject(actor)),
  'offline-approval': messageSpec(
    recordOfflineApproval,
    z.strictObject({
      ...actor,
      channel: z.enum(['fax', 'postal-mail', 'email'], { error: 'expected fax, postal-mail or email' }),
      note: z.string().min(1, 'expected a note on how the approval arrived'),
    }),
  ),
  'change-approver': messageSpec(askAnotherApprover, z.strictObject({ ...actor, approverContactId: id })),
  cancel: messageSpec(cancelOnboarding, z.strictObject({ ...actor, reason: z.string().optional() })),
  resume: messageSpec(resumeOnboarding, z.strictObject(actor)),
  'approve-removal': messageSpec(approveRemoval, z.strictObject(actor)),
  'user-deleted': messageSpec(confirmUserDeleted, z.strictObject(actor)),
};

/** Every message an operator may send, by its command-line name: the person actions and the sweep's observation. */
export const MESSAGES = {
  ...PERSON_ACTIONS,
  'user-observed': messageSpec(
    userObserved,
    z.strictObject({
      id,
      email: z.string().min(3, 'expected an email address'),
      roleName: z.string(),
      myGlue: z.boolean(),
      invitationSentAt: nullableTime,
      invitationAcceptedAt: nullableTime,
      currentSignInAt: nullableTime,
    }),
  ),
};

export type MessageName = keyof typeof MESSAGES;
export type PersonActionName = keyof typeof PERSON_ACTIONS;

export function isMessageName(name: string): name is MessageName {
  return Object.hasOwn(MESSAGES, name);
}

export function messageTakesActor(name: MessageName): boolean {
  return MESSAGES[name].takesActor;
}

/** The workflow refused a person action; `reason` is one of ACTION_REFUSED, `stage` where the onboarding was. */
export class ActionRefusedError extends Error {
  override readonly name = 'ActionRefusedError';

  constructor(
    readonly reason: string,
    message: string,
    readonly stage: Stage | null,
  ) {
    super(message);
  }
}

export interface SendOptions {
  /**
   * The Update's ID: the same ID sent twice (a retried request, a double click, on any replica)
   * is one action. Derive it from what the person did (see src/slack/press.ts).
   */
  updateId?: string;
}

/**
 * Sends a message by its command-line name, after checking its fields; throws InvalidInputError.
 * A person action is an Update: the workflow refuses one that does not fit now (ActionRefusedError).
 */
export async function sendMessage(client: Client, workflowId: string, name: string, fields: Record<string, unknown>, options: SendOptions = {}): Promise<void> {
  if (!isMessageName(name)) {
    throw new InvalidInputError(`unknown message ${JSON.stringify(name)}: expected one of ${Object.keys(MESSAGES).join(', ')}`);
  }
  const spec = MESSAGES[name] as MessageSpec<unknown>;
  const result = spec.fields.safeParse(fields);
  if (!result.success) throw new InvalidInputError(`${name}: ${firstIssue(result.error)}`);
  const handle = client.workflow.getHandle(workflowId);
  if (spec.definition.type === 'signal') return handle.signal(spec.definition, result.data);
  try {
    await handle.executeUpdate(spec.definition, { args: [result.data], ...(options.updateId ? { updateId: options.updateId } : {}) });
  } catch (error) {
    throw await refusalOf(client, workflowId, error);
  }
}

/** The workflow's refusal as an ActionRefusedError; an ended workflow refuses too. Other errors as they are. */
async function refusalOf(client: Client, workflowId: string, error: unknown): Promise<unknown> {
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause;
    if (cause instanceof ApplicationFailure && cause.type && (Object.values(ACTION_REFUSED) as string[]).includes(cause.type)) {
      const stage = (cause.details?.[0] as { stage?: string } | undefined)?.stage;
      return new ActionRefusedError(cause.type, cause.message, stage && isStage(stage) ? stage : null);
    }
    return error;
  }
  if (!(error instanceof WorkflowNotFoundError)) return error;
  // Updates reach running workflows only: an ended onboarding says how it ended.
  const ended = await getStatus(client, workflowId).catch(() => null);
  if (!ended || !isFinal(ended.stage)) return error;
  return new ActionRefusedError(ACTION_REFUSED.ended, `This onboarding has already ended (${ended.stage}).`, ended.stage);
}
