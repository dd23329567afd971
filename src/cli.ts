/**
 * `npm run cli -- <command>`: the operator's command line for onboardings (start, status, list,
 * signal, decide). Exit codes: 0 done, 1 failed (said in one line), 2 bad arguments (with usage).
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { parseCommand, USAGE, UsageError } from './cli/arguments';
import { runCommand } from './cli/commands';
import { connectCli, NotConnectedError } from './cli/connect';
import { ConfigError, loadConfig } from './config';
import { loadEnvFile } from './env-file';
import { ActionRefusedError } from './onboarding-messages';
import { InvalidInputError } from './onboardings';

function failureLine(error: unknown): string {
  if (error instanceof ConfigError || error instanceof NotConnectedError) return error.message;
  if (error instanceof WorkflowNotFoundError) return `no onboarding with ID ${error.workflowId}`;
  if (error instanceof ActionRefusedError) return `refused by the onboarding (${error.reason}): ${error.message}`;
  if (error instanceof WorkflowUpdateFailedError) return `decision refused: ${error.cause?.message ?? error.message}`;
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}

async function cli(argv: string[]): Promise<number> {
  let command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`invite-lite: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (command.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  let connected;
  try {
    loadEnvFile();
    const config = loadConfig();
    connected = await connectCli(config);
    await runCommand(
      command,
      connected.client,
      config,
      (line) => process.stdout.write(`${line}\n`),
      (line) => process.stderr.write(`invite-lite: ${line}\n`),
    );
    return 0;
  } catch (error) {
    if (error instanceof InvalidInputError) {
      process.stderr.write(`invite-lite: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`invite-lite: ${failureLine(error)}\n`);
    return 1;
  } finally {
    await connected?.connection.close();
  }
}

process.exitCode = await cli(process.argv.slice(2));
