import { type CelInput, type CelResult, parse, plan } from '@bufbuild/cel';
import type { CrdValidationRule, OpenApiSchema } from '../types.js';
import { checkExpression, type Expr } from './check.js';
import { validationEnv } from './environment.js';

/** A planned CEL expression, evaluated with `self` bound. */
export type Program = (bindings: { self: CelInput }) => CelResult;

/** A rule ready to evaluate. */
export interface ReadyRule {
  status: 'ready';
  rule: CrdValidationRule;
  program: Program;
  /** The planned `messageExpression`, when the rule has one. */
  message?: Program;
}

/** A rule that is not evaluated at creation: it reads `oldSelf`, so it only applies to updates. */
export interface SkippedRule {
  status: 'skipped';
  rule: CrdValidationRule;
  reason: string;
}

/** A rule this evaluator cannot compile (parse error, unknown function or field): never a pass. */
export interface BrokenRule {
  status: 'broken';
  rule: CrdValidationRule;
  reason: string;
}

/** One `x-kubernetes-validations` rule after compilation. */
export type CompiledRule = ReadyRule | SkippedRule | BrokenRule;

const parsed = new Map<string, Expr | Error>();
const planned = new Map<string, Program>();
const bySchema = new WeakMap<OpenApiSchema, readonly CompiledRule[]>();

/**
 * The compiled `x-kubernetes-validations` of a schema node, compiled on first use and then cached for the
 * life of the process: parsing and planning once per expression text, the static check once per node.
 */
export function compiledRules(schema: OpenApiSchema): readonly CompiledRule[] {
  let rules = bySchema.get(schema);
  if (!rules) {
    rules = (schema['x-kubernetes-validations'] ?? []).map((rule) => compileRule(rule, schema));
    bySchema.set(schema, rules);
  }
  return rules;
}

/** Compiles one rule of the schema node `schema` (see {@link CompiledRule}). */
function compileRule(rule: CrdValidationRule, schema: OpenApiSchema): CompiledRule {
  const expr = parseOnce(rule.rule);
  if (expr instanceof Error) return { status: 'broken', rule, reason: expr.message };
  const check = checkExpression(expr, validationEnv(), schema);
  if (check.usesOldSelf) return { status: 'skipped', rule, reason: 'reads oldSelf: a transition rule, checked only on update' };
  const message = rule.messageExpression === undefined ? undefined : parseOnce(rule.messageExpression);
  const problem = check.problem ?? messageProblem(message, schema);
  if (problem) return { status: 'broken', rule, reason: problem };
  try {
    const program = planOnce(rule.rule, expr);
    if (!message || message instanceof Error) return { status: 'ready', rule, program };
    return { status: 'ready', rule, program, message: planOnce(String(rule.messageExpression), message) };
  } catch (error) {
    return { status: 'broken', rule, reason: error instanceof Error ? error.message : String(error) };
  }
}

function messageProblem(message: Expr | Error | undefined, schema: OpenApiSchema): string | undefined {
  if (message === undefined) return undefined;
  const problem = message instanceof Error ? message.message : checkExpression(message, validationEnv(), schema).problem;
  return problem && `messageExpression: ${problem}`;
}

function parseOnce(text: string): Expr | Error {
  let expr = parsed.get(text);
  if (!expr) {
    try {
      expr = parse(text).expr;
    } catch (error) {
      expr = error instanceof Error ? error : new Error(String(error));
    }
    parsed.set(text, expr);
  }
  return expr;
}

function planOnce(text: string, expr: Expr): Program {
  let program = planned.get(text);
  if (!program) {
    program = plan(validationEnv(), expr);
    planned.set(text, program);
  }
  return program;
}
