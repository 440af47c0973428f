import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE_YAML, readTree, removeTempDirs, run, tempDir, writeTemp } from './helpers.js';

// `portcullis synth` on the example fleet broken at random: whatever the input, the answer is a manifest
// set that passed every check (exit 0) or diagnostics with their codes (exit 1); never an internal error.
// FUZZ_RUNS=N tries N broken fleets instead of 80 (a longer hunt, by hand).
const RUNS = Number(process.env.FUZZ_RUNS ?? 80);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

const example = parse(readFileSync(EXAMPLE_YAML, 'utf8')) as Json;

/** Every path into the document (objects' keys, arrays' indexes), the root excluded. */
function paths(doc: Json, prefix: Path = []): Path[] {
  if (doc === null || typeof doc !== 'object') return [];
  const entries: [string | number, Json][] = Array.isArray(doc) ? doc.map((v, i) => [i, v]) : Object.entries(doc);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
}
const ALL = paths(example);

/** Every string value of the document: names, references, hosts. */
const strings = [...new Set(ALL.map((p) => p.reduce<Json>((v, k) => (v as Record<string | number, Json>)[k] as Json, example)).filter((v): v is string => typeof v === 'string'))];

/**
 * What a careless edit puts in a field: another of the document's own strings (a name where another was
 * meant: the edits most likely to pass the schema and reach the compiler), another type, an empty value, a
 * string of odd characters, a far-out number.
 */
const junk: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(...strings),
  fc.constantFrom<Json>(null, true, false, 0, -1, 1e12, 0.5, '', ' ', '*', '../x', 'UPPER', 'a'.repeat(300), [], {}, [null], { x: 1 }),
  fc.string({ maxLength: 40 }),
  fc.integer(),
);

type Mutation = { path: Path; kind: 'delete' | 'replace' | 'duplicate'; value: Json };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.constantFrom(...ALL),
  kind: fc.constantFrom('delete', 'replace', 'duplicate'),
  value: junk,
});

function mutate(doc: Json, mutations: readonly Mutation[]): Json {
  const copy = structuredClone(doc);
  for (const { path, kind, value } of mutations) {
    let parent: Json = copy;
    for (const k of path.slice(0, -1)) {
      if (parent === null || typeof parent !== 'object') break;
      parent = (parent as Record<string | number, Json>)[k] as Json;
    }
    if (parent === null || typeof parent !== 'object') continue; // an earlier mutation removed the way there
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

afterAll(removeTempDirs);

describe('portcullis synth on a randomly broken fleet', () => {
  it('answers with manifests or with coded diagnostics, never an internal error', async () => {
    const outcomes = { ok: 0, problems: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        const file = writeTemp('fleet.yaml', stringify(mutate(example, mutations)));
        const out = join(tempDir(), 'out');
        const r = await run(['synth', '-f', file, '-o', out]);
        expect(r.stderr, 'an internal error').not.toContain('internal error');
        expect([0, 1], `exit ${r.code}: ${r.stderr}`).toContain(r.code);
        if (r.code === 0) {
          outcomes.ok++;
          expect(readTree(out).size).toBeGreaterThan(0);
        } else {
          outcomes.problems++;
          // each problem names its code, and none is told as a stack trace
          expect(r.stdout + r.stderr).toMatch(/\bPC\d{3}\b/);
          expect(r.stdout + r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
        }
      }),
      { numRuns: RUNS },
    );
    // the mutations reach both outcomes: some break the fleet, some leave it valid
    expect(outcomes.problems).toBeGreaterThan(0);
    expect(outcomes.ok).toBeGreaterThan(0);
  }, 120_000 + RUNS * 1000);
});
