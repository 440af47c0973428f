import fc from 'fast-check';

/**
 * Random careless edits of a JSON document, for fuzzing what reads user input: a field deleted, replaced by
 * junk or by another of the document's own strings, an array entry duplicated.
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Path = (string | number)[];
export interface Mutation {
  readonly path: Path;
  readonly kind: 'delete' | 'replace' | 'duplicate';
  readonly value: Json;
}

/** Every path into the document (objects' keys, arrays' indexes), the root excluded. */
export function paths(doc: Json, prefix: Path = []): Path[] {
  if (doc === null || typeof doc !== 'object') return [];
  const entries: [string | number, Json][] = Array.isArray(doc) ? doc.map((v, i) => [i, v]) : Object.entries(doc);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
}

const at = (doc: Json, path: Path): Json => path.reduce<Json>((v, k) => (v as Record<string | number, Json>)[k] as Json, doc);

/**
 * One to three edits of `doc`. What an edit puts in a field: another of the document's own strings (a name
 * where another was meant: the edits most likely to pass a schema and reach what comes after it), another
 * type, an empty value, a string of odd characters, a far-out number.
 */
export function mutations(doc: Json): fc.Arbitrary<Mutation[]> {
  const all = paths(doc);
  const strings = [...new Set(all.map((p) => at(doc, p)).filter((v): v is string => typeof v === 'string'))];
  const junk: fc.Arbitrary<Json> = fc.oneof(
    strings.length > 0 ? fc.constantFrom(...strings) : fc.constant(''),
    fc.constantFrom<Json>(null, true, false, 0, -1, 1e12, 0.5, '', ' ', '*', '../x', 'UPPER', 'a'.repeat(300), [], {}, [null], { x: 1 }),
    // header names a header field must not take, or must take in any case
    fc.constantFrom<Json>('host', 'authorization', 'x-envoy-internal', 'x-forwarded-client-cert', 'X-Mixed-Case', ':path'),
    fc.string({ maxLength: 40 }),
    fc.integer(),
  );
  const one = fc.record({ path: fc.constantFrom(...all), kind: fc.constantFrom('delete' as const, 'replace' as const, 'duplicate' as const), value: junk });
  return fc.array(one, { minLength: 1, maxLength: 3 });
}

/** A copy of `doc` with the edits applied in order (an edit whose place an earlier one removed is skipped). */
export function mutate(doc: Json, edits: readonly Mutation[]): Json {
  const copy = structuredClone(doc);
  for (const { path, kind, value } of edits) {
    let parent: Json = copy;
    for (const k of path.slice(0, -1)) {
      if (parent === null || typeof parent !== 'object') break;
      parent = (parent as Record<string | number, Json>)[k] as Json;
    }
    if (parent === null || typeof parent !== 'object') continue;
    const last = path.at(-1)!;
    if (Array.isArray(parent) && typeof last === 'number') {
      if (last >= parent.length) continue;
      if (kind === 'delete') parent.splice(last, 1);
      else if (kind === 'duplicate') parent.splice(last, 0, structuredClone(parent[last]!));
      else parent[last] = value;
    } else if (!Array.isArray(parent)) {
      if (kind === 'delete') delete parent[last];
      else parent[last] = kind === 'duplicate' && Array.isArray(parent[last]) ? [...(parent[last] as Json[]), ...(parent[last] as Json[])] : value;
    }
  }
  return copy;
}
