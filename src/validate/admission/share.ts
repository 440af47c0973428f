import type { AjvSchema } from './translate.js';

/** Subschemas smaller than this (in JSON characters) are cheaper to inline than to call. */
const MIN_SHARED_SIZE = 2000;

/**
 * Moves skeleton subschemas that occur more than once into `definitions` and refers to them with `$ref`,
 * so that ajv (with `inlineRefs: false`) compiles each of them once. The Envoy Gateway CRDs repeat large
 * blocks (backendRefs, backendSettings, ...) several times; sharing them halves the compile time of the
 * largest schemas. Junctor branches are left as they are.
 */
export function shareRepeatedSubschemas(root: AjvSchema): AjvSchema {
  const counts = new Map<string, number>();
  const count = (node: AjvSchema): void => {
    const key = JSON.stringify(node);
    if (key.length >= MIN_SHARED_SIZE) counts.set(key, (counts.get(key) ?? 0) + 1);
    children(node).forEach(count);
  };
  children(root).forEach(count);
  const names = new Map([...counts].filter(([, n]) => n > 1).map(([key], i) => [key, `shared${i}`]));
  if (names.size === 0) return root;
  const definitions: Record<string, AjvSchema> = {};
  const share = (node: AjvSchema): AjvSchema => {
    const name = names.get(JSON.stringify(node));
    if (name === undefined) return mapChildren(node, share);
    definitions[name] ??= mapChildren(node, share);
    return { $ref: `#/definitions/${name}` };
  };
  return { ...mapChildren(root, share), definitions };
}

/** The skeleton children of `node`: its properties, items and additionalProperties schemas. */
function children(node: AjvSchema): AjvSchema[] {
  const properties = Object.values((node.properties ?? {}) as Record<string, AjvSchema>);
  return [...properties, node.items, node.additionalProperties].filter(isSchema);
}

/** A copy of `node` with `change` applied to its skeleton children (properties, items, additionalProperties). */
function mapChildren(node: AjvSchema, change: (child: AjvSchema) => AjvSchema): AjvSchema {
  const out = { ...node };
  const properties = node.properties as Record<string, AjvSchema> | undefined;
  if (properties) out.properties = Object.fromEntries(Object.entries(properties).map(([name, child]) => [name, change(child)]));
  if (isSchema(node.items)) out.items = change(node.items);
  if (isSchema(node.additionalProperties)) out.additionalProperties = change(node.additionalProperties);
  return out;
}

function isSchema(value: unknown): value is AjvSchema {
  return typeof value === 'object' && value !== null;
}
