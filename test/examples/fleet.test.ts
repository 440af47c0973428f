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
      if (file.endsWith('.yaml')) expect(parse(text).kind, file).not.toBe('Secret');
    }
  });

  it('lists every Secret a manifest references in SECRETS.md, with its namespace and key', () => {
    const files = render();
    const secrets = files.get('SECRETS.md')!;
    const objects = [...files].filter(([f]) => f.endsWith('.yaml')).map(([, t]) => parse(t));
    const referenced = new Set<string>();
    for (const o of objects) {
      const ns = o.metadata.namespace;
      for (const l of o.kind === 'Gateway' ? o.spec.listeners : []) for (const c of l.tls?.certificateRefs ?? []) referenced.add(`${c.namespace ?? ns}/${c.name}`);
      if (o.kind === 'SecurityPolicy') for (const c of o.spec.apiKeyAuth?.credentialRefs ?? []) referenced.add(`${ns}/${c.name}`);
      if (o.kind === 'HTTPRouteFilter') referenced.add(`${ns}/${o.spec.credentialInjection.credential.valueRef.name}`);
      if (o.kind === 'BackendSecurityPolicy') referenced.add(`${ns}/${(o.spec.apiKey ?? o.spec.anthropicApiKey ?? o.spec.awsCredentials?.credentialsFile).secretRef.name}`);
    }
    expect(referenced.size).toBeGreaterThanOrEqual(5);
    for (const r of referenced) expect(secrets, r).toContain(`### ${r}\n`);
    expect(secrets).toContain("kubectl -n agents-egress create secret generic openai-api-key --from-literal=credential='<value>'");
    expect(secrets).toContain('"Bearer <openai key>"');
  });

  it('puts every exposed agent behind a policy and leaves the unauthenticated one unrouted', () => {
    const objects = [...render()].filter(([f]) => f.endsWith('.yaml')).map(([, t]) => parse(t));
    const ofAgents = objects.filter((o) => o.metadata.labels['portcullis.dev/agent']);
    const routes = ofAgents.filter((o) => o.kind === 'HTTPRoute').map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    const guarded = ofAgents.filter((o) => o.kind === 'SecurityPolicy' || o.kind === 'EnvoyExtensionPolicy').map((o) => `${o.metadata.namespace}/${o.spec.targetRefs[0].name}`);
    expect(routes.sort()).toEqual(guarded.sort());
    expect(routes).toHaveLength(4);
    expect(routes).not.toContain('research/batch-indexer');
    for (const o of objects) expect(o.metadata.labels['app.kubernetes.io/managed-by']).toBe('portcullis');
  });
});
