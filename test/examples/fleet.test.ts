import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildFleet } from '../../examples/fleet.js';
import { PortcullisApp } from '../../src/index.js';

const OUT = join(import.meta.dirname, '..', '..', 'out');

function render(): Map<string, string> {
  const app = new PortcullisApp({ report: () => {} });
  buildFleet(app);
  expect(app.lower().filter((d) => d.severity === 'error')).toEqual([]);
  return app.render();
}

function committed(dir = OUT): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) for (const [k, v] of committed(p)) files.set(k, v);
    else files.set(relative(OUT, p), readFileSync(p, 'utf8'));
  }
  return files;
}

describe('the example fleet', () => {
  it('renders byte-identical output on every run', () => {
    const a = render();
    const b = render();
    expect([...a.entries()]).toEqual([...b.entries()]);
  });

  it('matches the golden output committed in out/ (run `npm run synth` after a deliberate change)', () => {
    const fresh = render();
    const golden = committed();
    expect([...golden.keys()].sort()).toEqual([...fresh.keys()].sort());
    for (const [file, text] of fresh) expect(golden.get(file), file).toBe(text);
  });

  it('contains no secret value and materializes no Secret', () => {
    for (const [file, text] of render()) {
      expect(text, file).not.toMatch(/sk-[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----/);
      const obj = parse(text);
      expect(obj.kind, file).not.toBe('Secret');
    }
  });

  it('puts every exposed agent behind a policy and leaves the unauthenticated one unrouted', () => {
    const objects = [...render().values()].map((t) => parse(t));
    const routes = objects.filter((o) => o.kind === 'HTTPRoute').map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    const guarded = objects.filter((o) => o.kind === 'SecurityPolicy' || o.kind === 'EnvoyExtensionPolicy').map((o) => `${o.metadata.namespace}/${o.spec.targetRefs[0].name}`);
    expect(routes.sort()).toEqual(guarded.sort());
    expect(routes).toHaveLength(4);
    expect(routes).not.toContain('research/batch-indexer');
    for (const o of objects) expect(o.metadata.labels['app.kubernetes.io/managed-by']).toBe('portcullis');
  });
});
