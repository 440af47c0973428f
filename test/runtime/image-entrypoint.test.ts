import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFleet } from '../../examples/fleet.js';
import { RUNTIME_NODE_ENV, RUNTIME_NODE_FLAGS, RUNTIME_OLD_SPACE_MIB, RUNTIME_SEMI_SPACE_MIB } from '../../src/compile/index.js';
import { PortcullisApp } from '../../src/index.js';
import { ROOT, ensureBuilt } from '../support/build.js';
import { tempDir, writeSecret } from './helpers.js';

/** ENTRYPOINT and CMD of the Dockerfile synth writes, as JSON arrays, and its ENV. */
function imageCommand(): { entrypoint: string[]; cmd: string[]; env: Record<string, string> } {
  const app = new PortcullisApp({ report: () => {} });
  buildFleet(app);
  const dockerfile = app.render().get('runtime/Dockerfile')!;
  const line = (word: string) => JSON.parse(new RegExp(`^${word} (.*)$`, 'm').exec(dockerfile)![1]!) as string[];
  const env = Object.fromEntries([...dockerfile.matchAll(/^ENV (.*)$/gm)].flatMap((m) => m[1]!.split(' ').map((kv) => kv.split('=') as [string, string])));
  return { entrypoint: line('ENTRYPOINT'), cmd: line('CMD'), env };
}

/** The value after `flag` in args, replaced. */
function withFlag(args: string[], flag: string, value: string): string[] {
  const i = args.indexOf(flag);
  expect(i, `the image's CMD sets ${flag}`).toBeGreaterThanOrEqual(0);
  return [...args.slice(0, i + 1), value, ...args.slice(i + 2)];
}

describe("the runtime image's entry point", () => {
  beforeAll(() => ensureBuilt('runtime/index.js'), 120_000);

  it('is `portcullis runtime` from the installed package under node with its heap settings, and it serves, answers health, and drains on SIGTERM', async () => {
    const { entrypoint, cmd, env } = imageCommand();
    const [node, ...rest] = entrypoint;
    const nodeFlags = rest.slice(0, -2);
    const [bin, command] = rest.slice(-2);
    expect(node).toBe('node');
    expect(command).toBe('runtime');
    expect(nodeFlags).toEqual([...RUNTIME_NODE_FLAGS]);
    expect(env).toMatchObject(RUNTIME_NODE_ENV);
    // the image installs this package under node_modules/portcullis: the same bin file as here
    expect(bin).toMatch(/\/node_modules\/portcullis\/bin\/portcullis\.js$/);
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
    const child = spawn(process.execPath, [...nodeFlags, join(ROOT, 'bin', 'portcullis.js'), command!, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
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
  }, 60_000);
});
