import { Ajv, type ErrorObject, type SchemaValidateFunction, type ValidateFunction } from 'ajv';
import { FORMATS } from './formats.js';
import type { AjvSchema } from './translate.js';

/** Keyword of the errors raised for duplicate entries of `x-kubernetes-list-type: set|map` lists. */
export const LIST_TYPE_KEYWORD = 'x-kubernetes-list-type';

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

/** The compiled validator cached under `key`, compiled from `build()` on first use. */
export function cachedValidator(key: string, build: () => AjvSchema): ValidateFunction {
  let validate = validators.get(key);
  if (!validate) {
    validate = instance().compile(build());
    validators.set(key, validate);
  }
  return validate;
}

function instance(): Ajv {
  ajv ??= createAjv();
  return ajv;
}

function createAjv(): Ajv {
  const created = new Ajv({
    allErrors: true,
    strict: false,
    verbose: true, // errors carry the offending value, which API-server messages quote
    messages: false, // messages are worded by messages.ts
    validateSchema: false, // translated schemas are well-formed; checking them would only cost time
    addUsedSchema: false,
    inlineRefs: false, // shared subschemas (see share.ts) are compiled once and called
    code: { optimize: false }, // compiles the large CRD schemas about 3x faster; validation speed is unchanged
  });
  for (const [name, format] of Object.entries(FORMATS)) created.addFormat(name, format);
  created.addKeyword({ keyword: 'x-kubernetes-validations' }); // CEL rules: evaluated by a separate step
  created.addKeyword({ keyword: 'x-kubernetes-list-map-keys' }); // read by the list-type keyword
  created.addKeyword({ keyword: LIST_TYPE_KEYWORD, type: 'array', schemaType: 'string', errors: true, validate: checkListType });
  return created;
}

/**
 * `x-kubernetes-list-type`: entries of a `set` must be unique, entries of a `map` must have unique
 * `x-kubernetes-list-map-keys`. Each duplicate is reported at its own index with `params.duplicate`.
 */
const checkListType: SchemaValidateFunction = (listType: string, items: unknown[], parent, cxt) => {
  const keyOf = listKey(listType, parent?.['x-kubernetes-list-map-keys'] as string[] | undefined);
  if (!keyOf) return true;
  const errors: Partial<ErrorObject>[] = [];
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const key = keyOf(item);
    const id = JSON.stringify(key);
    if (seen.has(id)) errors.push({ keyword: LIST_TYPE_KEYWORD, instancePath: `${cxt?.instancePath ?? ''}/${i}`, params: { duplicate: key } });
    seen.add(id);
  });
  checkListType.errors = errors;
  return errors.length === 0;
};

/** The identity of a list entry: the whole value for sets, the key fields for maps, none for atomic lists. */
function listKey(listType: string, mapKeys: string[] | undefined): ((item: unknown) => unknown) | undefined {
  if (listType === 'set') return (item) => item;
  if (listType !== 'map' || !mapKeys) return undefined;
  return (item) => {
    const fields = (item ?? {}) as Record<string, unknown>;
    return Object.fromEntries(mapKeys.filter((key) => fields[key] !== undefined).map((key) => [key, fields[key]]));
  };
}
