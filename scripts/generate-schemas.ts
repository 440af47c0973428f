/**
 * Writes schemas/fleet.schema.json, the published JSON Schema of the YAML front end, from the zod
 * `Fleet` model (the single source of truth), and schemas/runtime.schema.json, the JSON Schema of the
 * runtime contract (src/contract). `npm run schemas` runs it; tests fail when a committed file differs
 * from a fresh generation, so neither can go stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { RUNTIME_API_VERSION, runtimeConfigJsonSchema } from '../src/contract/index.js';
import { API_VERSION, Fleet } from '../src/model/index.js';

export const FLEET_SCHEMA_FILE = fileURLToPath(new URL('../schemas/fleet.schema.json', import.meta.url));
export const FLEET_SCHEMA_ID = `https://portcullis.dev/schemas/${API_VERSION.split('/')[1]}/fleet.schema.json`;
export const RUNTIME_SCHEMA_FILE = fileURLToPath(new URL('../schemas/runtime.schema.json', import.meta.url));

/** Keywords first in this order, then any other keyword alphabetically; property names keep model order. */
const KEYWORD_ORDER = [
  '$schema', '$id', '$ref', 'title', 'description', 'type', 'const', 'enum', 'format', 'pattern',
  'minLength', 'maxLength', 'minimum', 'exclusiveMinimum', 'maximum', 'exclusiveMaximum',
  'minItems', 'maxItems', 'items', 'prefixItems', 'properties', 'propertyNames', 'patternProperties',
  'additionalProperties', 'required', 'oneOf', 'anyOf', 'allOf', 'not', 'default', '$defs',
];
/** Keywords whose value is a map of user names (properties), not of keywords. */
const NAME_MAPS = new Set(['properties', 'patternProperties', '$defs']);

function rank(key: string): number {
  const i = KEYWORD_ORDER.indexOf(key);
  return i < 0 ? KEYWORD_ORDER.length : i;
}

function ordered(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(ordered);
  if (typeof schema !== 'object' || schema === null) return schema;
  const keys = Object.keys(schema).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const record = schema as Record<string, unknown>;
  return Object.fromEntries(
    keys.map((k) => {
      const v = record[k];
      const isNameMap = NAME_MAPS.has(k) && typeof v === 'object' && v !== null && !Array.isArray(v);
      return [k, isNameMap ? Object.fromEntries(Object.entries(v).map(([n, s]) => [n, ordered(s)])) : k === 'default' || k === 'const' || k === 'enum' ? v : ordered(v)];
    }),
  );
}

/** The JSON Schema of the fleet as a user writes it: fields with a default are optional. */
export function fleetJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(Fleet, { io: 'input', target: 'draft-2020-12' });
  return ordered({
    ...generated,
    $id: FLEET_SCHEMA_ID,
    title: 'Portcullis Fleet',
    description:
      'A fleet of AI agents behind their ingress gateways, for `portcullis synth -f`. Generated from src/model by `npm run schemas`: do not edit.',
  }) as Record<string, unknown>;
}

/** The file's exact text: two-space JSON with a trailing newline. */
export function renderFleetSchema(): string {
  return `${JSON.stringify(fleetJsonSchema(), null, 2)}\n`;
}

/** The runtime contract's schema file, for the ConfigMap's readers and editors. */
export function renderRuntimeSchema(): string {
  const schema = ordered({
    ...runtimeConfigJsonSchema(),
    $id: `https://portcullis.dev/schemas/${RUNTIME_API_VERSION.split('/').slice(1).join('/')}/runtime.schema.json`,
    title: 'Portcullis runtime contract',
    description: 'What the compiler writes to the runtime ConfigMap (runtime.json). Generated from src/contract by `npm run schemas`: do not edit.',
  });
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(FLEET_SCHEMA_FILE, renderFleetSchema());
  writeFileSync(RUNTIME_SCHEMA_FILE, renderRuntimeSchema());
  process.stdout.write(`wrote ${FLEET_SCHEMA_FILE} and ${RUNTIME_SCHEMA_FILE}\n`);
}
