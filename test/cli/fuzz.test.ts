import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { mutate, mutations, paths, type Json } from '../support/mutate.js';
import { EXAMPLE_YAML, ROOT, readTree, removeTempDirs, run, tempDir, writeTemp } from './helpers.js';

// `portcullis synth` on a fleet broken at random (the example's, or a rule fixture's): whatever the input, the answer is a manifest
// set that passed every check (exit 0) or diagnostics with their codes (exit 1); never an internal error.
// FUZZ_RUNS=N tries N broken fleets instead of 80 (a longer hunt, by hand).
const RUNS = Number(process.env.FUZZ_RUNS ?? 80);

const example = parse(readFileSync(EXAMPLE_YAML, 'utf8')) as Json;
/** Fleets to break: the example, and every rule fixture (each a feature in a few lines: tiers, mTLS, per-tenant keys, …). */
const RULE_FIXTURES = join(ROOT, 'test', 'fixtures', 'rules');
const fleets = [example, ...readdirSync(RULE_FIXTURES).sort().map((d) => parse(readFileSync(join(RULE_FIXTURES, d, 'input.yaml'), 'utf8')) as Json)];

/** Every object synth wrote for the example (out/, committed). */
const manifests = [...readTree(join(ROOT, 'out')).entries()]
  .filter(([file]) => file.endsWith('.yaml'))
  .flatMap(([, text]) => parseAllDocuments(text).map((d) => d.toJSON() as Json))
  .filter((doc) => paths(doc).length > 0);

afterAll(removeTempDirs, 300_000); // a long hunt (FUZZ_RUNS) leaves thousands

describe('portcullis synth on a randomly broken fleet', () => {
  it('answers with manifests or with coded diagnostics, never an internal error', async () => {
    const outcomes = { ok: 0, problems: 0 };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...fleets).chain((fleet) => fc.tuple(fc.constant(fleet), mutations(fleet))), async ([fleet, edits]) => {
        const file = writeTemp('fleet.yaml', stringify(mutate(fleet, edits)));
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

describe('portcullis explain on a randomly broken fleet', () => {
  it('explains an agent, or says what is wrong, never an internal error', async () => {
    const agents = (example as { agents: { namespace: string; name: string }[] }).agents.map((a) => `${a.namespace}/${a.name}`);
    const outcomes = { ok: 0, problems: 0 };
    await fc.assert(
      fc.asyncProperty(mutations(example), fc.constantFrom(...agents), fc.boolean(), async (edits, agent, json) => {
        const file = writeTemp('fleet.yaml', stringify(mutate(example, edits)));
        const r = await run(['explain', '-f', file, agent, ...(json ? ['--json'] : [])]);
        expect(r.stderr, 'an internal error').not.toContain('internal error');
        // 2: the edit renamed or removed that agent
        expect([0, 1, 2], `exit ${r.code}: ${r.stderr}`).toContain(r.code);
        if (r.code === 0) {
          if (json) expect(() => JSON.parse(r.stdout)).not.toThrow();
          expect(r.stdout).toContain(agent.split('/')[1]);
          outcomes.ok++;
        } else {
          expect(r.stderr.length).toBeGreaterThan(0);
          expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
          outcomes.problems++;
        }
      }),
      { numRuns: RUNS },
    );
    expect(outcomes.problems).toBeGreaterThan(0);
    expect(outcomes.ok).toBeGreaterThan(0);
  }, 120_000 + RUNS * 1000);
});

describe('portcullis validate on a randomly broken manifest', () => {
  it('answers with the problems as JSON, or none, never an internal error', async () => {
    const outcomes = { ok: 0, problems: 0 };
    const broken = fc.constantFrom(...manifests).chain((doc) => fc.tuple(fc.constant(doc), mutations(doc)));
    await fc.assert(
      fc.asyncProperty(broken, async ([doc, edits]) => {
        const r = await run(['validate', '--json', writeTemp('object.yaml', stringify(mutate(doc, edits)))]);
        expect(r.stderr, 'an internal error').toBe('');
        expect([0, 1], `exit ${r.code}`).toContain(r.code);
        const problems = JSON.parse(r.stdout) as { message: string; path: string }[];
        expect(problems.length > 0).toBe(r.code === 1);
        for (const p of problems) expect(p.message.length).toBeGreaterThan(0);
        outcomes[r.code === 0 ? 'ok' : 'problems']++;
      }),
      { numRuns: RUNS * 2 },
    );
    expect(outcomes.problems).toBeGreaterThan(0);
    expect(outcomes.ok).toBeGreaterThan(0);
  }, 120_000 + RUNS * 1000);
});
