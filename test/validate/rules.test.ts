import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Fleet } from '../../src/constructs/index.js';
import { PROTECTED_HEADERS } from '../../src/contract/index.js';
import { RULES } from '../../src/validate/index.js';
import { reservedHeader } from '../../src/validate/rules/identity-header-names.js';

const root = join(import.meta.dirname, '..', 'fixtures', 'rules');
const cases = readdirSync(root).sort();

type Expected = { code: string; severity: string; path: string; field: string }[];

function diagnose(dir: string) {
  const input = parse(readFileSync(join(root, dir, 'input.yaml'), 'utf8'));
  const fleet = Fleet.fromInput(new App(), input.name, { input });
  return fleet.lower().diagnostics;
}

describe('semantic rules, one fixture folder per case', () => {
  it.each(cases)('%s', (dir) => {
    const expected: Expected = JSON.parse(readFileSync(join(root, dir, 'expected.json'), 'utf8'));
    const got = diagnose(dir).map(({ code, severity, path, field }) => ({ code, severity, path, field }));
    expect(got).toEqual(expected);
    for (const d of diagnose(dir)) {
      expect(d.message).toMatch(/^[a-z"]/); // lowercase, the aws-cdk way
      expect(d.hint.length).toBeGreaterThan(10);
    }
  });

  it('has a failing fixture for every rule code', () => {
    const covered = new Set(cases.filter((c) => /^pc\d{3}-/.test(c)).map((c) => c.slice(0, 5).toUpperCase()));
    for (const rule of RULES) expect(covered, `no fixture for ${rule.code}`).toContain(rule.code);
  });

  it('fails when the fleet has errors: nothing is emitted', () => {
    const input = parse(readFileSync(join(root, 'pc003-oidc-without-audiences', 'input.yaml'), 'utf8'));
    const app = new App();
    const fleet = Fleet.fromInput(app, 't', { input });
    expect(fleet.lower().diagnostics.map((d) => d.code)).toEqual(['PC003']);
    expect(fleet.node.findAll().filter((c) => 'apiVersion' in c)).toHaveLength(0);
    expect(() => app.synthYaml()).toThrow(/\[t\/bot\] auth\[0\]\.audiences: .*\(PC003\)/);
  });

  it('PC037 keeps identity out of every header the runtime may not set, and out of no other', () => {
    for (const h of [...PROTECTED_HEADERS, 'x-envoy-original-path', 'X-Forwarded-Client-Cert', 'authorization', 'cookie', 'x-portcullis-agent', 'x-ai-eg-model'])
      expect(reservedHeader(h), h).toBeDefined();
    // a moved Authorization may go into a credential header an agent reads, but never into Authorization
    expect(reservedHeader('x-api-key', false)).toBeUndefined();
    expect(reservedHeader('authorization', false)).toBeDefined();
    for (const h of ['x-user-id', 'x-caller', 'x-claim-plan', 'x-envoyish']) expect(reservedHeader(h), h).toBeUndefined();
  });

  it('never echoes a secret value found in an agent env', () => {
    const ds = diagnose('pc009-secret-in-env');
    const text = JSON.stringify(ds);
    expect(text).not.toContain('sk-proj-abcdefghijklmnopqrstuvwxyz0123');
    expect(text).not.toContain('9f8e7d6c5b4a39281706f5e4');
  });
});
