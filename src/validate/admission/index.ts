export { admitStructure, validateStructure } from './structural.js';
export type { GroupVersionKind, StructuralAdmission } from './structural.js';
export { findCrd } from './crds.js';
export type { Crd, CrdVersion } from './crds.js';
export type { AdmissionIssue, CrdValidationRule, OpenApiSchema } from './types.js';
export { admitObject, compiledRules, escapeFieldName, evaluateValidations, runValidations } from './cel/index.js';
export type { BrokenRule, CompiledRule, ReadyRule, SkippedRule, ValidationRun } from './cel/index.js';
