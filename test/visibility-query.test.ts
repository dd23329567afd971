import { describe, expect, it } from 'vitest';
import { InvalidInputError, onboardingQuery } from '../src/onboardings';
import { plainValue, UnsafeQueryValueError, visibilityQuery } from '../src/temporal/visibility-query';
import { ONBOARDING_ORG_ID, ONBOARDING_STAGE } from '../workflows/messages';

describe('visibilityQuery', () => {
  it('joins its clauses with AND, each value a double-quoted literal', () => {
    const query = visibilityQuery()
      .where('WorkflowType', '=', 'onboarding')
      .where('ExecutionStatus', '!=', 'ContinuedAsNew')
      .where(ONBOARDING_STAGE, '=', 'STALLED')
      .where('CloseTime', '>', '2025-01-02T03:04:05.000Z');
    expect(query.toString()).toBe(
      'WorkflowType = "onboarding" AND ExecutionStatus != "ContinuedAsNew" AND OnboardingStage = "STALLED" AND CloseTime > "2025-01-02T03:04:05.000Z"',
    );
  });

  it('lists the values of IN, and refuses an empty list (Temporal refuses `IN ()`)', () => {
    expect(visibilityQuery().whereIn(ONBOARDING_ORG_ID, ['1', '2']).toString()).toBe('OnboardingOrgId IN ("1", "2")');
    expect(() => visibilityQuery().whereIn(ONBOARDING_ORG_ID, [])).toThrow('OnboardingOrgId IN needs at least one value');
  });

  it('narrows a query built before', () => {
    const base = visibilityQuery().where('WorkflowType', '=', 'onboarding').toString();
    expect(visibilityQuery(base).where('TaskQueue', '=', 'invite-lite/acme').toString()).toBe('WorkflowType = "onboarding" AND TaskQueue = "invite-lite/acme"');
    expect(visibilityQuery().toString()).toBe('');
  });

  it.each(['1" OR 1=1', 'a\\" OR "1', 'line\nbreak', 'nul\u0000'])('refuses a value a literal cannot hold: %j', (value) => {
    expect(() => visibilityQuery().where('TaskQueue', '=', value)).toThrow(UnsafeQueryValueError);
    expect(() => visibilityQuery().whereIn(ONBOARDING_ORG_ID, ['1', value])).toThrow(UnsafeQueryValueError);
  });

  it('refuses a field that is not a name', () => {
    expect(() => visibilityQuery().where({ name: 'A = "1" OR B' }, '=', 'x')).toThrow('not a search attribute name');
  });
});

describe('plainValue', () => {
  it('passes letters, digits and :.@_- only', () => {
    expect(plainValue('U0TECH01')).toBe('U0TECH01');
    expect(plainValue('org:12.a@b_c-d')).toBe('org:12.a@b_c-d');
  });

  it.each(['', '1 OR 1=1', '1" OR 1=1', "1'", '(1)'])('refuses %j, saying what was expected', (value) => {
    expect(() => plainValue(value)).toThrow(new UnsafeQueryValueError(value, 'letters, digits or :.@_- only'));
    expect(() => plainValue(value)).toThrow(`expected letters, digits or :.@_- only, got ${JSON.stringify(value)}`);
  });
});

describe('onboardingQuery', () => {
  it('refuses a value that is not plain as invalid input, naming the filter', () => {
    // Onboardings and offboardings alike unless a process is named (docs/design.md §15).
    expect(onboardingQuery({ orgId: '42', requestedBy: 'U0TECH01' })).toBe(
      'WorkflowType IN ("onboarding", "offboarding", "accessReview") AND ExecutionStatus != "ContinuedAsNew" AND OnboardingOrgId = "42" AND OnboardingRequestedBy = "U0TECH01"',
    );
    expect(onboardingQuery({ orgId: '42', process: 'onboarding' })).toBe(
      'WorkflowType = "onboarding" AND ExecutionStatus != "ContinuedAsNew" AND OnboardingOrgId = "42"',
    );
    expect(onboardingQuery({ process: 'offboarding' })).toBe('WorkflowType = "offboarding" AND ExecutionStatus != "ContinuedAsNew"');
    expect(() => onboardingQuery({ orgId: '1" OR 1=1' })).toThrow(new InvalidInputError('orgId: expected letters, digits or :.@_- only, got "1\\" OR 1=1"'));
    expect(() => onboardingQuery({ requestedBy: 'U0 TECH' })).toThrow(new InvalidInputError('requestedBy: expected letters, digits or :.@_- only, got "U0 TECH"'));
  });
});
