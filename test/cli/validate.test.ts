import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_YAML, removeTempDirs, run, tempDir, writeTemp } from './helpers.js';

const BAD_POLICY = `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata:
  name: support-bot
  namespace: support
spec:
  targetRefs:
    - group: gateway.networking.k8s.io
      kind: HTTPRoute
      name: support-bot
  jwt:
    providers:
      - name: okta
        issuer: https://acme.okta.com/oauth2/default
        remoteJWKS:
          urii: https://acme.okta.com/oauth2/default/v1/keys
`;

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: kb
  namespace: support
spec:
  ports: [{ port: 80 }]
`;

afterAll(removeTempDirs);

describe('portcullis validate', () => {
  let out: string;
  beforeAll(async () => {
    out = join(tempDir(), 'out');
    expect((await run(['synth', '-f', EXAMPLE_YAML, '-o', out])).code).toBe(0);
  });

  it('passes on the synthesized example, exit 0', async () => {
    const { code, stdout, stderr } = await run(['validate', out]);
    expect(stderr).toBe('');
    expect(stdout).toBe('');
    expect(code).toBe(0);
  });

  it('prints an empty JSON array on the synthesized example with --json', async () => {
    const { code, stdout } = await run(['validate', '--json', out]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([]);
  });

  it('fails on a bad SecurityPolicy, naming the file, the object and the field', async () => {
    const file = writeTemp('securitypolicy.yaml', BAD_POLICY);
    const { code, stdout } = await run(['validate', file]);
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n');
    expect(lines).toContain(`${file}: SecurityPolicy/support/support-bot: spec.jwt.providers[0].remoteJWKS.uri: Required value`);
    expect(lines.some((l) => l.startsWith(`${file}: SecurityPolicy/support/support-bot: `) && l.includes('remoteJWKS.urii'))).toBe(true);
  });

  it('prints the problems as parseable JSON with --json, located in the file', async () => {
    const file = writeTemp('securitypolicy.yaml', BAD_POLICY);
    const { code, stdout } = await run(['validate', '--json', file]);
    expect(code).toBe(1);
    const problems = JSON.parse(stdout) as Record<string, unknown>[];
    expect(problems).toContainEqual({
      file,
      object: 'SecurityPolicy/support/support-bot',
      kind: 'SecurityPolicy',
      namespace: 'support',
      name: 'support-bot',
      path: 'spec.jwt.providers[0].remoteJWKS.uri',
      message: 'spec.jwt.providers[0].remoteJWKS.uri: Required value',
      line: 15,
      column: 9,
    });
    expect(problems.find((p) => p.path === 'spec.jwt.providers[0].remoteJWKS.urii')).toMatchObject({ line: 16, column: 11 });
  });

  it('checks every document of a multi-document file, and a directory recursively', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'support', 'nested'), { recursive: true });
    writeFileSync(join(dir, 'support', 'nested', 'all.yml'), `${SERVICE}---\n${BAD_POLICY}---\n`);
    writeFileSync(join(dir, 'support', 'service.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'Bad_Name' } }));
    writeFileSync(join(dir, 'support', 'README.md'), '# not a manifest\n');
    const { code, stdout } = await run(['validate', '--json', dir]);
    expect(code).toBe(1);
    const problems = JSON.parse(stdout) as { file: string; object: string; path: string }[];
    expect(new Set(problems.map((p) => `${p.file} ${p.object}`))).toEqual(
      new Set([
        `${join(dir, 'support', 'nested', 'all.yml')} SecurityPolicy/support/support-bot`,
        `${join(dir, 'support', 'service.json')} Service/Bad_Name`,
      ]),
    );
  });

  it('checks the items of a List', async () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'Bad_Name', namespace: 'x' } }] };
    const file = writeTemp('list.json', JSON.stringify(list, null, 2));
    const { code, stdout } = await run(['validate', file]);
    expect(code).toBe(1);
    expect(stdout).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: Service/x/Bad_Name: metadata\\.name: `));
  });

  it('fails on a YAML syntax error, with its line and column', async () => {
    const file = writeTemp('broken.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: "kb\n');
    const { code, stdout } = await run(['validate', file]);
    expect(code).toBe(1);
    expect(stdout).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:1: invalid YAML: missing closing "quote\\n$`));
  });

  describe('usage errors exit 2', () => {
    it('fails without a path', async () => {
      const { code, stderr } = await run(['validate']);
      expect(code).toBe(2);
      expect(stderr).toMatch(/^portcullis: missing the manifests to check/);
    });

    it('fails on a path that does not exist, naming it', async () => {
      const missing = join(tempDir(), 'nope');
      const { code, stderr } = await run(['validate', missing]);
      expect(code).toBe(2);
      expect(stderr).toBe(`portcullis: cannot read "${missing}": no such file or directory — pass existing files or directories\n`);
    });

    it('fails on a directory without manifests', async () => {
      const { code, stderr } = await run(['validate', tempDir()]);
      expect(code).toBe(2);
      expect(stderr).toMatch(/^portcullis: no \*\.yaml, \*\.yml or \*\.json file under/);
    });

    it('fails on an unknown flag', async () => {
      const { code, stderr } = await run(['validate', '--yaml', '.']);
      expect(code).toBe(2);
      expect(stderr).toBe('portcullis: unknown option --yaml for "portcullis validate"; run "portcullis validate --help" for its usage\n');
    });
  });
});
