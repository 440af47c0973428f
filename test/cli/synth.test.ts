import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFleet } from '../../examples/fleet.js';
import { PortcullisApp } from '../../src/constructs/index.js';
import { EXAMPLE_YAML, readTree, removeTempDirs, run, tempDir, writeTemp } from './helpers.js';

const HEAD = `apiVersion: portcullis.dev/v1alpha1
kind: Fleet
name: acme
`;

/** Runs synth on `text` written to a temp file; returns the run, the file and the output directory. */
async function synthYaml(text: string) {
  const file = writeTemp('fleet.yaml', text);
  const out = join(tempDir(), 'out');
  const result = await run(['synth', '-f', file, '-o', out]);
  return { ...result, file, out };
}

afterAll(removeTempDirs);

describe('portcullis synth', () => {
  let expected: Map<string, string>;
  beforeAll(() => {
    const outdir = join(tempDir(), 'out');
    const app = new PortcullisApp({ outdir, report: () => {} });
    buildFleet(app);
    app.synth();
    expected = readTree(outdir);
  });

  it('writes examples/fleet.yaml as the same files as examples/fleet.ts', async () => {
    const out = join(tempDir(), 'out');
    const { code, stdout, stderr } = await run(['synth', '-f', EXAMPLE_YAML, '-o', out]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(`wrote ${expected.size} files to ${out}\n`);
    expect(readTree(out)).toEqual(expected);
  });

  it('empties the output directory of stale files', async () => {
    const out = join(tempDir(), 'out');
    mkdirSync(join(out, 'acme'), { recursive: true });
    writeFileSync(join(out, 'acme', 'stale.yaml'), 'kind: Stale\n');
    expect((await run(['synth', '-f', EXAMPLE_YAML, '-o', out])).code).toBe(0);
    expect(readTree(out).has(join('acme', 'stale.yaml'))).toBe(false);
  });

  it('lets an agent share its name with a gateway (another kind, another namespace)', async () => {
    const { code, stderr, out } = await synthYaml(`${HEAD}gateways:
  - name: public
    namespace: edge
    listeners: [{ name: https, protocol: HTTPS, port: 443, certificateRefs: [{ name: tls }] }]
agents:
  - name: public
    namespace: team
    image: x:1
    expose: { gateway: edge/public }
    auth: [{ type: apiKey, secretName: keys }]
`);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const files = [...readTree(out).keys()];
    expect(files).toContain(join('acme', 'team', 'deployment.public.yaml'));
    expect(files).toContain(join('acme', 'edge', 'gateway.public.yaml'));
  });

  it('prints a warning and still writes, exit 0', async () => {
    const { code, stderr, out, file } = await synthYaml(`${HEAD}agents:
  - name: batch
    namespace: jobs
    image: x:1
`);
    expect(code).toBe(0);
    expect(stderr).toMatch(new RegExp(`^${esc(file)}:5:5 warning \\[acme/batch\\] auth: .*\\(PC012\\)\\n$`));
    expect(existsSync(join(out, 'acme', 'jobs', 'deployment.batch.yaml'))).toBe(true);
  });

  describe('fails with exit 1, writes nothing, and names FILE:LINE:COL, the construct path and the code', () => {
    it('fails on a YAML syntax error (PC000)', async () => {
      const { code, stderr, out, file } = await synthYaml(`${HEAD}agents:
  - name: a
    namespace: team
    image: ghcr.io/acme/a: 1
`);
      expect(code).toBe(1);
      expect(readTree(out).size).toBe(0);
      expect(stderr).toMatch(new RegExp(`^${esc(file)}:7:12 \\[acme\\] nested mappings are not allowed in compact mappings — .*\\(PC000\\)\\n$`));
    });

    it('fails on a duplicate key (PC000)', async () => {
      const { code, stderr, out, file } = await synthYaml(`${HEAD}agents:
  - name: a
    namespace: team
    image: x:1
    image: x:2
`);
      expect(code).toBe(1);
      expect(readTree(out).size).toBe(0);
      expect(stderr).toBe(
        `${file}:8:5 [acme] agents[0].image: map keys must be unique — keep one of the two keys: YAML would silently drop the first  (PC000)\n`,
      );
    });

    it('fails on an unknown field (PC001)', async () => {
      const { code, stderr, out, file } = await synthYaml(`${HEAD}agents:
  - name: a
    namespace: team
    image: x:1
    replicaz: 3
`);
      expect(code).toBe(1);
      expect(readTree(out).size).toBe(0);
      expect(stderr).toBe(`${file}:8:5 [acme/a] replicaz: unknown field "replicaz" — remove it or fix its spelling  (PC001)\n`);
    });

    it('fails on OIDC without audiences (PC003), located at the auth method', async () => {
      const { code, stderr, out, file } = await synthYaml(`${HEAD}gateways:
  - name: public
    namespace: edge
    listeners:
      - { name: https, protocol: HTTPS, port: 443, certificateRefs: [{ name: tls }] }
agents:
  - name: support-bot
    namespace: support
    image: x:1
    auth:
      - type: oidc
        issuer: https://idp.example.com
    expose: { gateway: edge/public }
`);
      expect(code).toBe(1);
      expect(readTree(out).size).toBe(0);
      expect(stderr).toMatch(new RegExp(`^${esc(file)}:14:9 \\[acme/support-bot\\] auth\\[0\\]\\.audiences: .*\\(PC003\\)\\n$`));
    });

    it('fails on duplicate agents (PC010), located at the second one', async () => {
      const { code, stderr, out, file } = await synthYaml(`${HEAD}agents:
  - name: a
    namespace: team
    image: x:1
  - name: a
    namespace: team
    image: x:2
acknowledge:
  - { code: PC012, reason: internal only }
`);
      expect(code).toBe(1);
      expect(readTree(out).size).toBe(0);
      expect(stderr).toMatch(new RegExp(`^${esc(file)}:8:5 \\[acme/a\\.team\\] name: agent "team/a" is declared twice.*\\(PC010\\)\\n$`));
    });

    it('fails on every problem at once, in one run', async () => {
      const { code, stderr } = await synthYaml(`${HEAD}agents:
  - name: a
    namespace: team
    image: x:1
    replicaz: 3
  - name: b
    namespace: team
    image: x:1
    timeoutSeconds: -1
`);
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toHaveLength(2);
      expect(stderr).toMatch(/:8:5 \[acme\/a\] replicaz: .*\(PC001\)/);
      expect(stderr).toMatch(/:12:5 \[acme\/b\] timeoutSeconds: .*\(PC001\)/);
    });

    it('fails on a fleet name that would escape the output directory', async () => {
      const { code, stderr, out, file } = await synthYaml('apiVersion: portcullis.dev/v1alpha1\nkind: Fleet\nname: ".."\n');
      expect(code).toBe(1);
      expect(readTree(join(out, '..')).size).toBe(0); // nothing written next to the output either
      expect(stderr).toMatch(new RegExp(`^${esc(file)}:3:1 \\[fleet\\] name: must be a DNS label.*\\(PC011\\)\\n$`));
    });

    it('keeps a previous output when the fleet has an error', async () => {
      const { out, file } = await synthYaml(`${HEAD}agents: 3\n`);
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, 'keep.yaml'), 'kind: Keep\n');
      expect((await run(['synth', '-f', file, '-o', out])).code).toBe(1);
      expect([...readTree(out).keys()]).toEqual(['keep.yaml']);
    });
  });

  describe('usage errors exit 2 with one line and no stack', () => {
    it.each([
      [['synth', '--bogus'], /^portcullis: unknown option --bogus for "portcullis synth"; run "portcullis synth --help" for its usage\n$/],
      [['synth'], /^portcullis: missing the fleet file: pass it with -f/],
      [['synth', '-f'], /^portcullis: option -f, --file needs a value/],
      [['synth', '-f', 'a.yaml', 'extra'], /^portcullis: unexpected argument "extra"/],
    ])('%j', async (argv, message) => {
      const { code, stdout, stderr } = await run(argv);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(message);
      expect(stderr.trim().split('\n')).toHaveLength(1);
    });

    it('fails when the fleet file cannot be read, naming it', async () => {
      const missing = join(tempDir(), 'missing.yaml');
      const { code, stderr } = await run(['synth', '-f', missing, '-o', join(tempDir(), 'out')]);
      expect(code).toBe(2);
      expect(stderr).toBe(`portcullis: cannot read fleet file "${missing}": no such file or directory — check the path given to -f\n`);
    });

    it('fails when the fleet file is a directory', async () => {
      const dir = tempDir();
      const { code, stderr } = await run(['synth', '-f', dir, '-o', join(tempDir(), 'out')]);
      expect(code).toBe(2);
      expect(stderr).toContain(`"${dir}": it is a directory`);
    });

    it('refuses an output directory that holds the fleet file (synth empties it)', async () => {
      const file = writeTemp('fleet.yaml', HEAD);
      const { code, stderr } = await run(['synth', '-f', file, '-o', join(file, '..')]);
      expect(code).toBe(2);
      expect(stderr).toMatch(/^portcullis: refusing to write to .*: synth empties the output directory first/);
      expect(existsSync(file)).toBe(true);
    });
  });
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
