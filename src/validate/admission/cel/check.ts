import type { CelEnv, parse } from '@bufbuild/cel';
import type { OpenApiSchema } from '../types.js';
import { celKind, celProperties, mapValues } from './schema.js';

/** A parsed CEL expression node. */
export type Expr = ReturnType<typeof parse>['expr'];

/** What the static check of one expression found. */
export interface CheckResult {
  /** The first reason the API server would refuse to compile the expression, if any. */
  problem?: string;
  /** Whether the expression reads `oldSelf` (an update-only, "transition" rule). */
  usesOldSelf: boolean;
}

/** Calls the planner of @bufbuild/cel implements itself rather than through the function registry. */
const PLANNER_CALLS = new Set(['_[_]', '_[?_]', '_?._', '_?_:_', '_&&_', '_||_', '@not_strictly_false', '__not_strictly_false__']);

/** Identifiers every expression may use: the type denotations of the standard library (`type(x) == int`). */
const TYPE_NAMES = ['bool', 'bytes', 'double', 'int', 'list', 'map', 'null_type', 'string', 'type', 'uint'];

/** Variables in scope, with the schema of their value when it is known (`undefined`: dynamic). */
type Scope = ReadonlyMap<string, OpenApiSchema | undefined>;

/**
 * Checks a rule (or messageExpression) the way the API server's compiler does, as far as it matters here:
 * every identifier is bound (`self`, `oldSelf`, comprehension variables), every function exists with that
 * arity as a function or a method, and every field selected from an object schema is one of its
 * properties, spelled escaped (`self.__namespace__`). Values of dynamic type are not checked.
 */
export function checkExpression(expr: Expr, env: CelEnv, self: OpenApiSchema): CheckResult {
  const checker = new Checker(env);
  const scope = new Map<string, OpenApiSchema | undefined>(TYPE_NAMES.map((name) => [name, undefined]));
  checker.visit(expr, scope.set('self', self).set('oldSelf', self));
  return { problem: checker.problems[0], usesOldSelf: checker.usesOldSelf };
}

class Checker {
  readonly problems: string[] = [];
  usesOldSelf = false;

  constructor(private readonly env: CelEnv) {}

  /** Checks `expr` and returns the schema of its value when it is known. */
  visit(expr: Expr, scope: Scope): OpenApiSchema | undefined {
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'identExpr':
        return this.ident(kind.value.name, scope);
      case 'selectExpr':
        return kind.value.operand ? this.select(this.visit(kind.value.operand, scope), kind.value.field) : undefined;
      case 'callExpr':
        return this.call(kind.value, scope);
      case 'listExpr':
        kind.value.elements.forEach((element) => this.visit(element, scope));
        return undefined;
      case 'structExpr':
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case === 'mapKey') this.visit(entry.keyKind.value, scope);
          if (entry.value) this.visit(entry.value, scope);
        }
        return undefined;
      case 'comprehensionExpr':
        return this.comprehension(kind.value, scope);
      default:
        return undefined;
    }
  }

  private ident(name: string, scope: Scope): OpenApiSchema | undefined {
    if (name === 'oldSelf') this.usesOldSelf = true;
    if (!scope.has(name)) this.problems.push(`undeclared reference to '${name}'`);
    return scope.get(name);
  }

  private select(operand: OpenApiSchema | undefined, field: string): OpenApiSchema | undefined {
    switch (celKind(operand)) {
      case 'object': {
        const property = celProperties(operand as OpenApiSchema).find((p) => p.escaped === field);
        if (!property) this.problems.push(`undefined field '${field}'`);
        return property?.schema;
      }
      case 'map':
        return mapValues(operand as OpenApiSchema);
      case 'dyn':
        return undefined;
      default:
        this.problems.push(`type '${operand?.type}' does not support field selection`);
        return undefined;
    }
  }

  private call(call: Extract<Expr['exprKind'], { case: 'callExpr' }>['value'], scope: Scope): OpenApiSchema | undefined {
    const qualified = call.target && qualifiedName(call.target);
    if (qualified && this.env.funcs.find(`${qualified}.${call.function}`)) {
      call.args.forEach((arg) => this.visit(arg, scope));
      return undefined;
    }
    if (call.target) this.visit(call.target, scope);
    const args = call.args.map((arg) => this.visit(arg, scope));
    if (call.function === '_[_]') return index(args[0]);
    if (!PLANNER_CALLS.has(call.function)) this.checkOverload(call.function, call.target !== undefined, call.args.length);
    return undefined;
  }

  private checkOverload(name: string, isMethod: boolean, arity: number): void {
    const group = this.env.funcs.find(name);
    if (!group) {
      this.problems.push(`undeclared reference to '${name}'`);
      return;
    }
    const matches = [...group].some((func) => (func.target !== undefined) === isMethod && func.arguments.length === arity);
    if (!matches) this.problems.push(`found no matching overload for '${name}' applied to ${arity} argument(s)${isMethod ? ' as a method' : ''}`);
  }

  private comprehension(
    loop: Extract<Expr['exprKind'], { case: 'comprehensionExpr' }>['value'],
    scope: Scope,
  ): OpenApiSchema | undefined {
    const range = loop.iterRange && this.visit(loop.iterRange, scope);
    if (loop.accuInit) this.visit(loop.accuInit, scope);
    if (loop.iterVar2) this.problems.push('two-variable comprehensions are not supported by @bufbuild/cel');
    const inner = new Map(scope);
    inner.set(loop.iterVar, celKind(range) === 'list' ? range?.items : undefined); // a map's keys are strings
    inner.set(loop.accuVar, undefined);
    for (const part of [loop.loopCondition, loop.loopStep, loop.result]) if (part) this.visit(part, inner);
    return undefined;
  }
}

/** The schema of `list[i]` or `map[key]`. */
function index(operand: OpenApiSchema | undefined): OpenApiSchema | undefined {
  const kind = celKind(operand);
  if (kind === 'list') return operand?.items;
  return kind === 'map' && operand ? mapValues(operand) : undefined;
}

/** `a.b.c` for an identifier or a chain of field selections on one, as a qualified function name prefix. */
function qualifiedName(expr: Expr): string | undefined {
  const kind = expr.exprKind;
  if (kind.case === 'identExpr') return kind.value.name;
  if (kind.case !== 'selectExpr' || !kind.value.operand || kind.value.testOnly) return undefined;
  const prefix = qualifiedName(kind.value.operand);
  return prefix && `${prefix}.${kind.value.field}`;
}
