import type { AdmissionIssue, CrdValidationRule, OpenApiSchema } from '../types.js';

/** Evaluation errors that mean this evaluator, not the object, is at fault: a missing function or a type error. */
const EVALUATOR_FAULT = /^(unbound function|found no matching overload|no such overload|unresolved attribute)/;

/**
 * The issue for a rule that evaluated to false, as the API server words it (`fieldErrorForReason`):
 * `<path>: Invalid value: "<type>": <detail>` by default, `Forbidden`, `Required value` or `Duplicate value`
 * when the rule sets `reason`. The detail is the evaluated messageExpression when given, else `message`,
 * else `failed rule: <rule>`. A rule's `fieldPath` is appended to the path.
 */
export function failedRule(path: string, schema: OpenApiSchema, rule: CrdValidationRule, evaluatedMessage?: string): AdmissionIssue {
  const at = rule.fieldPath ? `${path}.${rule.fieldPath.replace(/^\./, '')}` : path;
  const detail = evaluatedMessage ?? ruleMessageOrDefault(rule);
  return { path: at, message: `${show(at)}: ${reasonBody(rule.reason, schema, detail)}`, rule: rule.rule };
}

/**
 * The issue for a rule whose evaluation failed. Data errors (a missing key, an index out of range, a bad
 * duration) read as the API server's `<error> evaluating rule: <message or rule>`; a missing function or a
 * type error means the rule could not be evaluated here at all.
 */
export function ruleError(path: string, schema: OpenApiSchema, rule: CrdValidationRule, error: string): AdmissionIssue {
  if (EVALUATOR_FAULT.test(error)) return unevaluable(path, rule, error);
  const detail = `${celGoWording(error)} evaluating rule: ${ruleErrorString(rule)}`;
  return { path, message: `${show(path)}: ${invalid(schema, detail)}`, rule: rule.rule };
}

/** The issue for a rule this evaluator cannot compile or evaluate: never counted as a pass. */
export function unevaluable(path: string, rule: CrdValidationRule, reason: string): AdmissionIssue {
  return { path, message: `${show(path)}: rule could not be evaluated: ${rule.rule.trim()}: ${reason}`, rule: rule.rule };
}

function reasonBody(reason: string | undefined, schema: OpenApiSchema, detail: string): string {
  switch (reason) {
    case 'FieldValueForbidden':
      return `Forbidden: ${detail}`;
    case 'FieldValueRequired':
      return `Required value: ${detail}`;
    case 'FieldValueDuplicate':
      return `Duplicate value: ${JSON.stringify(schema.type ?? '')}`;
    default:
      return invalid(schema, detail);
  }
}

/** `Invalid value: "<schema type>": <detail>`: the API server shows the node's type, not its value. */
function invalid(schema: OpenApiSchema, detail: string): string {
  return `Invalid value: ${JSON.stringify(schema.type ?? '')}: ${detail}`;
}

/** The API server prints a nil field path (the object itself) as `<nil>`. */
function show(path: string): string {
  return path === '' ? '<nil>' : path;
}

function ruleMessageOrDefault(rule: CrdValidationRule): string {
  return rule.message ? rule.message.trim() : `failed rule: ${ruleErrorString(rule)}`;
}

function ruleErrorString(rule: CrdValidationRule): string {
  return rule.message ? rule.message.trim() : rule.rule.trim();
}

/** cel-go's wording for the errors @bufbuild/cel words differently. */
function celGoWording(error: string): string {
  return error.replace(/^field not found: /, 'no such key: ');
}
