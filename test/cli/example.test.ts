import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFleet } from '../../examples/fleet.js';
import { loadFleetYaml } from '../../src/cli/yaml.js';
import { Fleet, PortcullisApp } from '../../src/constructs/index.js';
import type { Diagnostic } from '../../src/validate/index.js';
import { EXAMPLE_YAML, readTree, removeTempDirs, tempDir } from './helpers.js';

/** Synthesizes with PortcullisApp into a fresh temp dir; returns the files and every reported diagnostic. */
function synthesize(build: (app: PortcullisApp) => void) {
  const outdir = join(tempDir(), 'out');
  const reported: Diagnostic[] = [];
  const app = new PortcullisApp({ outdir, report: (ds) => reported.push(...ds) });
  build(app);
  app.synth();
  return { files: readTree(outdir), reported };
}

afterAll(removeTempDirs);

describe('examples/fleet.yaml', () => {
  it('synthesizes to byte-identical files as examples/fleet.ts', () => {
    const fromTs = synthesize((app) => buildFleet(app));
    const fromYaml = synthesize((app) => {
      const loaded = loadFleetYaml(readFileSync(EXAMPLE_YAML, 'utf8'), 'examples/fleet.yaml');
      expect(loaded.diagnostics).toEqual([]);
      Fleet.fromInput(app, 'acme', { input: loaded.input, locate: loaded.locate });
    });

    expect(fromTs.files.size).toBeGreaterThan(20);
    expect([...fromYaml.files.keys()]).toEqual([...fromTs.files.keys()]);
    for (const [file, text] of fromTs.files) expect(fromYaml.files.get(file), file).toBe(text);
    // the acknowledgement of PC012 for batch-indexer holds in both: nothing left to report
    expect(fromTs.reported).toEqual([]);
    expect(fromYaml.reported).toEqual([]);
  });

  it('starts with the yaml-language-server modeline pointing at the published schema', () => {
    const first = readFileSync(EXAMPLE_YAML, 'utf8').split('\n')[0];
    expect(first).toBe('# yaml-language-server: $schema=../schemas/fleet.schema.json');
  });
});
