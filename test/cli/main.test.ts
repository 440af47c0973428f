import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ROOT, run } from './helpers.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('portcullis help and version', () => {
  it.each([['--help'], ['-h'], ['help']])('prints the usage with every flag on %s', async (flag) => {
    const { code, stdout, stderr } = await run([flag]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    for (const text of ['portcullis synth', 'portcullis validate', '-f, --file', '-o, --out', '--json', '--help', '--version']) expect(stdout).toContain(text);
  });

  it.each([
    [['synth', '--help'], ['usage: portcullis synth -f FILE [-o DIR]', '-f, --file', '-o, --out', '-h, --help']],
    [['help', 'synth'], ['usage: portcullis synth -f FILE [-o DIR]']],
    [['validate', '-h'], ['usage: portcullis validate [--json] PATH...', '--json', '-h, --help']],
    [['help', 'validate'], ['usage: portcullis validate']],
  ])('prints a command usage on %j', async (argv, texts) => {
    const { code, stdout } = await run(argv);
    expect(code).toBe(0);
    for (const text of texts) expect(stdout).toContain(text);
  });

  it('prints the package version', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('fails without a command, printing the usage to stderr, exit 2', async () => {
    const { code, stdout, stderr } = await run([]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('usage:');
  });

  it.each([
    [['deploy'], 'portcullis: unknown command "deploy"; the commands are synth, validate, explain, runtime — run "portcullis --help" for the usage\n'],
    [['--bogus'], 'portcullis: unknown option --bogus; run "portcullis --help" for the usage\n'],
    [['help', 'deploy'], 'portcullis: unknown command "deploy"; the commands are synth, validate, explain, runtime — run "portcullis --help" for the usage\n'],
  ])('fails on %j with exit 2', async (argv, message) => {
    const { code, stderr } = await run(argv);
    expect(code).toBe(2);
    expect(stderr).toBe(message);
  });
});

describe('internal errors', () => {
  /** An io whose stdout throws: the only way to make a healthy command fail unexpectedly. */
  function breaking(env: Record<string, string>) {
    let stderr = '';
    const io = {
      stdout: {
        write: (): never => {
          throw new Error('stdout is gone');
        },
      },
      stderr: { write: (t: string) => (stderr += t) },
      env,
    };
    return { io, stderr: () => stderr };
  }

  it('prints the message and asks for a report, exit 70, without a stack', async () => {
    const { io, stderr } = breaking({});
    expect(await main(['--version'], io)).toBe(70);
    expect(stderr()).toMatch(/^portcullis: internal error: stdout is gone\nthis is a bug in portcullis: please report it/);
    expect(stderr()).not.toContain('    at ');
  });

  it('prints the stack with PORTCULLIS_DEBUG=1', async () => {
    const { io, stderr } = breaking({ PORTCULLIS_DEBUG: '1' });
    expect(await main(['--version'], io)).toBe(70);
    expect(stderr()).toContain('    at ');
  });
});
