/** The operator CLI's command line, parsed into one typed command. Bad input is a UsageError. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { DecisionInput, MyGlueRole, OffboardingRequest, OnboardingRequest } from '../../workflows/types';
import { isStage, STAGES } from '../../workflows/stages';
import { MESSAGES } from '../onboarding-messages';

export const USAGE = `usage: npm run cli -- <command> [options]

  start --org ID --contact ID [--kind itglue|myglue] [--role Lite|Creator|Editor] [--group ID]...
        [--password-access] [--approver ID] [--ticket T] [--note N] [--by U123]
                              start an onboarding (or show the open one for that contact)
  offboard --org ID --contact ID --user ID [--reason R] [--ticket T] [--by U123]
                              remove a customer user's access (or show the open offboarding)
  review --org ID [--approver ID] [--by U123]
                              start an access review of the organization's customer users,
                              answered by the primary contact or --approver (or show the open one)
  export --from DATE --to DATE [--format csv|json]
                              every onboarding and offboarding open in the period, with its
                              decision and evidence (to standard output; progress to stderr)
  status <workflowId>         print the onboarding's (or offboarding's) status as JSON
  list [--stage STAGE] [--org ID] [--open] [--json]
                              list onboardings
  signal <workflowId> <name> [--by U123] [--json '{...}']
                              send a message (a person action the onboarding judges, or
                              the sweep's user-observed): ${Object.keys(MESSAGES).join(', ')}
  decide <workflowId> approve|deny --round N --approver ID --by U123 [--comment C]
                              record a decision the approver gave you (kept as
                              recorded by you with the CLI, not through the link)

  --by is the Slack user ID of whoever acts (default: cli; required for decide)`;

/** A command line that cannot be run; the message says why in one line. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Who acts when --by is not given. */
export const CLI_ACTOR = 'cli';

/** A Slack user ID, such as U0123ABCD. */
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

export type Command =
  | { command: 'start'; request: OnboardingRequest }
  | { command: 'offboard'; request: OffboardingRequest }
  | { command: 'review'; review: { orgId: string; requestedBy: string; approverContactId?: string } }
  | { command: 'export'; from: string; to: string; format: 'csv' | 'json' }
  | { command: 'status'; workflowId: string }
  | { command: 'list'; stage?: string; orgId?: string; open: boolean; json: boolean }
  | { command: 'signal'; workflowId: string; name: string; by?: string; fields: Record<string, unknown> }
  | { command: 'decide'; workflowId: string; decision: DecisionInput }
  | { command: 'help' };

type Options = NonNullable<ParseArgsConfig['options']>;

function parse(command: string, args: string[], options: Options, positionals: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('. ')[0]! : String(error);
    throw new UsageError(`${command}: ${message}`);
  }
  if (parsed.positionals.length !== positionals.length) {
    const expected = positionals.length ? positionals.map((p) => `<${p}>`).join(' ') : 'no arguments besides options';
    throw new UsageError(`${command}: expected ${expected}, got ${parsed.positionals.length ? parsed.positionals.join(' ') : 'none'}`);
  }
  return { values: parsed.values as Record<string, string | boolean | string[] | undefined>, positionals: parsed.positionals };
}

function required(command: string, values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`${command}: --${name} is required`);
  return value;
}

function optional(values: Record<string, unknown>, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function parseStart(args: string[]): Command {
  const { values } = parse(
    'start',
    args,
    {
      org: { type: 'string' },
      contact: { type: 'string' },
      kind: { type: 'string', default: 'itglue' },
      role: { type: 'string' },
      group: { type: 'string', multiple: true },
      'password-access': { type: 'boolean', default: false },
      approver: { type: 'string' },
      ticket: { type: 'string' },
      note: { type: 'string' },
      by: { type: 'string' },
    },
    [],
  );
  const kind = values.kind;
  if (kind !== 'itglue' && kind !== 'myglue') throw new UsageError(`start: --kind expects itglue or myglue, got ${JSON.stringify(kind)}`);
  const role = optional(values, 'role');
  if (role !== undefined && !['Lite', 'Creator', 'Editor'].includes(role)) {
    throw new UsageError(`start: --role expects Lite, Creator or Editor, got ${JSON.stringify(role)}`);
  }
  const groups = values.group as string[] | undefined;
  const request: OnboardingRequest = {
    orgId: required('start', values, 'org'),
    contactId: required('start', values, 'contact'),
    kind,
    passwordAccess: values['password-access'] === true,
    requestedBy: optional(values, 'by') ?? CLI_ACTOR,
  };
  if (kind === 'myglue') request.myGlueRole = (role ?? 'Creator') as MyGlueRole;
  else if (role !== undefined) throw new UsageError('start: --role applies to --kind myglue only (an IT Glue user is always Lite)');
  if (groups?.length) request.myGlueGroupIds = groups;
  for (const [option, field] of [
    ['approver', 'approverContactId'],
    ['ticket', 'ticket'],
    ['note', 'note'],
  ] as const) {
    const value = optional(values, option);
    if (value !== undefined) request[field] = value;
  }
  return { command: 'start', request };
}

function parseOffboard(args: string[]): Command {
  const { values } = parse(
    'offboard',
    args,
    {
      org: { type: 'string' },
      contact: { type: 'string' },
      user: { type: 'string' },
      reason: { type: 'string' },
      ticket: { type: 'string' },
      by: { type: 'string' },
    },
    [],
  );
  // The kind is the user's: the offboarding reads it from IT Glue.
  const request: OffboardingRequest = {
    orgId: required('offboard', values, 'org'),
    contactId: required('offboard', values, 'contact'),
    userId: required('offboard', values, 'user'),
    kind: 'itglue',
    passwordAccess: false,
    requestedBy: optional(values, 'by') ?? CLI_ACTOR,
  };
  const reason = optional(values, 'reason');
  if (reason !== undefined) request.reason = reason;
  const ticket = optional(values, 'ticket');
  if (ticket !== undefined) request.ticket = ticket;
  return { command: 'offboard', request };
}

function parseReview(args: string[]): Command {
  const { values } = parse('review', args, { org: { type: 'string' }, approver: { type: 'string' }, by: { type: 'string' } }, []);
  const approverContactId = optional(values, 'approver');
  return {
    command: 'review',
    review: {
      orgId: required('review', values, 'org'),
      requestedBy: optional(values, 'by') ?? CLI_ACTOR,
      ...(approverContactId !== undefined ? { approverContactId } : {}),
    },
  };
}

function parseExport(args: string[]): Command {
  const { values } = parse('export', args, { from: { type: 'string' }, to: { type: 'string' }, format: { type: 'string', default: 'csv' } }, []);
  const format = values.format;
  if (format !== 'csv' && format !== 'json') throw new UsageError(`export: --format expects csv or json, got ${JSON.stringify(format)}`);
  return { command: 'export', from: required('export', values, 'from'), to: required('export', values, 'to'), format };
}

function parseList(args: string[]): Command {
  const { values } = parse(
    'list',
    args,
    { stage: { type: 'string' }, org: { type: 'string' }, open: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
    [],
  );
  const stage = optional(values, 'stage');
  if (stage !== undefined && !isStage(stage)) throw new UsageError(`list: --stage expects one of ${STAGES.join(', ')}, got ${JSON.stringify(stage)}`);
  return { command: 'list', stage, orgId: optional(values, 'org'), open: values.open === true, json: values.json === true };
}

function parseSignal(args: string[]): Command {
  const { values, positionals } = parse('signal', args, { by: { type: 'string' }, json: { type: 'string' } }, ['workflowId', 'name']);
  let fields: Record<string, unknown> = {};
  const json = optional(values, 'json');
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      throw new UsageError(`signal: --json expects a JSON object, ${(error as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError('signal: --json expects a JSON object');
    fields = parsed as Record<string, unknown>;
  }
  return { command: 'signal', workflowId: positionals[0]!, name: positionals[1]!, by: optional(values, 'by'), fields };
}

function parseDecide(args: string[]): Command {
  const { values, positionals } = parse(
    'decide',
    args,
    { round: { type: 'string' }, approver: { type: 'string' }, by: { type: 'string' }, comment: { type: 'string' } },
    ['workflowId', 'decision'],
  );
  const decision = positionals[1];
  if (decision !== 'approve' && decision !== 'deny') throw new UsageError(`decide: expected approve or deny, got ${JSON.stringify(decision)}`);
  const round = required('decide', values, 'round');
  if (!/^\d+$/.test(round)) throw new UsageError(`decide: --round expects a whole number, got ${JSON.stringify(round)}`);
  const approverContactId = required('decide', values, 'approver');
  // The operator is named: the decision is kept as recorded by them, not as a press of the approver's link.
  const by = required('decide', values, 'by');
  if (!SLACK_USER_ID.test(by)) {
    throw new UsageError(`decide: --by expects the Slack user ID of the operator recording the decision, such as U0123ABCD, got ${JSON.stringify(by)}`);
  }
  const input: DecisionInput = { decision, round: Number(round), approverContactId, recordedBy: by };
  const comment = optional(values, 'comment');
  if (comment !== undefined) input.comment = comment;
  return { command: 'decide', workflowId: positionals[0]!, decision: input };
}

export function parseCommand(argv: string[]): Command {
  const [command, ...args] = argv;
  switch (command) {
    case 'start':
      return parseStart(args);
    case 'offboard':
      return parseOffboard(args);
    case 'review':
      return parseReview(args);
    case 'export':
      return parseExport(args);
    case 'status': {
      const { positionals } = parse('status', args, {}, ['workflowId']);
      return { command: 'status', workflowId: positionals[0]! };
    }
    case 'list':
      return parseList(args);
    case 'signal':
      return parseSignal(args);
    case 'decide':
      return parseDecide(args);
    case 'help':
    case '--help':
    case '-h':
      return { command: 'help' };
    case undefined:
      throw new UsageError('a command is required');
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}
