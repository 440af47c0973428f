import { type CelInput, celList, celMap } from '@bufbuild/cel';
import type { OpenApiSchema } from '../types.js';
import { celKind, celProperties, mapValues } from './schema.js';

/** Converted values of one object, by the identity of its JSON objects and arrays (and their schema). */
export type ValueMemo = Map<object, { schema: OpenApiSchema | undefined; converted: CelInput }>;

/**
 * The CEL value the API server binds to `self` for the JSON `value` under `schema`: objects become maps
 * keyed by escaped property names (only properties the schema declares), maps keep their keys, lists stay
 * lists, integers become ints (bigint), `number`s doubles, `byte` strings bytes. Dynamic values
 * (int-or-string, preserve-unknown-fields) are converted by their JSON shape, whole numbers as ints.
 * Objects and arrays are converted once per `memo`, so rules on nested nodes reuse their ancestors' work.
 */
export function toCelValue(value: unknown, schema: OpenApiSchema | undefined, memo: ValueMemo): CelInput {
  if (typeof value !== 'object' || value === null) return scalar(value, schema);
  const cached = memo.get(value);
  if (cached && cached.schema === schema) return cached.converted;
  const converted = Array.isArray(value) ? list(value, schema, memo) : object(value as Record<string, unknown>, schema, memo);
  memo.set(value, { schema, converted });
  return converted;
}

function list(items: unknown[], schema: OpenApiSchema | undefined, memo: ValueMemo): CelInput {
  const itemSchema = celKind(schema) === 'list' ? schema?.items : undefined;
  return celList(items.map((item) => toCelValue(item, itemSchema, memo)));
}

function object(fields: Record<string, unknown>, schema: OpenApiSchema | undefined, memo: ValueMemo): CelInput {
  const entries = new Map<string, CelInput>();
  const kind = celKind(schema);
  if (kind === 'object' && schema) {
    for (const { name, escaped, schema: child } of celProperties(schema)) {
      const field = fields[name];
      if (field !== undefined && (field !== null || child.nullable)) entries.set(escaped, toCelValue(field, child, memo));
    }
  } else {
    const values = kind === 'map' && schema ? mapValues(schema) : undefined;
    for (const [key, field] of Object.entries(fields)) entries.set(key, toCelValue(field, values, memo));
  }
  return celMap(entries);
}

function scalar(value: unknown, schema: OpenApiSchema | undefined): CelInput {
  if (typeof value === 'number') return celKind(schema) === 'double' || !Number.isInteger(value) ? value : BigInt(value);
  if (typeof value === 'string' && celKind(schema) === 'bytes') return Uint8Array.from(Buffer.from(value, 'base64'));
  return value as CelInput;
}
