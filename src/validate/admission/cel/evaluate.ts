import { type CelInput, isCelError } from '@bufbuild/cel';
import type { AdmissionIssue, OpenApiSchema } from '../types.js';
import { type CompiledRule, compiledRules, type Program } from './compile.js';
import { failedRule, ruleError, unevaluable } from './messages.js';
import { hasRulesBelow, mapValues } from './schema.js';
import { toCelValue, type ValueMemo } from './values.js';

/** Outcome of {@link runValidations}. */
export interface ValidationRun {
  /** Every failed rule, and every rule that could not be compiled or evaluated. */
  issues: AdmissionIssue[];
  /** How many rule evaluations returned true. */
  passed: number;
  /** How many rule evaluations were skipped because the rule reads `oldSelf` (update-only). */
  skipped: number;
}

/** Where the walk is: the issue list and counters it adds to, and the converted values of this object. */
interface Walk {
  run: ValidationRun;
  memo: ValueMemo;
}

/**
 * Evaluates the `x-kubernetes-validations` rules of a CRD version's `openAPIV3Schema` against an object
 * (already defaulted, as the API server stores it), the way the API server does on create: at every node
 * of the schema that carries rules and whose value is present and not null, each rule runs with `self`
 * bound to that value; then the walk goes on into properties, additionalProperties and items.
 */
export function runValidations(schema: OpenApiSchema, obj: unknown): ValidationRun {
  const walk: Walk = { run: { issues: [], passed: 0, skipped: 0 }, memo: new Map() };
  visit(walk, schema, obj, '');
  return walk.run;
}

/** The issues of {@link runValidations}: failed rules and rules that could not be evaluated. */
export function evaluateValidations(schema: OpenApiSchema, obj: unknown): AdmissionIssue[] {
  return runValidations(schema, obj).issues;
}

function visit(walk: Walk, schema: OpenApiSchema, value: unknown, path: string): void {
  if (value === undefined || value === null || !hasRulesBelow(schema)) return;
  const rules = compiledRules(schema);
  if (rules.length > 0) evaluateNode(walk, rules, schema, value, path);
  if (Array.isArray(value)) {
    const { items } = schema;
    if (items) value.forEach((item, i) => visit(walk, items, item, `${path}[${i}]`));
  } else if (typeof value === 'object') {
    visitFields(walk, schema, value as Record<string, unknown>, path);
  }
}

function visitFields(walk: Walk, schema: OpenApiSchema, fields: Record<string, unknown>, path: string): void {
  const values = mapValues(schema);
  for (const [name, field] of Object.entries(fields)) {
    const property = schema.properties && Object.hasOwn(schema.properties, name) ? schema.properties[name] : undefined;
    if (property) visit(walk, property, field, path === '' ? name : `${path}.${name}`);
    else if (values) visit(walk, values, field, `${path}[${name}]`);
  }
}

function evaluateNode(walk: Walk, rules: readonly CompiledRule[], schema: OpenApiSchema, value: unknown, path: string): void {
  const { run } = walk;
  const self = toCelValue(value, schema, walk.memo);
  for (const compiled of rules) {
    if (compiled.status === 'skipped') {
      run.skipped++;
      continue;
    }
    if (compiled.status === 'broken') {
      run.issues.push(unevaluable(path, compiled.rule, compiled.reason));
      continue;
    }
    const result = compiled.program({ self });
    if (result === true) run.passed++;
    else if (result === false) run.issues.push(failedRule(path, schema, compiled.rule, compiled.message && evaluateMessage(compiled.message, self)));
    else if (isCelError(result)) run.issues.push(ruleError(path, schema, compiled.rule, result.message));
    else run.issues.push(unevaluable(path, compiled.rule, `the rule evaluated to a ${typeof result}, not a bool`));
  }
}

/**
 * The evaluated messageExpression, or `undefined` when it fails, is not a string, is blank or spans lines:
 * the API server then logs the problem and words the failure as if messageExpression were unset.
 */
function evaluateMessage(message: Program, self: CelInput): string | undefined {
  const result = message({ self });
  if (typeof result !== 'string') return undefined;
  const trimmed = result.trim();
  return trimmed === '' || trimmed.includes('\n') ? undefined : trimmed;
}
