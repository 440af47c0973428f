import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../support/build.js';
import { EXAMPLE_YAML, readTree, removeTempDirs, ROOT, run, tempDir } from './helpers.js';

afterAll(removeTempDirs);

describe('bin/portcullis.js', () => {
  beforeAll(() => ensureBuilt('cli/main.js'), 120_000);

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
