import { describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from '../src/cli/arguments';

describe('parseCommand', () => {
  it('reads start with its defaults and options', () => {
    expect(parseCommand(['start', '--org', '10', '--contact', '20'])).toEqual({
      command: 'start',
      request: { orgId: '10', contactId: '20', kind: 'itglue', passwordAccess: false, requestedBy: 'cli' },
    });
    expect(
      parseCommand([
        'start',
        '--org',
        '10',
        '--contact',
        '20',
        '--kind',
        'myglue',
        '--group',
        '7',
        '--group',
        '8',
        '--password-access',
        '--approver',
        '30',
        '--ticket',
        'T-1',
        '--note',
        'new hire',
        '--by',
        'U0TECH01',
      ]),
    ).toEqual({
      command: 'start',
      request: {
        orgId: '10',
        contactId: '20',
        kind: 'myglue',
        myGlueRole: 'Creator',
        myGlueGroupIds: ['7', '8'],
        passwordAccess: true,
        approverContactId: '30',
        ticket: 'T-1',
        note: 'new hire',
        requestedBy: 'U0TECH01',
      },
    });
  });

  it('reads offboard: the organization, contact and user, with a reason', () => {
    expect(parseCommand(['offboard', '--org', '10', '--contact', '20', '--user', '30', '--reason', 'left the company', '--by', 'U0TECH01'])).toEqual({
      command: 'offboard',
      request: { orgId: '10', contactId: '20', userId: '30', kind: 'itglue', passwordAccess: false, requestedBy: 'U0TECH01', reason: 'left the company' },
    });
    expect(parseCommand(['offboard', '--org', '10', '--contact', '20', '--user', '30'])).toMatchObject({ command: 'offboard', request: { requestedBy: 'cli' } });
  });

  it('reads review: the organization, with the contact who answers and who asks', () => {
    expect(parseCommand(['review', '--org', '10'])).toEqual({ command: 'review', review: { orgId: '10', requestedBy: 'cli' } });
    expect(parseCommand(['review', '--org', '10', '--approver', '30', '--by', 'U0MGR001'])).toEqual({
      command: 'review',
      review: { orgId: '10', requestedBy: 'U0MGR001', approverContactId: '30' },
    });
  });

  it('reads export: the period and the format (CSV unless asked)', () => {
    expect(parseCommand(['export', '--from', '2026-01-01', '--to', '2026-04-01'])).toEqual({ command: 'export', from: '2026-01-01', to: '2026-04-01', format: 'csv' });
    expect(parseCommand(['export', '--from', '2026-01-01', '--to', '2026-04-01', '--format', 'json'])).toMatchObject({ format: 'json' });
  });

  it('reads status, list, signal and decide', () => {
    expect(parseCommand(['status', 'onboarding:1:2'])).toEqual({ command: 'status', workflowId: 'onboarding:1:2' });
    expect(parseCommand(['list', '--stage', 'STALLED', '--open'])).toEqual({
      command: 'list',
      stage: 'STALLED',
      orgId: undefined,
      open: true,
      json: false,
    });
    expect(parseCommand(['signal', 'onboarding:1:2', 'offline-approval', '--by', 'U1', '--json', '{"channel":"fax","note":"n"}'])).toEqual({
      command: 'signal',
      workflowId: 'onboarding:1:2',
      name: 'offline-approval',
      by: 'U1',
      fields: { channel: 'fax', note: 'n' },
    });
    expect(parseCommand(['decide', 'onboarding:1:2', 'deny', '--round', '2', '--approver', '30', '--by', 'U0OPER0001'])).toEqual({
      command: 'decide',
      workflowId: 'onboarding:1:2',
      decision: { decision: 'deny', round: 2, approverContactId: '30', recordedBy: 'U0OPER0001' },
    });
    expect(parseCommand(['decide', 'onboarding:1:2', 'approve', '--round', '1', '--approver', '30', '--by', 'W0OPER0002', '--comment', 'said so on the phone'])).toEqual({
      command: 'decide',
      workflowId: 'onboarding:1:2',
      decision: { decision: 'approve', round: 1, approverContactId: '30', recordedBy: 'W0OPER0002', comment: 'said so on the phone' },
    });
  });

  it.each([
    [[], 'a command is required'],
    [['launch'], 'unknown command "launch"'],
    [['start', '--org', '10'], 'start: --contact is required'],
    [['start', '--org', '10', '--contact', '20', '--kind', 'lite'], 'start: --kind expects itglue or myglue, got "lite"'],
    [['start', '--org', '10', '--contact', '20', '--role', 'Creator'], 'start: --role applies to --kind myglue only'],
    [['start', '--org', '10', '--contact', '20', '--colour', 'red'], "start: Unknown option '--colour'"],
    [['status'], 'status: expected <workflowId>, got none'],
    [['offboard', '--org', '10', '--contact', '20'], 'offboard: --user is required'],
    [['review'], 'review: --org is required'],
    [['review', '--org', '10', '--contact', '20'], "review: Unknown option '--contact'"],
    [['review', '--org', '10', 'now'], 'review: expected no arguments besides options, got now'],
    [['export', '--from', '2026-01-01'], 'export: --to is required'],
    [['export', '--from', '2026-01-01', '--to', '2026-02-01', '--format', 'xlsx'], 'export: --format expects csv or json, got "xlsx"'],
    [['offboard', '--org', '10', '--contact', '20', '--user', '30', '--kind', 'myglue'], "offboard: Unknown option '--kind'"],
    [['list', '--stage', 'WAITING'], 'list: --stage expects one of VALIDATING, '],
    [['signal', 'onboarding:1:2', 'cancel', '--json', '[1]'], 'signal: --json expects a JSON object'],
    [['signal', 'onboarding:1:2', 'cancel', '--json', '{'], 'signal: --json expects a JSON object, '],
    [['decide', 'onboarding:1:2', 'maybe', '--round', '1', '--approver', '3', '--by', 'U0OPER0001'], 'decide: expected approve or deny, got "maybe"'],
    [['decide', 'onboarding:1:2', 'approve', '--round', 'one', '--approver', '3', '--by', 'U0OPER0001'], 'decide: --round expects a whole number, got "one"'],
    // The operator who records a decision is named, by Slack user ID.
    [['decide', 'onboarding:1:2', 'approve', '--round', '1', '--approver', '3'], 'decide: --by is required'],
    [
      ['decide', 'onboarding:1:2', 'approve', '--round', '1', '--approver', '3', '--by', 'cli'],
      'decide: --by expects the Slack user ID of the operator recording the decision, such as U0123ABCD, got "cli"',
    ],
    [
      ['decide', 'onboarding:1:2', 'approve', '--round', '1', '--approver', '3', '--by', 'u0oper0001'],
      'decide: --by expects the Slack user ID of the operator recording the decision, such as U0123ABCD, got "u0oper0001"',
    ],
    [['decide', 'onboarding:1:2', 'approve', '--round', '1', '--approver', '3', '--by', '<@U0OPER0001>'], 'decide: --by expects the Slack user ID'],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });
});
