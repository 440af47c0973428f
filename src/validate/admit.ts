import { admitObject, type AdmissionIssue } from './admission/index.js';
import type { Diagnostic } from './diagnostic.js';

/** Code of an emitted object that the API server would refuse. */
export const ADMISSION_CODE = 'PC900';

/** Everything the API server would refuse in one object, offline: schema (with defaults), then its CEL rules. */
export function admit(obj: unknown): AdmissionIssue[] {
  return admitObject(obj);
}

/**
 * Admission of one object portcullis is about to emit, as diagnostics on the construct that emitted it,
 * so a bad value is traced to the agent or gateway it came from, not to a file in out/.
 */
export function admissionDiagnostics(obj: { kind?: unknown; metadata?: { name?: unknown } }, path: string): Diagnostic[] {
  return admit(obj).map((issue) => ({
    code: ADMISSION_CODE,
    severity: 'error',
    path,
    field: `${String(obj.kind)} ${String(obj.metadata?.name)}`,
    message: `would be rejected by the API server: ${issue.message}`,
    hint: 'fix the input value this field is made from; if the input looks right, it is a portcullis bug: please report it with the fleet',
  }));
}
