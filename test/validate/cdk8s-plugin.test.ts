import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ensureBuilt } from '../support/build.js';

// A throwaway cdk8s project inside node_modules/, so that its app resolves cdk8s from the project.
const dir = mkdtempSync(join(ROOT, 'node_modules', '.portcullis-plugin-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function project(spec: object): { status: number | null; output: string } {
  writeFileSync(
    join(dir, 'app.mjs'),
    `import { App, Chart, ApiObject } from 'cdk8s';
const app = new App();
new ApiObject(new Chart(app, 'policies'), 'policy', ${JSON.stringify({
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'SecurityPolicy',
      metadata: { name: 'guard', namespace: 'team' },
      spec,
    })});
app.synth();
`,
  );
  writeFileSync(
    join(dir, 'cdk8s.yaml'),
    `language: typescript
app: node app.mjs
output: dist
validations:
  - package: ${join(ROOT, 'plugin', 'cdk8s-validation.cjs')}
    version: 0.1.0
    class: PortcullisAdmission
`,
  );
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth'], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

const target = { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'bot' }] };

describe('the cdk8s validation plugin (plugin/cdk8s-validation.cjs) under a real `cdk8s synth`', () => {
  beforeAll(() => ensureBuilt('validate/index.js'), 120_000);

  it('fails the synth on an object the API server would reject, naming it and the rule', () => {
    const r = project({ ...target, jwt: { providers: [{ name: 'corp', issuer: 'https://idp.example.com' }] } });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('SecurityPolicy/team/guard');
    expect(r.output).toContain('either remoteJWKS or localJWKS must be specified');
  }, 60_000);

  it('passes a valid object', () => {
    const r = project({ ...target, jwt: { providers: [{ name: 'corp', issuer: 'https://idp.example.com', remoteJWKS: { uri: 'https://idp.example.com/jwks' } }] } });
    expect(r.output).toContain('Validations ended succesfully'); // sic, cdk8s-cli's spelling
    expect(r.status).toBe(0);
  }, 60_000);
});
