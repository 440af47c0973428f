export { admitObject } from './admit.js';
export { compiledRules } from './compile.js';
export type { BrokenRule, CompiledRule, ReadyRule, SkippedRule } from './compile.js';
export { escapeFieldName } from './escape.js';
export { evaluateValidations, runValidations } from './evaluate.js';
export type { ValidationRun } from './evaluate.js';
