import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, run } from './helpers.js';

const DIR = join(ROOT, 'test', 'fixtures', 'admission');
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => ({ file: join(DIR, f), expected: JSON.parse(readFileSync(join(DIR, f.replace(/\.yaml$/, '.expected.json')), 'utf8')) as { valid: boolean; errors?: string[] } }));

describe('portcullis validate on the admission fixture suite', () => {
  it('has at least 60 invalid and 30 valid cases', () => {
    expect(cases.filter((c) => !c.expected.valid).length).toBeGreaterThanOrEqual(60);
    expect(cases.filter((c) => c.expected.valid).length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases.map((c) => [c.file.slice(DIR.length + 1), c] as const))('%s', async (_name, { file, expected }) => {
    const r = await run(['validate', '--json', file]);
    const problems = JSON.parse(r.stdout) as { message: string }[];
    if (expected.valid) {
      expect(problems).toEqual([]);
      expect(r.code).toBe(0);
    } else {
      expect(r.code).toBe(1);
      for (const substring of expected.errors ?? []) expect(problems.map((p) => p.message).join('\n')).toContain(substring);
    }
  });

  it('gives one verdict over all the manifests at once, naming exactly the invalid ones', async () => {
    const r = await run(['validate', ...cases.map((c) => c.file)]);
    expect(r.code).toBe(1);
    const invalid = cases.filter((c) => !c.expected.valid).map((c) => c.file);
    const named = new Set(r.stdout.split('\n').filter(Boolean).map((l) => l.slice(0, l.indexOf(':'))));
    expect([...named].sort()).toEqual(invalid.sort());
  });

  it('passes everything synth wrote to out/', async () => {
    const r = await run(['validate', join(ROOT, 'out')]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
