import type { OpenApiSchema } from '../types.js';
import { escapeFieldName } from './escape.js';

/**
 * How CEL sees a schema node, as the API server types it: an object with properties is a message-like
 * object, an object with additionalProperties a map, `integer` an int, `number` a double, a `byte`-format
 * string bytes; int-or-string, preserve-unknown-fields and untyped nodes are dynamic.
 */
export type CelKind = 'object' | 'map' | 'list' | 'int' | 'double' | 'string' | 'bytes' | 'bool' | 'dyn';

/** A property of an object schema as CEL reaches it. */
export interface CelProperty {
  name: string;
  /** The escaped name rules use, e.g. `__namespace__` for `namespace`. */
  escaped: string;
  schema: OpenApiSchema;
}

const propertyCache = new WeakMap<OpenApiSchema, CelProperty[]>();
const ruleCache = new WeakMap<OpenApiSchema, boolean>();

/** The CEL kind of `schema` (see {@link CelKind}). */
export function celKind(schema: OpenApiSchema | undefined): CelKind {
  if (!schema || schema['x-kubernetes-int-or-string']) return 'dyn';
  switch (schema.type) {
    case 'object':
      if (schema.properties) return 'object';
      return typeof schema.additionalProperties === 'object' ? 'map' : 'dyn';
    case 'array':
      return 'list';
    case 'integer':
      return 'int';
    case 'number':
      return 'double';
    case 'boolean':
      return 'bool';
    case 'string':
      return schema.format === 'byte' ? 'bytes' : 'string';
    default:
      return 'dyn';
  }
}

/** The properties of an object schema that rules can reach (names CEL cannot spell are left out). */
export function celProperties(schema: OpenApiSchema): readonly CelProperty[] {
  let properties = propertyCache.get(schema);
  if (!properties) {
    properties = Object.entries(schema.properties ?? {}).flatMap(([name, child]) => {
      const escaped = escapeFieldName(name);
      return escaped === undefined ? [] : [{ name, escaped, schema: child }];
    });
    propertyCache.set(schema, properties);
  }
  return properties;
}

/** The schema of a map's values, when `schema` is a map. */
export function mapValues(schema: OpenApiSchema): OpenApiSchema | undefined {
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

/** Whether `schema` or any schema below it (properties, items, additionalProperties) carries rules. */
export function hasRulesBelow(schema: OpenApiSchema): boolean {
  let found = ruleCache.get(schema);
  if (found === undefined) {
    const values = mapValues(schema);
    found =
      (schema['x-kubernetes-validations']?.length ?? 0) > 0 ||
      Object.values(schema.properties ?? {}).some(hasRulesBelow) ||
      (schema.items !== undefined && hasRulesBelow(schema.items)) ||
      (values !== undefined && hasRulesBelow(values));
    ruleCache.set(schema, found);
  }
  return found;
}
