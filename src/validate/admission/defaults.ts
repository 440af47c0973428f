import type { OpenApiSchema } from './types.js';

/**
 * Applies schema defaults in place, the way the API server does before it validates a custom
 * resource: a missing field (or a `null` one that is not `nullable`) takes the field's `default`,
 * defaults are applied inside defaulted values too, and a non-nullable `null` without a default
 * is dropped. Only the structural skeleton (properties, items, additionalProperties) is walked.
 * Done here rather than with ajv's `useDefaults`, which fills defaults only once it reaches an
 * object's `properties`, after `oneOf`/`anyOf` have already judged the undefaulted object.
 */
export function applyDefaults(value: unknown, schema: OpenApiSchema | undefined): void {
  if (!schema) return;
  if (Array.isArray(value)) defaultItems(value, schema.items);
  else if (isObject(value)) defaultFields(value, schema);
}

function defaultFields(obj: Record<string, unknown>, schema: OpenApiSchema): void {
  const properties = schema.properties ?? {};
  for (const [name, field] of Object.entries(properties)) {
    if (field.default !== undefined && (!Object.hasOwn(obj, name) || isDroppableNull(obj[name], field))) {
      obj[name] = copy(field.default);
    }
  }
  const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  for (const [name, value] of Object.entries(obj)) {
    const field = Object.hasOwn(properties, name) ? properties[name] : extra;
    if (field && isDroppableNull(value, field)) delete obj[name];
    else applyDefaults(value, field);
  }
}

function defaultItems(items: unknown[], schema: OpenApiSchema | undefined): void {
  if (!schema) return;
  items.forEach((item, i) => {
    if (schema.default !== undefined && isDroppableNull(item, schema)) items[i] = copy(schema.default);
    applyDefaults(items[i], schema);
  });
}

function isDroppableNull(value: unknown, schema: OpenApiSchema): boolean {
  return value === null && !schema.nullable;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function copy<T>(value: T): T {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}
