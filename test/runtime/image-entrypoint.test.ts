import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFleet } from '../../examples/fleet.js';
import { PUBLISHED_LOCKFILE, RUNTIME_INSTALL_DIR, runtimeDockerfile, runtimeTarball, RUNTIME_NODE_ENV, RUNTIME_NODE_FLAGS, RUNTIME_OLD_SPACE_MIB, RUNTIME_SEMI_SPACE_MIB } from '../../src/compile/index.js';
import { PortcullisApp } from '../../src/index.js';
import { ROOT } from '../support/build.js';
import { dockerfileArray, dockerfileRun } from '../support/dockerfile.js';
import { installedPackage } from '../../src/version.js';
import { tempDir, writeSecret } from './helpers.js';

/** The Dockerfile synth writes for the example fleet: ENTRYPOINT and CMD as JSON arrays, its ENV, its COPY, the steps of its RUN. */
function imageCommand(): { entrypoint: string[]; cmd: string[]; env: Record<string, string>; copy?: string; run: string[] } {
  const app = new PortcullisApp({ report: () => {} });
  buildFleet(app);
  const dockerfile = app.render().get('runtime/Dockerfile')!;
  const env = Object.fromEntries([...dockerfile.matchAll(/^ENV (.*)$/gm)].flatMap((m) => m[1]!.split(' ').map((kv) => kv.split('=') as [string, string])));
  const copy = /^COPY (.*)$/m.exec(dockerfile)?.[1];
  return { entrypoint: dockerfileArray(dockerfile, 'ENTRYPOINT'), cmd: dockerfileArray(dockerfile, 'CMD'), env, ...(copy && { copy }), run: dockerfileRun(dockerfile) };
}

/** Runs commands of an image's RUN in `cwd` (standing for its working directory) with npm preferring this machine's cache. */
function runSteps(steps: string[], cwd: string): void {
  execFileSync('sh', ['-c', steps.join(' && ')], { cwd, stdio: 'pipe', env: { ...process.env, npm_config_prefer_offline: 'true' } });
}

/** A RUN's commands before `npm ci` (that one and the cache clean-up are run by the first test only). */
const beforeCi = (run: string[]) => run.slice(0, run.findIndex((c) => c.startsWith('npm ci')));
/** The packed tarball's sha512, as npm's integrity (base64) or as sha512sum prints it (hex). */
const tarballSha512 = (encoding: 'base64' | 'hex') => createHash('sha512').update(readFileSync(tarball)).digest(encoding);
const ARGS = ['--port', '9002', '--metrics-port', '9090'];

const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
let tarball = '';
// This checkout packed as npm publishes it (prepack and prepare included), from a copy of what the package
// is built from, so that its build does not rewrite this checkout's lib/ under the other test files.
beforeAll(() => {
  const checkout = tempDir('portcullis-pack-');
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'bin', 'src', 'schemas', 'plugin'])
    cpSync(join(ROOT, f), join(checkout, f), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'));
  execFileSync('npm', ['pack', '--silent'], { cwd: checkout, stdio: 'ignore' });
  tarball = join(checkout, runtimeTarball(version));
}, 180_000);

/** The value after `flag` in args, replaced. */
function withFlag(args: string[], flag: string, value: string): string[] {
  const i = args.indexOf(flag);
  expect(i, `the image's CMD sets ${flag}`).toBeGreaterThanOrEqual(0);
  return [...args.slice(0, i + 1), value, ...args.slice(i + 2)];
}

describe("the runtime image's entry point", () => {
  it('installs the packed package with `npm ci` from the lockfile it ships, and its entry point is `portcullis runtime` under node with its V8 settings; it serves, answers health, and drains on SIGTERM', async () => {
    const { entrypoint, cmd, env, copy, run } = imageCommand();
    const [node, ...rest] = entrypoint;
    const nodeFlags = rest.slice(0, -2);
    const [bin, command] = rest.slice(-2);
    expect(node).toBe('node');
    expect(command).toBe('runtime');
    expect(nodeFlags).toEqual([...RUNTIME_NODE_FLAGS]);
    expect(env).toMatchObject(RUNTIME_NODE_ENV);
    // the image's working directory is this package's root, unpacked: the same bin file as here
    expect(bin).toBe(`${RUNTIME_INSTALL_DIR}/bin/portcullis.js`);

    // The image's COPY and RUN, for real, in a directory standing for its working directory. This checkout
    // is no installed package, so the image takes the tarball packed into its build context: copied here
    // as COPY would. npm's cache is this machine's (preferred offline), so the last step, which empties it,
    // is checked but not run.
    expect(copy).toBe(`${runtimeTarball(version)} ./`);
    expect(run[0]).toBe(`tar -xzf ${runtimeTarball(version)} --strip-components=1 --no-same-owner`);
    expect(run).toContain('npm ci --omit=dev --ignore-scripts --no-audit --no-fund');
    expect(run.at(-1)).toBe('npm cache clean --force');
    const image = tempDir('portcullis-image-');
    copyFileSync(tarball, join(image, runtimeTarball(version)));
    runSteps(run.slice(0, -1), image);
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

  it('fetches a registry install again and unpacks it only when its sha512 is the one the lockfile recorded', () => {
    // a project that installed this very tarball from the registry
    const project = tempDir('portcullis-project-');
    const installedDir = join(project, 'node_modules', 'portcullis');
    mkdirSync(installedDir, { recursive: true });
    const url = `https://registry.npmjs.org/portcullis/-/${runtimeTarball(version)}`;
    const integrity = `sha512-${tarballSha512('base64')}`;
    writeFileSync(join(project, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/portcullis': { version, resolved: url, integrity } } }));
    const run = dockerfileRun(runtimeDockerfile(installedPackage(installedDir, version), ARGS));
    expect(run[0]).toBe(`npm pack --silent ${url}`);
    expect(run[1]).toMatch(/sha512sum --check/);
    // the registry is out of reach here: npm fetches the same bytes from the tarball file instead
    const upToCi = beforeCi(run).slice(1);
    const good = tempDir('portcullis-image-');
    runSteps([`npm pack --silent ${tarball}`, ...upToCi], good);
    expect(existsSync(join(good, PUBLISHED_LOCKFILE))).toBe(true);

    // other bytes under the same name and version (a squatted or tampered package): the build stops at the
    // check, and nothing of it is unpacked
    const evil = tempDir('portcullis-evil-');
    mkdirSync(join(evil, 'package', 'bin'), { recursive: true });
    writeFileSync(join(evil, 'package', 'package.json'), JSON.stringify({ name: 'portcullis', version, bin: { portcullis: 'bin/portcullis.js' } }));
    writeFileSync(join(evil, 'package', 'bin', 'portcullis.js'), 'console.log("not portcullis")\n');
    execFileSync('tar', ['-czf', 'evil.tgz', 'package'], { cwd: evil });
    const bad = tempDir('portcullis-image-');
    let failure = '';
    try {
      runSteps([`npm pack --silent ${join(evil, 'evil.tgz')}`, ...upToCi], bad);
    } catch (err) {
      failure = String((err as { stderr?: Buffer }).stderr ?? err);
    }
    expect(failure).toMatch(/computed checksum did NOT match/);
    expect(existsSync(join(bad, runtimeTarball(version)))).toBe(true); // fetched, then refused
    expect(existsSync(join(bad, 'package.json'))).toBe(false);
    expect(existsSync(join(bad, 'bin'))).toBe(false);
  }, 60_000);

  it('is pinned by what npm recorded when a project installed the package: synth there checks the tarball it was installed from', () => {
    // a real install of the packed tarball into a project, by npm (its lockfile and hidden lockfile as npm writes them)
    const project = tempDir('portcullis-consumer-');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: project, stdio: 'ignore', env: { ...process.env, npm_config_prefer_offline: 'true' } });
    // the installed package renders the Dockerfile, as it does in that project's synth
    const script = `import { installedPackage } from 'portcullis/lib/version.js';
import { runtimeDockerfile } from 'portcullis/lib/compile/index.js';
process.stdout.write(runtimeDockerfile(installedPackage(), ${JSON.stringify(ARGS)}));`;
    const dockerfile = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8' });
    const run = dockerfileRun(dockerfile);
    // installed from a file: taken from the build context, and checked against what npm recorded
    expect(dockerfile).toMatch(new RegExp(`^COPY ${runtimeTarball(version).replace(/\./g, '\\.')} \\./$`, 'm'));
    expect(run[0]).toBe(`echo "${tarballSha512('hex')} ${runtimeTarball(version)}" | sha512sum --check --strict --quiet`);
    const image = tempDir('portcullis-image-');
    copyFileSync(tarball, join(image, runtimeTarball(version)));
    runSteps(beforeCi(run), image);
    expect(existsSync(join(image, PUBLISHED_LOCKFILE))).toBe(true);
  }, 60_000);
});
