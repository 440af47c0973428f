import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadSnapshot } from '../../src/runtime/config-source.js';
import { JwksRegistry } from '../../src/runtime/jwks.js';
import { mutate, mutations, type Json } from '../support/mutate.js';
import { EXAMPLE_SECRETS, exampleContract, writeExampleSecrets } from './example-contract.js';
import { tempDir } from './helpers.js';

// The runtime's config load over the example contract broken at random (its Secrets mounted): a config
// the runtime can serve, or a ConfigError naming what is wrong; never another exception, and never a
// reason that is a JavaScript error about the runtime's own code, or that shows a Secret's value.
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const OWN_BUG = /Cannot read propert|is not a function|is not iterable|of undefined|of null|Maximum call stack/;

let contract: Json;
let dir: string;
beforeAll(() => {
  dir = tempDir();
  const c = exampleContract();
  c.secretsRoot = join(dir, 'secrets');
  writeExampleSecrets(c.secretsRoot);
  contract = c as Json;
});

describe('the runtime config load on a randomly broken contract', () => {
  it('serves it or refuses it with the reasons, never anything else', () => {
    const outcomes = { ok: 0, refused: 0 };
    const file = join(dir, 'runtime.json');
    fc.assert(
      fc.property(mutations(contract), (edits) => {
        writeFileSync(file, JSON.stringify(mutate(contract, edits)));
        try {
          const { snapshot } = loadSnapshot(file, new JwksRegistry(), 1);
          expect(snapshot.routes.size).toBeGreaterThan(0);
          outcomes.ok++;
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
          const reasons = (err as ConfigError).reasons;
          expect(reasons.length).toBeGreaterThan(0);
          for (const r of reasons) {
            expect(r).not.toMatch(OWN_BUG);
            for (const secret of [...Object.values(EXAMPLE_SECRETS), 'example-fleet-secret-key']) expect(r).not.toContain(secret);
          }
          outcomes.refused++;
        }
      }),
      { numRuns: RUNS },
    );
    expect(outcomes.refused).toBeGreaterThan(0);
    expect(outcomes.ok).toBeGreaterThan(0);
  });
});
