import { type CrdVersion, crdKinds, findCrd, isCrdGroup } from './crds.js';
import { applyDefaults } from './defaults.js';
import { toIssues } from './messages.js';
import { checkObjectMeta } from './metadata.js';
import { checkCoreData } from './core-data.js';
import { toAjvSchema } from './translate.js';
import type { AdmissionIssue, OpenApiSchema } from './types.js';
import { cachedValidator } from './validator.js';

/** The group, version and kind of an object, read from its `apiVersion` and `kind`. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** Outcome of {@link admitStructure}. */
export interface StructuralAdmission {
  /** Every structural issue found; empty when the object would be admitted (CEL rules aside). */
  issues: AdmissionIssue[];
  /**
   * A deep copy of the object as the API server would store it: schema defaults applied, non-nullable
   * `null`s without a default dropped, and `status` dropped when the status subresource is on.
   * This is the object CEL rules see. For an input that is not an object, the input itself.
   */
  defaulted: unknown;
  /** The CRD version the object was checked against; absent for kinds without a vendored CRD. */
  crd?: GroupVersionKind & { schema: OpenApiSchema };
}

/**
 * Structural admission of one Kubernetes object, offline: what the API server checks before CEL rules.
 * Objects of a group with vendored CRDs (Gateway API, Envoy Gateway, Envoy AI Gateway) are defaulted and
 * validated against the CRD schema of their served version; objects of other groups (core, apps, ...)
 * get the light check only: apiVersion, kind and metadata. The input is never modified.
 */
export function admitStructure(obj: unknown): StructuralAdmission {
  if (!isRecord(obj)) return { issues: [{ path: '', message: `expected a Kubernetes object, got ${describeType(obj)}` }], defaulted: obj };
  const defaulted = JSON.parse(JSON.stringify(obj)) as Record<string, unknown>; // the manifest as it would be sent
  const { gvk, issues } = readTypeMeta(defaulted);
  issues.push(...checkObjectMeta(defaulted, gvk?.group ?? '', gvk?.kind ?? ''), ...checkCoreData(defaulted, gvk?.group ?? '', gvk?.kind ?? ''));
  if (!gvk || !isCrdGroup(gvk.group)) return { issues, defaulted };
  const version = resolveVersion(gvk);
  if ('message' in version) return { issues: [...issues, version], defaulted };
  issues.push(...checkAgainstSchema(defaulted, gvk, version));
  return { issues, defaulted, crd: { ...gvk, schema: version.schema } };
}

/** The structural issues of one Kubernetes object (see {@link admitStructure}). */
export function validateStructure(obj: unknown): AdmissionIssue[] {
  return admitStructure(obj).issues;
}

/** Splits `apiVersion` (`group/version`, or `version` for the core group) and reads `kind`. */
function readTypeMeta(obj: Record<string, unknown>): { gvk?: GroupVersionKind; issues: AdmissionIssue[] } {
  const { apiVersion, kind } = obj;
  const issues: AdmissionIssue[] = [];
  if (typeof apiVersion !== 'string' || apiVersion === '') issues.push({ path: 'apiVersion', message: 'apiVersion: Required value' });
  if (typeof kind !== 'string' || kind === '') issues.push({ path: 'kind', message: 'kind: Required value' });
  if (issues.length > 0) return { issues };
  const parts = String(apiVersion).split('/');
  if (parts.length > 2 || parts.some((part) => part === '')) {
    const message = `apiVersion: Invalid value: ${JSON.stringify(apiVersion)}: must be "version" or "group/version"`;
    return { issues: [{ path: 'apiVersion', message }] };
  }
  const [group, version] = parts.length === 2 ? parts : ['', parts[0]];
  return { gvk: { group, version, kind: String(kind) }, issues };
}

/** The served CRD version for `gvk`, or the issue explaining why there is none. */
function resolveVersion(gvk: GroupVersionKind): CrdVersion | AdmissionIssue {
  const apiVersion = JSON.stringify(`${gvk.group}/${gvk.version}`);
  const noMatch = `no matches for kind ${JSON.stringify(gvk.kind)} in version ${apiVersion}`;
  const crd = findCrd(gvk.group, gvk.kind);
  if (!crd) {
    const message = `kind: Invalid value: ${JSON.stringify(gvk.kind)}: ${noMatch} (kinds in ${gvk.group}: ${crdKinds(gvk.group).join(', ')})`;
    return { path: 'kind', message };
  }
  const served = crd.versions.filter((version) => version.served);
  const match = served.find((version) => version.name === gvk.version);
  if (match) return match;
  const names = served.map((version) => version.name).join(', ');
  return { path: 'apiVersion', message: `apiVersion: Invalid value: ${apiVersion}: ${noMatch} (served versions: ${names})` };
}

/** Defaults `obj` in place, as the API server does on create, then validates it against the version's schema. */
function checkAgainstSchema(obj: Record<string, unknown>, gvk: GroupVersionKind, version: CrdVersion): AdmissionIssue[] {
  if (version.statusSubresource) delete obj.status;
  applyDefaults(obj, version.schema);
  const validate = cachedValidator(`${gvk.group}/${gvk.version}/${gvk.kind}`, () =>
    toAjvSchema(version.schema, { ignoreStatus: version.statusSubresource }),
  );
  return validate(obj) ? [] : toIssues(validate.errors ?? [], obj);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}
