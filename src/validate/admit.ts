import { admitObject, type AdmissionIssue } from './admission/index.js';
import { MAX_DATA_BYTES } from './admission/core-data.js';
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
    hint: hintFor(obj, issue),
  }));
}

/** What to do about an issue: most come from an input value; an oversized ConfigMap from the fleet's size. */
function hintFor(obj: { kind?: unknown }, issue: AdmissionIssue): string {
  if ((obj.kind === 'ConfigMap' || obj.kind === 'Secret') && issue.path === '' && /Too long/.test(issue.message))
    return `a ${String(obj.kind)} holds at most ${MAX_DATA_BYTES} bytes: the runtime's contract has too many agents and egress routes for one; split the fleet into fleets with a runtime each (a runtime name or namespace of their own)`;
  return 'fix the input value this field is made from; if the input looks right, it is a portcullis bug: please report it with the fleet';
}
