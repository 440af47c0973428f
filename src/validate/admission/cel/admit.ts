import { admitStructure } from '../structural.js';
import type { AdmissionIssue } from '../types.js';
import { evaluateValidations } from './evaluate.js';

/** What the API server answers when it skipped the CEL rules because of a blocking error. */
const RULES_NOT_CHECKED =
  'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';

/**
 * Full offline admission of one object on create: the structural step (defaults, schema, metadata), then
 * the CRD's CEL rules against the defaulted object, unless a structural error blocks them, as in the API
 * server (the answer then ends with `<nil>: Invalid value: "null": some validation rules were not checked ...`).
 */
export function admitObject(obj: unknown): AdmissionIssue[] {
  const { issues, defaulted, crd } = admitStructure(obj);
  if (!crd) return issues;
  if (issues.some((i) => i.blocking)) return [...issues, { path: '', message: `<nil>: Invalid value: "null": ${RULES_NOT_CHECKED}` }];
  return [...issues, ...evaluateValidations(crd.schema, defaulted)];
}
