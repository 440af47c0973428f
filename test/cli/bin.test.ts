import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_YAML, readTree, removeTempDirs, ROOT, run, tempDir } from './helpers.js';

const BUILT = join(ROOT, 'lib', 'cli', 'main.js');

function newestMtime(dir: string): number {
  return Math.max(...readdirSync(dir).map((e) => (statSync(join(dir, e)).isDirectory() ? newestMtime(join(dir, e)) : statSync(join(dir, e)).mtimeMs)));
}

/** Builds lib/ (what `npm ci` does through prepare) when lib/cli/main.js is missing or older than src/cli. */
function ensureBuilt(): void {
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= newestMtime(join(ROOT, 'src', 'cli'))) return;
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  // tsc emits even with type errors elsewhere in src/: the shim only needs lib/cli
  if (!existsSync(BUILT)) throw new Error(`npm run build did not produce lib/cli/main.js:\n${build.stdout}\n${build.stderr}`);
}

afterAll(removeTempDirs);

describe('bin/portcullis.js', () => {
  beforeAll(ensureBuilt, 120_000);

  it('runs main from lib/ and exits with its code', () => {
    const help = spawnSync(process.execPath, [join(ROOT, 'bin', 'portcullis.js'), '--help'], { encoding: 'utf8' });
    expect(help.stderr).toBe('');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('usage:');
    expect(help.stdout).toContain('portcullis synth -f FILE [-o DIR]');

    const bad = spawnSync(process.execPath, [join(ROOT, 'bin', 'portcullis.js'), 'synth', '--bogus'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('portcullis: unknown option --bogus for "portcullis synth"; run "portcullis synth --help" for its usage\n');
  });

  it('synthesizes into out/ of the working directory by default', async () => {
    const cwd = tempDir();
    const synth = spawnSync(process.execPath, [join(ROOT, 'bin', 'portcullis.js'), 'synth', '-f', EXAMPLE_YAML], { cwd, encoding: 'utf8' });
    expect(synth.stderr).toBe('');
    expect(synth.status).toBe(0);
    const reference = join(tempDir(), 'out');
    expect((await run(['synth', '-f', EXAMPLE_YAML, '-o', reference])).code).toBe(0);
    expect(readTree(join(cwd, 'out'))).toEqual(readTree(reference));
  });
});
