/**
 * Temporal visibility queries (the filters of workflow list and count), built from typed clauses
 * joined with AND. Every value is written as a double-quoted literal. A value that such a literal
 * cannot hold (a double quote, a backslash, a control character) is refused rather than escaped:
 * Temporal's parser takes `\"` and `\\`, but the visibility store then matches nothing, so an
 * escaped value would only ever look for something else.
 */

/** A value a query cannot carry; the message says what was expected (the caller names the field). */
export class UnsafeQueryValueError extends Error {
  override readonly name = 'UnsafeQueryValueError';

  constructor(
    readonly value: string,
    expected: string,
  ) {
    super(`expected ${expected}, got ${JSON.stringify(value)}`);
  }
}

/** Temporal's execution statuses, as the ExecutionStatus field names them. */
export type ExecutionStatusName = 'Running' | 'Completed' | 'Failed' | 'Canceled' | 'Terminated' | 'ContinuedAsNew' | 'TimedOut';

/** The system fields used here; custom search attributes are given by their key (`{ name }`). */
export type SystemField = 'WorkflowType' | 'WorkflowId' | 'ExecutionStatus' | 'TaskQueue' | 'StartTime' | 'CloseTime';
export type QueryField = SystemField | { readonly name: string };

export type Comparison = '=' | '!=' | '>' | '>=' | '<' | '<=';

/** What a field's values may be: ExecutionStatus takes only the status names. */
type ValueOf<F extends QueryField> = F extends 'ExecutionStatus' ? ExecutionStatusName : string;

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LITERAL = /^[^"\\\u0000-\u001f\u007f]*$/;
const PLAIN = /^[\w:.@-]+$/;

/**
 * A value given by a person (an organization ID, a Slack user ID): letters, digits and :.@_-
 * only, else refused. Stricter than what a literal can hold, so that input stays plain.
 */
export function plainValue(value: string): string {
  if (!PLAIN.test(value)) throw new UnsafeQueryValueError(value, 'letters, digits or :.@_- only');
  return value;
}

function literal(value: string): string {
  if (!LITERAL.test(value)) throw new UnsafeQueryValueError(value, 'no double quotes, backslashes or control characters');
  return `"${value}"`;
}

function fieldName(field: QueryField): string {
  const name = typeof field === 'string' ? field : field.name;
  if (!FIELD_NAME.test(name)) throw new Error(`not a search attribute name: ${JSON.stringify(name)}`);
  return name;
}

export class VisibilityQuery {
  private readonly clauses: string[];

  /** `base`: a query this module built (its text), which the clauses added here narrow. */
  constructor(base?: string) {
    this.clauses = base ? [base] : [];
  }

  where<F extends QueryField>(field: F, comparison: Comparison, value: ValueOf<F>): this {
    this.clauses.push(`${fieldName(field)} ${comparison} ${literal(value)}`);
    return this;
  }

  /** The field is one of `values` (at least one: Temporal refuses an empty list). */
  whereIn<F extends QueryField>(field: F, values: readonly ValueOf<F>[]): this {
    if (values.length === 0) throw new Error(`${fieldName(field)} IN needs at least one value`);
    this.clauses.push(`${fieldName(field)} IN (${values.map(literal).join(', ')})`);
    return this;
  }

  toString(): string {
    return this.clauses.join(' AND ');
  }
}

/** A query to build, optionally narrowing one built before (see VisibilityQuery). */
export function visibilityQuery(base?: string): VisibilityQuery {
  return new VisibilityQuery(base);
}
