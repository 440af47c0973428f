import { FORMATS } from './formats.js';
import { shareRepeatedSubschemas } from './share.js';
import type { OpenApiSchema } from './types.js';

/** A JSON-schema (draft-07 flavour) object as compiled by ajv. */
export type AjvSchema = Record<string, unknown>;

/** Value validations copied verbatim: same meaning in OpenAPI v3 and in ajv. */
const COPIED_KEYWORDS = [
  'required',
  'pattern',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'minimum',
  'maximum',
  'multipleOf',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-validations',
] as const;

/** Where a node sits: the structural skeleton (it declares fields) or inside anyOf/allOf/oneOf/not (it only constrains values). */
type Place = 'skeleton' | 'junctor';

/** Options for {@link toAjvSchema}. */
export interface TranslateOptions {
  /** Skip `status` (the API server ignores it on create when the status subresource is on). */
  ignoreStatus: boolean;
}

/**
 * Translates a CRD's `openAPIV3Schema` into an ajv schema with Kubernetes structural-schema semantics:
 * unknown fields are rejected wherever the skeleton does not allow them, `nullable` adds `null`,
 * `x-kubernetes-int-or-string` accepts integers and strings, `x-kubernetes-embedded-resource` allows
 * apiVersion/kind/metadata, unknown formats are dropped, and `default`/descriptions are left out
 * (defaults are applied beforehand, see `defaults.ts`). The root `metadata` is left to the light check.
 * Repeated subschemas are shared through `$ref` (see `share.ts`).
 */
export function toAjvSchema(root: OpenApiSchema, options: TranslateOptions): AjvSchema {
  const schema = translate(root, 'skeleton');
  const properties = { ...(schema.properties as Record<string, AjvSchema> | undefined) };
  properties.metadata = {};
  if (options.ignoreStatus) properties.status = {};
  return shareRepeatedSubschemas({ ...schema, properties });
}

function translate(node: OpenApiSchema, place: Place): AjvSchema {
  const out: AjvSchema = {};
  const type = typeOf(node);
  if (type !== undefined) out.type = type;
  if (node.format !== undefined && Object.hasOwn(FORMATS, node.format)) out.format = node.format;
  if (node.enum !== undefined) out.enum = node.nullable ? [...node.enum, null] : node.enum;
  for (const keyword of COPIED_KEYWORDS) {
    if (node[keyword] !== undefined) out[keyword] = node[keyword];
  }
  copyExclusiveBounds(node, out);
  translateJunctors(node, out);
  translateChildren(node, place, out);
  if (place === 'skeleton') closeObject(node, out);
  return out;
}

function typeOf(node: OpenApiSchema): string | string[] | undefined {
  const base = node['x-kubernetes-int-or-string'] ? ['integer', 'string'] : node.type;
  if (base === undefined || !node.nullable) return base;
  return [...(Array.isArray(base) ? base : [base]), 'null'];
}

/** OpenAPI v3.0 spells exclusive bounds as booleans next to minimum/maximum; draft-07 wants numbers. */
function copyExclusiveBounds(node: OpenApiSchema, out: AjvSchema): void {
  if (node.exclusiveMinimum && node.minimum !== undefined) {
    out.exclusiveMinimum = node.minimum;
    delete out.minimum;
  }
  if (node.exclusiveMaximum && node.maximum !== undefined) {
    out.exclusiveMaximum = node.maximum;
    delete out.maximum;
  }
}

function translateJunctors(node: OpenApiSchema, out: AjvSchema): void {
  const anyOf = node['x-kubernetes-int-or-string'] && isIntOrStringAnyOf(node.anyOf) ? undefined : node.anyOf;
  if (anyOf) out.anyOf = anyOf.map((branch) => translate(branch, 'junctor'));
  if (node.allOf) out.allOf = node.allOf.map((branch) => translate(branch, 'junctor'));
  if (node.oneOf) out.oneOf = node.oneOf.map((branch) => translate(branch, 'junctor'));
  if (node.not) out.not = translate(node.not, 'junctor');
}

/** `anyOf: [{type: integer}, {type: string}]`, which controller-gen writes next to `x-kubernetes-int-or-string`. */
function isIntOrStringAnyOf(anyOf: OpenApiSchema[] | undefined): boolean {
  return anyOf?.length === 2 && anyOf.every((branch) => Object.keys(branch).length === 1 && (branch.type === 'integer' || branch.type === 'string'));
}

function translateChildren(node: OpenApiSchema, place: Place, out: AjvSchema): void {
  if (node.properties) {
    out.properties = Object.fromEntries(Object.entries(node.properties).map(([name, child]) => [name, translate(child, place)]));
  }
  if (node.items) out.items = translate(node.items, place);
  if (typeof node.additionalProperties === 'object') out.additionalProperties = translate(node.additionalProperties, place);
  else if (node.additionalProperties !== undefined) out.additionalProperties = node.additionalProperties;
}

/**
 * Structural rule: an object node of the skeleton keeps only the fields it declares, unless it has
 * `additionalProperties` or `x-kubernetes-preserve-unknown-fields`. The API server prunes the others;
 * with strict field validation they are errors, which is what ajv reports for `additionalProperties: false`.
 */
function closeObject(node: OpenApiSchema, out: AjvSchema): void {
  const isObject = node.type === 'object' || node.properties !== undefined;
  if (!isObject || node.additionalProperties !== undefined || node['x-kubernetes-preserve-unknown-fields']) return;
  if (node['x-kubernetes-embedded-resource']) {
    out.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...(out.properties as AjvSchema | undefined) };
  }
  out.additionalProperties = false;
}
