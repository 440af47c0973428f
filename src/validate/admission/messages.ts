import type { ErrorObject } from 'ajv';
import type { AdmissionIssue } from './types.js';
import { LIST_TYPE_KEYWORD } from './validator.js';

/**
 * Converts ajv errors about `root` into issues worded like the API server's field errors
 * (`<path>: Required value`, `<path>: Invalid value: "x": <path> in body should match '...'`, ...).
 * Errors from inside anyOf/oneOf branches are dropped: their composite error stands for them.
 */
export function toIssues(errors: readonly ErrorObject[], root: unknown): AdmissionIssue[] {
  return errors.filter((error) => !isBranchError(error)).map((error) => toIssue(error, root));
}

/** ajv keywords whose failure the API server treats as blocking: it then skips the CEL rules. */
const BLOCKING_KEYWORDS = new Set(['required', 'type', 'enum', 'maxLength', 'maxItems', 'maxProperties']);

function toIssue(error: ErrorObject, root: unknown): AdmissionIssue {
  const issue = describeIssue(error, root);
  return BLOCKING_KEYWORDS.has(error.keyword) ? { ...issue, blocking: true } : issue;
}

function describeIssue(error: ErrorObject, root: unknown): AdmissionIssue {
  const path = fieldPath(root, error.instancePath);
  if (error.keyword === 'required') return fieldIssue(child(path, String(error.params.missingProperty)), 'Required value');
  if (error.keyword === 'additionalProperties') {
    const unknown = child(path, String(error.params.additionalProperty));
    return { path: unknown, message: `unknown field "${unknown}"` };
  }
  return fieldIssue(path, describe(error, path));
}

function fieldIssue(path: string, body: string): AdmissionIssue {
  return { path, message: `${path}: ${body}` };
}

/** The part after `<path>: `, as `field.Error.ErrorBody()` renders the API server's OpenAPI errors. */
function describe(error: ErrorObject, path: string): string {
  const { params, data } = error;
  switch (error.keyword) {
    case 'enum':
      return `Unsupported value: ${show(data)}: supported values: ${(params.allowedValues as unknown[]).map(quoteAllowed).join(', ')}`;
    case 'type':
      return invalid(jsonType(data), `${path} in body must be of type ${[params.type].flat().join(',')}: ${show(jsonType(data))}`);
    case 'format':
      return invalid(data, `${path} in body must be of type ${params.format}: ${show(data)}`);
    case 'pattern':
      return invalid(data, `${path} in body should match '${params.pattern}'`);
    case 'minLength':
      return invalid(data, `${path} in body should be at least ${params.limit} chars long`);
    case 'maxLength':
      return `Too long: may not be more than ${params.limit} bytes`;
    case 'minItems':
      return invalid(sizeOf(data), `${path} in body should have at least ${params.limit} items`);
    case 'maxItems':
    case 'maxProperties':
      return `Too many: ${sizeOf(data)}: must have at most ${params.limit} items`;
    case 'minProperties':
      return invalid(sizeOf(data), `${path} in body should have at least ${params.limit} properties`);
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum':
      return invalid(data, `${path} in body should be ${BOUNDS[error.keyword]} ${params.limit}`);
    case 'multipleOf':
      return invalid(data, `${path} in body should be a multiple of ${params.multipleOf}`);
    case 'anyOf':
      return invalid('', `"${path}" must validate at least one schema (anyOf)`);
    case 'oneOf':
      return invalid('', `"${path}" must validate one and only one schema (oneOf). ${oneOfCount(params.passingSchemas)}`);
    case 'not':
      return invalid('', `"${path}" must not validate the schema (not)`);
    case LIST_TYPE_KEYWORD:
      return `Duplicate value: ${show(params.duplicate)}`;
    default:
      return invalid(data, error.message ?? `failed ${error.keyword}`);
  }
}

const BOUNDS: Record<string, string> = {
  minimum: 'greater than or equal to',
  exclusiveMinimum: 'greater than',
  maximum: 'less than or equal to',
  exclusiveMaximum: 'less than',
};

function invalid(value: unknown, detail: string): string {
  return `Invalid value: ${show(value)}: ${detail}`;
}

function oneOfCount(passing: unknown): string {
  return Array.isArray(passing) ? `Found ${passing.length} valid alternatives` : 'Found none valid';
}

/** A value as the API server prints it in field errors: strings quoted, numbers and booleans bare, the rest as JSON. */
function show(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value ?? null);
}

/** Enum values are listed quoted, non-strings as quoted JSON. */
function quoteAllowed(value: unknown): string {
  return JSON.stringify(typeof value === 'string' ? value : JSON.stringify(value));
}

/** The OpenAPI type name of a JSON value. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function sizeOf(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  return typeof value === 'object' && value !== null ? Object.keys(value).length : 0;
}

/** True for an error raised inside an anyOf/oneOf branch (its schema path continues past the branch index). */
function isBranchError(error: ErrorObject): boolean {
  const segments = error.schemaPath.split('/').slice(1);
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment === 'properties') i++; // the next segment is a field name, not a keyword
    else if ((segment === 'anyOf' || segment === 'oneOf') && i + 1 < segments.length) return true;
  }
  return false;
}

/** Turns an ajv instance path (`/spec/rules/0/name`) into a field path (`spec.rules[0].name`). */
function fieldPath(root: unknown, instancePath: string): string {
  let path = '';
  let node = root;
  for (const raw of instancePath.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = Array.isArray(node) ? `${path}[${segment}]` : child(path, segment);
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return path;
}

function child(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}
