/** What each CLI command does, given a connected client. Output goes to `out`. */
import type { Client } from '@temporalio/client';
import { collectAudit, formatAudit, parsePeriod } from '../audit-export';
import type { Config } from '../config';
import {
  decideApproval,
  getStatus,
  InvalidInputError,
  listOnboardings,
  onboardingQuery,
  startOffboarding,
  startOnboarding,
  startReview,
  type OnboardingSummary,
} from '../onboardings';
import { isMessageName, MESSAGES, messageTakesActor, sendMessage } from '../onboarding-messages';
import { workflowPages } from '../temporal/ui-link';
import { CLI_ACTOR, type Command } from './arguments';

export type Out = (line: string) => void;

function table(rows: OnboardingSummary[]): string[] {
  const header = ['WORKFLOW ID', 'STAGE', 'DEADLINE', 'STARTED', 'STATUS'];
  const cells = rows.map((r) => [r.workflowId, r.stage ?? '-', r.deadline ?? '-', r.startedAt, r.executionStatus]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  return [header, ...cells].map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}

export async function runCommand(
  command: Exclude<Command, { command: 'help' }>,
  client: Client,
  config: Config,
  out: Out,
  progress: Out = () => undefined,
): Promise<void> {
  switch (command.command) {
    case 'start': {
      const started = await startOnboarding(client, config.temporal.taskQueue, command.request, config.policy);
      out(JSON.stringify(started));
      return;
    }
    case 'offboard': {
      const started = await startOffboarding(client, config.temporal.taskQueue, command.request, config.policy);
      out(JSON.stringify(started));
      return;
    }
    case 'review': {
      const started = await startReview(client, config.temporal.taskQueue, command.review, config.policy);
      out(JSON.stringify(started));
      return;
    }
    case 'export': {
      const period = parsePeriod(command.from, command.to);
      const { records, unreadable } = await collectAudit(client, config.temporal.taskQueue, period, progress);
      out(formatAudit(records, command.format).replace(/\n$/, ''));
      progress(`${records.length} records from ${period.from} to ${period.to}`);
      if (unreadable.length > 0) progress(`${unreadable.length} records could not be read (no worker answered): ${unreadable.join(', ')}`);
      return;
    }
    case 'status': {
      const page = workflowPages(config.temporal)?.(command.workflowId);
      out(JSON.stringify({ ...(await getStatus(client, command.workflowId)), ...(page ? { temporalUi: page } : {}) }, null, 2));
      return;
    }
    case 'list': {
      const rows = await listOnboardings(client, onboardingQuery({ stage: command.stage, orgId: command.orgId, open: command.open }));
      if (command.json) out(JSON.stringify(rows, null, 2));
      else if (rows.length === 0) out('no onboardings match');
      else for (const line of table(rows)) out(line);
      return;
    }
    case 'signal': {
      const { name } = command;
      if (!isMessageName(name)) {
        throw new InvalidInputError(`unknown message ${JSON.stringify(name)}: expected one of ${Object.keys(MESSAGES).join(', ')}`);
      }
      const fields = { ...command.fields };
      if (command.by !== undefined) fields.by = command.by;
      else if (messageTakesActor(name) && fields.by === undefined) fields.by = CLI_ACTOR;
      await sendMessage(client, command.workflowId, name, fields);
      out(`sent ${name} to ${command.workflowId}`);
      return;
    }
    case 'decide':
      out(JSON.stringify(await decideApproval(client, command.workflowId, command.decision)));
      return;
  }
}
