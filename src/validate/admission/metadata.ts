import type { AdmissionIssue } from './types.js';

/** Returns Kubernetes' messages for an invalid name, none when the name is valid. */
type NameCheck = (name: string) => string[];

/** Fields of `metav1.ObjectMeta`; anything else under `metadata` is an unknown field. */
const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QUALIFIED_NAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE = `(${QUALIFIED_NAME})?`;

const DNS1123_LABEL_RE = anchored(DNS1123_LABEL);
const DNS1123_SUBDOMAIN_RE = anchored(DNS1123_SUBDOMAIN);
const DNS1035_LABEL_RE = anchored(DNS1035_LABEL);
const QUALIFIED_NAME_RE = anchored(QUALIFIED_NAME);
const LABEL_VALUE_RE = anchored(LABEL_VALUE);

const DNS1123_LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_MSG = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/**
 * The checks the API server applies to every object whatever its kind: `apiVersion` and `kind` are set,
 * and `metadata` is a valid ObjectMeta (name per the kind's naming rule, namespace a DNS-1123 label,
 * label and annotation keys qualified names, label values valid label values, no unknown fields).
 */
export function checkObjectMeta(obj: Record<string, unknown>, group: string, kind: string): AdmissionIssue[] {
  const metadata = obj.metadata ?? {};
  if (!isRecord(metadata)) return [invalid('metadata', metadata, 'must be an object')];
  return [
    ...unknownFields(metadata),
    ...checkName(metadata, nameCheckFor(group, kind)),
    ...checkString(metadata, 'namespace', isDNS1123Label),
    ...checkLabels(metadata.labels),
    ...checkAnnotations(metadata.annotations),
  ];
}

/** Kubernetes validates most names as DNS-1123 subdomains; a few kinds are stricter or looser. */
function nameCheckFor(group: string, kind: string): NameCheck {
  if (group === '' && kind === 'Namespace') return isDNS1123Label;
  if (group === '' && kind === 'Service') return isDNS1035Label;
  if (group === 'rbac.authorization.k8s.io') return isPathSegmentName;
  return isDNS1123Subdomain;
}

function unknownFields(metadata: Record<string, unknown>): AdmissionIssue[] {
  return Object.keys(metadata)
    .filter((field) => !OBJECT_META_FIELDS.has(field))
    .map((field) => ({ path: `metadata.${field}`, message: `unknown field "metadata.${field}"` }));
}

function checkName(metadata: Record<string, unknown>, check: NameCheck): AdmissionIssue[] {
  if (metadata.name === undefined && metadata.generateName === undefined) {
    return [{ path: 'metadata.name', message: 'metadata.name: Required value: name or generateName is required' }];
  }
  return checkString(metadata, 'name', check);
}

function checkString(metadata: Record<string, unknown>, field: string, check: NameCheck): AdmissionIssue[] {
  const value = metadata[field];
  const path = `metadata.${field}`;
  if (value === undefined) return [];
  if (typeof value !== 'string') return [invalid(path, value, 'must be a string')];
  return check(value).map((msg) => invalid(path, value, msg));
}

function checkLabels(labels: unknown): AdmissionIssue[] {
  if (labels === undefined) return [];
  if (!isStringMap(labels)) return [invalid('metadata.labels', labels, 'must be a map of string keys to string values')];
  return Object.entries(labels).flatMap(([key, value]) => [
    ...isQualifiedName(key).map((msg) => invalid('metadata.labels', key, msg)),
    ...isLabelValue(value).map((msg) => invalid('metadata.labels', value, msg)),
  ]);
}

function checkAnnotations(annotations: unknown): AdmissionIssue[] {
  if (annotations === undefined) return [];
  if (!isStringMap(annotations)) return [invalid('metadata.annotations', annotations, 'must be a map of string keys to string values')];
  const issues = Object.keys(annotations).flatMap((key) => isQualifiedName(key.toLowerCase()).map((msg) => invalid('metadata.annotations', key, msg)));
  const size = Object.entries(annotations).reduce((total, [key, value]) => total + byteLength(key) + byteLength(value), 0);
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
    issues.push({ path: 'metadata.annotations', message: `metadata.annotations: Too long: may not be more than ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes` });
  }
  return issues;
}

function invalid(path: string, value: unknown, msg: string): AdmissionIssue {
  return { path, message: `${path}: Invalid value: ${JSON.stringify(value)}: ${msg}` };
}

/** Ports of k8s.io/apimachinery/pkg/util/validation, with the same messages. */
function isDNS1123Label(value: string): string[] {
  const errs = byteLength(value) > 63 ? [maxLenError(63)] : [];
  if (!DNS1123_LABEL_RE.test(value)) {
    errs.push(DNS1123_SUBDOMAIN_RE.test(value) ? 'must not contain dots' : regexError(DNS1123_LABEL_MSG, DNS1123_LABEL, 'my-name', '123-abc'));
  }
  return errs;
}

function isDNS1123Subdomain(value: string): string[] {
  const errs = byteLength(value) > 253 ? [maxLenError(253)] : [];
  if (!DNS1123_SUBDOMAIN_RE.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN, 'example.com'));
  return errs;
}

function isDNS1035Label(value: string): string[] {
  const errs = byteLength(value) > 63 ? [maxLenError(63)] : [];
  if (!DNS1035_LABEL_RE.test(value)) errs.push(regexError(DNS1035_LABEL_MSG, DNS1035_LABEL, 'my-name', 'abc-123'));
  return errs;
}

function isPathSegmentName(value: string): string[] {
  if (value === '.' || value === '..') return [`may not be '${value}'`];
  return ['/', '%'].filter((bad) => value.includes(bad)).map((bad) => `may not contain '${bad}'`);
}

/** A label or annotation key (k8s.io/apimachinery IsQualifiedName): the errors, none when valid. */
export function isQualifiedName(value: string): string[] {
  const parts = value.split('/');
  if (parts.length > 2) {
    return [`a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  const name = parts.length === 2 ? parts[1] : parts[0];
  const errs = parts.length === 2 ? prefixErrors(parts[0]) : [];
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (byteLength(name) > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!QUALIFIED_NAME_RE.test(name)) errs.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

function prefixErrors(prefix: string): string[] {
  if (prefix.length === 0) return ['prefix part must be non-empty'];
  return isDNS1123Subdomain(prefix).map((msg) => `prefix part ${msg}`);
}

/** A label value (IsValidLabelValue): the errors, none when valid. */
export function isLabelValue(value: string): string[] {
  const errs = byteLength(value) > 63 ? [maxLenError(63)] : [];
  if (!LABEL_VALUE_RE.test(value)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE, 'MyValue', 'my_value', '12345'));
  return errs;
}

function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** Kubernetes' RegexError wording, including its double space before "or". */
function regexError(msg: string, format: string, ...examples: string[]): string {
  return `${msg} (e.g. ${examples.map((example) => `'${example}', `).join(' or ')}regex used for validation is '${format}')`;
}

function anchored(format: string): RegExp {
  return new RegExp(`^${format}$`);
}

function byteLength(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringMap(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((entry) => typeof entry === 'string');
}
