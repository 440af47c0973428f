import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFleet } from '../../examples/fleet.js';
import { PUBLISHED_LOCKFILE, RUNTIME_INSTALL_DIR, RUNTIME_NODE_ENV, RUNTIME_NODE_FLAGS, RUNTIME_OLD_SPACE_MIB, RUNTIME_SEMI_SPACE_MIB } from '../../src/compile/index.js';
import { PortcullisApp } from '../../src/index.js';
import { ROOT } from '../support/build.js';
import { tempDir, writeSecret } from './helpers.js';

/** ENTRYPOINT and CMD of the Dockerfile synth writes, as JSON arrays, its ENV, and the steps of its RUN. */
function imageCommand(): { entrypoint: string[]; cmd: string[]; env: Record<string, string>; run: string[] } {
  const app = new PortcullisApp({ report: () => {} });
  buildFleet(app);
  const dockerfile = app.render().get('runtime/Dockerfile')!;
  const line = (word: string) => JSON.parse(new RegExp(`^${word} (.*)$`, 'm').exec(dockerfile)![1]!) as string[];
  const env = Object.fromEntries([...dockerfile.matchAll(/^ENV (.*)$/gm)].flatMap((m) => m[1]!.split(' ').map((kv) => kv.split('=') as [string, string])));
  // the RUN instruction with its continuation lines, as its `&&`-separated commands
  const run = /^RUN ((?:.*\\\n)*.*)$/m.exec(dockerfile)![1]!.replace(/\\\n/g, ' ').split('&&').map((c) => c.trim().replace(/\s+/g, ' '));
  return { entrypoint: line('ENTRYPOINT'), cmd: line('CMD'), env, run };
}

/** The value after `flag` in args, replaced. */
function withFlag(args: string[], flag: string, value: string): string[] {
  const i = args.indexOf(flag);
  expect(i, `the image's CMD sets ${flag}`).toBeGreaterThanOrEqual(0);
  return [...args.slice(0, i + 1), value, ...args.slice(i + 2)];
}

describe("the runtime image's entry point", () => {
  it('installs the published package with `npm ci` from the lockfile it ships, and its entry point is `portcullis runtime` under node with its heap settings; it serves, answers health, and drains on SIGTERM', async () => {
    const { entrypoint, cmd, env, run } = imageCommand();
    const [node, ...rest] = entrypoint;
    const nodeFlags = rest.slice(0, -2);
    const [bin, command] = rest.slice(-2);
    expect(node).toBe('node');
    expect(command).toBe('runtime');
    expect(nodeFlags).toEqual([...RUNTIME_NODE_FLAGS]);
    expect(env).toMatchObject(RUNTIME_NODE_ENV);
    // the image's working directory is this package's root, unpacked: the same bin file as here
    expect(bin).toBe(`${RUNTIME_INSTALL_DIR}/bin/portcullis.js`);

    // The image's RUN, for real, in a directory standing for its working directory: the package is this
    // checkout packed as npm publishes it (prepack and prepare included), and only where the RUN fetches
    // portcullis@<version> from the registry does it get that tarball instead. npm's cache is this
    // machine's (preferred offline), so the last step, which empties it, is checked but not run.
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    // packed from a copy of what the package is built from, so that its build does not rewrite this
    // checkout's lib/ under the other test files
    const checkout = tempDir('portcullis-pack-');
    for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'bin', 'src', 'schemas', 'plugin'])
      cpSync(join(ROOT, f), join(checkout, f), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'));
    execFileSync('npm', ['pack', '--silent'], { cwd: checkout, stdio: 'ignore' });
    const tarball = join(checkout, `portcullis-${version}.tgz`);
    expect(run[0]).toBe(`npm pack --silent portcullis@${version}`);
    expect(run).toContain('npm ci --omit=dev --ignore-scripts --no-audit --no-fund');
    expect(run.at(-1)).toBe('npm cache clean --force');
    const image = tempDir('portcullis-image-');
    const steps = [`npm pack --silent ${tarball}`, ...run.slice(1, -1)];
    execFileSync('sh', ['-c', steps.join(' && ')], { cwd: image, stdio: 'ignore', env: { ...process.env, npm_config_prefer_offline: 'true' } });
    expect(existsSync(join(image, PUBLISHED_LOCKFILE))).toBe(true);
    const lock = JSON.parse(readFileSync(join(image, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const dev = Object.keys(lock.packages).filter((p) => lock.packages[p]!.dev);
    expect(dev.length).toBeGreaterThan(0);
    for (const p of dev) expect(existsSync(join(image, p)), `${p} is a devDependency, not in the image`).toBe(false);
    for (const p of Object.keys(lock.packages)) if (p && !lock.packages[p]!.dev && !(lock.packages[p] as { optional?: boolean }).optional) expect(existsSync(join(image, p)), p).toBe(true);

    const dir = tempDir();
    writeSecret(join(dir, 's'), 'team', 'keys', { alice: 'sk-image-entry-1' });
    mkdirSync(join(dir, 'etc'));
    writeFileSync(
      join(dir, 'etc', 'runtime.json'),
      JSON.stringify({ apiVersion: 'portcullis.dev/runtime/v1', secretsRoot: join(dir, 's'), agents: { 'team/bot': { chain: [{ type: 'apiKey', secret: { namespace: 'team', name: 'keys' } }] } } }),
    );
    // the image's own arguments, with only the config path and ports moved for a test machine
    let args = withFlag(cmd, '--config', join(dir, 'etc', 'runtime.json'));
    args = withFlag(withFlag(withFlag(args, '--port', '0'), '--metrics-port', '0'), '--bind', '127.0.0.1');
    // node's flags and environment as in the image
    const child = spawn(process.execPath, [...nodeFlags, bin!.replace(RUNTIME_INSTALL_DIR, image), command!, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 20_000;
    while (!out.includes('portcullis runtime serving') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain('portcullis runtime serving');
    const started = JSON.parse(out.split('\n').find((l) => l.includes('serving'))!) as { metricsPort: number; heapLimitMiB: number };
    // the flags took: the heap limit is the old generation's plus the young generation's, not node's default
    expect(started.heapLimitMiB).toBeGreaterThanOrEqual(RUNTIME_OLD_SPACE_MIB);
    expect(started.heapLimitMiB).toBeLessThanOrEqual(RUNTIME_OLD_SPACE_MIB + 4 * RUNTIME_SEMI_SPACE_MIB);
    const health = await fetch(`http://127.0.0.1:${started.metricsPort}/healthz`);
    expect(health.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(out).not.toContain('sk-image-entry-1');
  }, 180_000);
});
