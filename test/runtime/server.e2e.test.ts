import { spawn } from 'node:child_process';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runtimeConfigJsonSchema } from '../../src/contract/index.js';
import { startRuntime, type RunningRuntime } from '../../src/runtime/index.js';
import { loadSnapshot } from '../../src/runtime/config-source.js';
import { JwksRegistry } from '../../src/runtime/jwks.js';
import { createLogger } from '../../src/runtime/log.js';
import type { ProcessingRequest, ProcessingResponse } from '../../src/runtime/messages.js';
import { RuntimeMetrics } from '../../src/runtime/metrics.js';
import { externalProcessorService } from '../../src/runtime/protos.js';
import { GRPC_SERVER_OPTIONS, serveStream } from '../../src/runtime/server.js';
import { ExtProcClient, LogCapture, headersMessage, mutationOf, routeName, statusOf, tempDir, waitFor, writeConfig, writeSecret } from './helpers.js';

const SECRET_VALUES = ['sk-rot-OLD-1111', 'sk-rot-NEW-2222', 'AKIDOLD', 'aws-secret-OLD-value', 'AKIDNEW', 'aws-secret-NEW-value', 'sk-openai-PLATFORM-9', 'sk-openai-GLOBEX-7'];

function healthClient(port: number) {
  const def = protoLoader.loadSync(healthProtoPath, { keepCase: true, enums: String });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } } };
  return new pkg.grpc.health.v1.Health(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    Check(req: { service: string }, cb: (err: grpc.ServiceError | null, res?: { status: string }) => void): void;
  };
}
const check = (c: ReturnType<typeof healthClient>, service: string) =>
  new Promise<string>((resolve, reject) => c.Check({ service }, (err, res) => (err ? reject(err) : resolve(String(res!.status)))));

const awsCreds = (id: string, secret: string) => `[default]\naws_access_key_id = ${id}\naws_secret_access_key = ${secret}\n`;

describe('the runtime server', () => {
  let dir: string;
  let configPath: string;
  let secrets: string;
  let runtime: RunningRuntime;
  let client: ExtProcClient;
  const logs = new LogCapture();
  const base = () => ({
    secretsRoot: secrets,
    reloadCheckSeconds: 1,
    agents: { 'team/bot': { chain: [{ type: 'apiKey' as const, secret: { namespace: 'team', name: 'keys' } }] } },
    egress: {
      'egress/bedrock': {
        provider: 'bedrock' as const,
        inject: { sigv4: { region: 'eu-west-1', service: 'bedrock', host: 'bedrock-runtime.eu-west-1.amazonaws.com' } },
        key: { secret: { namespace: 'egress', name: 'aws' }, key: 'credentials' },
      },
      'egress/openai': {
        provider: 'openai' as const,
        inject: { header: 'authorization', format: 'Bearer {key}' },
        key: { secret: { namespace: 'egress', name: 'openai' }, key: 'api-key' },
      },
      'egress/ai/rule/0': {
        provider: 'openai' as const,
        inject: { dynamicMetadata: { namespace: 'io.portcullis.egress', key: 'credential' } },
        perTenant: { tenantHeader: 'x-tenant-id', keys: { globex: { secret: { namespace: 'egress', name: 'tenants' }, key: 'globex' } }, unknown: 'deny' as const },
      },
    },
  });

  beforeAll(async () => {
    dir = tempDir();
    configPath = join(dir, 'config', 'runtime.json');
    secrets = join(dir, 'secrets');
    writeSecret(secrets, 'team', 'keys', { alice: 'sk-rot-OLD-1111' });
    writeSecret(secrets, 'egress', 'aws', { credentials: awsCreds('AKIDOLD', 'aws-secret-OLD-value') });
    writeSecret(secrets, 'egress', 'openai', { 'api-key': 'sk-openai-PLATFORM-9' });
    writeSecret(secrets, 'egress', 'tenants', { globex: 'sk-openai-GLOBEX-7' });
    (await import('node:fs')).mkdirSync(join(dir, 'config'));
    writeConfig(configPath, base());
    runtime = await startRuntime({ configPath, port: 0, metricsPort: 0, bind: '127.0.0.1', logLevel: 'debug', logDestination: logs, drainTimeoutMs: 5000 });
    client = new ExtProcClient(runtime.port);
  });
  afterAll(async () => {
    client?.close();
    await runtime?.stop();
  });

  const bot = (key: string) => client.one(headersMessage({ 'x-api-key': key }, routeName('team/bot')));

  it('serves grpc.health.v1 for the server and the ExternalProcessor service', async () => {
    const h = healthClient(runtime.port);
    expect(await check(h, '')).toBe('SERVING');
    expect(await check(h, 'envoy.service.ext_proc.v3.ExternalProcessor')).toBe('SERVING');
    h.close();
  });

  it('serves Prometheus metrics and HTTP probes on the metrics port', async () => {
    await bot('sk-rot-OLD-1111');
    const text = await (await fetch(`http://127.0.0.1:${runtime.metricsPort}/metrics`)).text();
    expect(text).toContain('portcullis_runtime_config_generation 1');
    expect(text).toMatch(/portcullis_runtime_decisions_total\{phase="inbound",result="allow",reason="apiKey"\} 1/);
    expect(text).toContain('portcullis_runtime_decision_duration_seconds_bucket');
    expect(text).toContain('portcullis_runtime_config_reload_failures_total 0');
    expect(text).toContain('portcullis_runtime_process_resident_memory_bytes');
    expect((await fetch(`http://127.0.0.1:${runtime.metricsPort}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${runtime.metricsPort}/healthz`)).status).toBe(200);
  });

  it('scrapes totals: every scrape shows each decision once, and the streams open now', async () => {
    const scrape = async () => (await fetch(`http://127.0.0.1:${runtime.metricsPort}/metrics`)).text();
    const count = (text: string, re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
    const allowed = /portcullis_runtime_decisions_total\{phase="inbound",result="allow",reason="apiKey"\} (\d+)/;
    const observed = /portcullis_runtime_decision_duration_seconds_count\{phase="inbound"\} (\d+)/;
    const before = await scrape();
    await bot('sk-rot-OLD-1111');
    await bot('sk-rot-OLD-1111');
    await bot('sk-nobody-at-all');
    const after = await scrape();
    expect(count(after, allowed)).toBe(count(before, allowed) + 2);
    expect(count(after, observed)).toBe(count(before, observed) + 3);
    expect(after).toMatch(/portcullis_runtime_decisions_total\{phase="inbound",result="deny",reason="unknown_api_key"\} 1\n/);
    // a scrape changes nothing: the next one, with no decision between, says the same
    const again = await scrape();
    expect(count(again, allowed)).toBe(count(after, allowed));
    expect(again).toContain('portcullis_runtime_streams_active 0');
    // a stream held open counts while it is open
    const stream = client.open();
    const ended = new Promise((resolve) => stream.on('end', resolve).on('error', resolve));
    stream.resume();
    await vi.waitFor(async () => expect(await scrape()).toContain('portcullis_runtime_streams_active 1'));
    stream.end();
    await ended;
    await vi.waitFor(async () => expect(await scrape()).toContain('portcullis_runtime_streams_active 0'));
  });

  it('survives a malformed gRPC message: that stream fails, the server stays up', async () => {
    const raw = new grpc.Client(`127.0.0.1:${runtime.port}`, grpc.credentials.createInsecure());
    const call = raw.makeBidiStreamRequest<Buffer, Buffer>(
      '/envoy.service.ext_proc.v3.ExternalProcessor/Process',
      (b) => b,
      (b) => b,
    );
    const status = await new Promise<grpc.StatusObject>((resolve) => {
      call.on('status', resolve);
      call.on('error', () => undefined);
      call.on('data', () => undefined);
      call.write(Buffer.from([0x12, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
      call.end();
    });
    expect(status.code).not.toBe(grpc.status.OK);
    raw.close();
    // an empty ProcessingRequest (valid bytes, no phase set) is a protocol error
    const empty = new ExtProcClient(runtime.port);
    await expect(empty.exchange([{} as never])).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    empty.close();
    expect(statusOf(await bot('sk-rot-OLD-1111'))).toBe('continue');
  });

  it('rotates API keys through the kubelet ..data swap without a restart', async () => {
    const gen = runtime.current().generation;
    writeSecret(secrets, 'team', 'keys', { alice: 'sk-rot-NEW-2222' });
    await waitFor(() => runtime.current().generation > gen, 5000, 'the secret reload');
    expect(statusOf(await bot('sk-rot-NEW-2222'))).toBe('continue');
    const old = await bot('sk-rot-OLD-1111');
    expect(statusOf(old)).toBe(401);
  });

  it('keeps a request in flight on the credentials it started with while they rotate', async () => {
    const exchange = client['client'].Process() as grpc.ClientDuplexStream<unknown, ProcessingResponse>;
    const answers: ProcessingResponse[] = [];
    const next = () => new Promise<ProcessingResponse>((resolve) => exchange.once('data', (r: ProcessingResponse) => (answers.push(r), resolve(r))));
    let p = next();
    exchange.write(headersMessage({ ':path': '/model/m/invoke' }, routeName('egress/bedrock')));
    await p;
    const gen = runtime.current().generation;
    writeSecret(secrets, 'egress', 'aws', { credentials: awsCreds('AKIDNEW', 'aws-secret-NEW-value') });
    await waitFor(() => runtime.current().generation > gen, 5000, 'the secret reload');
    p = next();
    exchange.write({ request_body: { body: Buffer.from('{"x":1}'), end_of_stream: true } });
    const signed = mutationOf(await p).set.authorization!;
    exchange.end();
    expect(signed).toContain('Credential=AKIDOLD/');
    // a new request uses the new credentials
    const [, b] = await client.exchange([
      headersMessage({ ':path': '/model/m/invoke' }, routeName('egress/bedrock')),
      { request_body: { body: Buffer.from('{}'), end_of_stream: true } } as never,
    ]);
    expect(mutationOf(b).set.authorization).toContain('Credential=AKIDNEW/');
  });

  it('reloads a changed config, refuses a bad one (keeping the last good) and an unknown version', async () => {
    const gen = runtime.current().generation;
    writeConfig(configPath, { ...base(), agents: { ...base().agents, 'team/new-bot': base().agents['team/bot'] } });
    await waitFor(() => runtime.current().generation === gen + 1, 5000, 'the config reload');
    expect(statusOf(await client.one(headersMessage({ 'x-api-key': 'sk-rot-NEW-2222' }, routeName('team/new-bot'))))).toBe('continue');

    (await import('node:fs')).writeFileSync(configPath, '{"apiVersion": "portcullis.dev/runtime/v1", "agents": {"team/bot": {"chain": []}}}');
    await waitFor(() => logs.text().includes('config reload refused'), 5000, 'the refusal');
    expect(runtime.current().generation).toBe(gen + 1);
    expect(logs.text()).toContain('agents.team/bot.chain');
    expect(statusOf(await client.one(headersMessage({ 'x-api-key': 'sk-rot-NEW-2222' }, routeName('team/new-bot'))))).toBe('continue');

    writeConfig(configPath, { ...base(), apiVersion: 'portcullis.dev/runtime/v2' });
    await waitFor(() => logs.text().includes('unknown contract version \\"portcullis.dev/runtime/v2\\"'), 5000, 'the version refusal');
    expect(runtime.current().generation).toBe(gen + 1);
    const text = await (await fetch(`http://127.0.0.1:${runtime.metricsPort}/metrics`)).text();
    expect(text).toContain('portcullis_runtime_config_reload_failures_total 2');

    writeConfig(configPath, base());
    await waitFor(() => runtime.current().generation === gen + 2, 5000, 'the good reload');
    expect(statusOf(await client.one(headersMessage({ 'x-api-key': 'sk-rot-NEW-2222' }, routeName('team/new-bot'))))).toBe(503);
  });

  it('overwrites an agent-supplied provider key over real gRPC', async () => {
    const res = await client.one(headersMessage({ authorization: 'Bearer sk-agent-smuggled', 'x-api-key': 'sk-rot-NEW-2222' }, routeName('egress/openai')));
    const m = mutationOf(res);
    expect(m.set.authorization).toBe('Bearer sk-openai-PLATFORM-9');
    expect(m.remove).toContain('x-api-key');
  });

  it('hands a tenant key to AI Gateway as dynamic metadata over real gRPC', async () => {
    const res = await client.one(headersMessage({ 'x-tenant-id': 'globex', authorization: 'Bearer user-jwt' }, routeName('egress/ai')));
    const fields = (res.dynamic_metadata as { fields: Record<string, { structValue: { fields: Record<string, { stringValue: string }> } }> }).fields;
    expect(fields['io.portcullis.egress']!.structValue.fields.credential!.stringValue).toBe('sk-openai-GLOBEX-7');
    expect(mutationOf(res).remove).toContain('authorization');
  });

  it('logs JSON lines and never a secret value', () => {
    const records = logs.records();
    expect(records.some((r) => r.msg === 'decision' && r.level === 'debug')).toBe(true);
    const text = logs.text();
    for (const s of [...SECRET_VALUES, 'sk-agent-smuggled']) expect(text).not.toContain(s);
  });

  it('drains on stop: health turns NOT_SERVING, open streams finish, new ones are refused', async () => {
    const open = client['client'].Process() as grpc.ClientDuplexStream<unknown, ProcessingResponse>;
    const first = new Promise<ProcessingResponse>((resolve) => open.once('data', resolve));
    open.write(headersMessage({ ':path': '/model/m/invoke' }, routeName('egress/bedrock')));
    await first;
    const h = healthClient(runtime.port);
    const stopped = runtime.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(done).toBe(false);
    expect(await check(h, '').catch(() => 'unreachable')).not.toBe('SERVING');
    h.close();
    const second = new Promise<ProcessingResponse>((resolve) => open.once('data', resolve));
    open.write({ request_body: { body: Buffer.from('{}'), end_of_stream: true } });
    expect(mutationOf(await second).set.authorization).toMatch(/^AWS4-HMAC-SHA256/);
    open.end();
    await stopped;
    expect(done).toBe(true);
  });
});

describe('portcullis runtime (the CLI entry point the image runs)', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } }, out, err };
  };

  it('exits 1 with the reasons when the first load fails', async () => {
    const dir = tempDir();
    writeConfig(join(dir, 'bad.json'), { agents: { 'a/b': { chain: [{ type: 'apiKey', secret: { namespace: 'a', name: 'missing' } }] } }, secretsRoot: join(dir, 's') });
    const { io: cio, err } = io();
    expect(await main(['runtime', '--config', join(dir, 'bad.json'), '--port', '0', '--metrics-port', '0', '--bind', '127.0.0.1'], cio)).toBe(1);
    expect(err.join('')).toMatch(/cannot load the config .*bad\.json:\n {2}agents\.a\/b\.chain\[0\] \(apiKey\): secret a\/missing: cannot list/);
  });

  it('exits 1 for an unknown contract version and 2 for a usage error', async () => {
    const dir = tempDir();
    writeConfig(join(dir, 'v9.json'), { apiVersion: 'portcullis.dev/runtime/v9' });
    const a = io();
    expect(await main(['runtime', '--config', join(dir, 'v9.json')], a.io)).toBe(1);
    expect(a.err.join('')).toContain('unknown contract version "portcullis.dev/runtime/v9"');
    const b = io();
    expect(await main(['runtime'], b.io)).toBe(2);
    expect(b.err.join('')).toContain('missing --config FILE');
    const c = io();
    expect(await main(['runtime', '--config', 'x', '--port', 'http'], c.io)).toBe(2);
  });

  it('runs as a process: serves, then drains and exits 0 on SIGTERM', async () => {
    const dir = tempDir();
    writeSecret(join(dir, 's'), 'team', 'keys', { alice: 'sk-proc-1' });
    writeConfig(join(dir, 'runtime.json'), { secretsRoot: join(dir, 's'), agents: { 'team/bot': { chain: [{ type: 'apiKey', secret: { namespace: 'team', name: 'keys' } }] } } });
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'cli-entry.ts'), 'runtime', '--config', join(dir, 'runtime.json'), '--port', '0', '--metrics-port', '0', '--bind', '127.0.0.1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => out.includes('portcullis runtime serving'), 20_000, 'the runtime to start');
    const port = (JSON.parse(out.split('\n').find((l) => l.includes('serving'))!) as { port: number }).port;
    const c = new ExtProcClient(port);
    expect(statusOf(await c.one(headersMessage({ 'x-api-key': 'sk-proc-1' }, routeName('team/bot'))))).toBe('continue');
    c.close();
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(out).toContain('"msg":"stopped"');
    expect(out).not.toContain('sk-proc-1');
  }, 30_000);
});

describe('the contract', () => {
  it('exports its JSON Schema', () => {
    const schema = runtimeConfigJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(schema.required).toContain('apiVersion');
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['apiVersion', 'agents', 'egress', 'secretsRoot', 'passthroughRoutes']));
  });
});

describe('a stream that ended', () => {
  // grpc-js's call object outlives its stream until a full GC; what it still reaches goes into the old
  // generation with it. The runtime takes its listeners off the call when the stream ends.
  type Call = grpc.ServerDuplexStream<ProcessingRequest, ProcessingResponse>;
  let server: grpc.Server;
  let client: ExtProcClient;
  const calls: Call[] = [];
  const metrics = new RuntimeMetrics();
  const listeners = (call: Call) => ({
    data: call.listenerCount('data'),
    end: call.listenerCount('end'),
    cancelled: call.listenerCount('cancelled'),
    error: call.listenerCount('error'),
  });
  // what grpc-js itself listens with: its own 'error' listener (it sends the status)
  const GRPC_JS_ONLY = { data: 0, end: 0, cancelled: 0, error: 1 };
  const streamsActive = async () => Number(/portcullis_runtime_streams_active (\d+)/.exec(await metrics.registry.metrics())?.[1]);

  beforeAll(async () => {
    const dir = tempDir();
    const secrets = join(dir, 'secrets');
    writeSecret(secrets, 'team', 'keys', { alice: 'sk-ended-1111' });
    const configPath = join(dir, 'runtime.json');
    writeConfig(configPath, { secretsRoot: secrets, agents: { 'team/bot': { chain: [{ type: 'apiKey', secret: { namespace: 'team', name: 'keys' } }] } } });
    const { snapshot } = loadSnapshot(configPath, new JwksRegistry(), 1);
    const deps = { current: () => snapshot, logger: createLogger({ level: 'silent' }), metrics };
    server = new grpc.Server(GRPC_SERVER_OPTIONS);
    server.addService(externalProcessorService(), {
      Process: (call: Call) => {
        calls.push(call);
        serveStream(call, deps);
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    client = new ExtProcClient(port);
  });
  afterAll(() => {
    client?.close();
    server?.forceShutdown();
  });

  it('holds listeners on the call only while the stream is open', async () => {
    const stream = client.open();
    stream.on('error', () => undefined);
    const answered = new Promise<ProcessingResponse>((resolve) => stream.once('data', resolve));
    stream.write(headersMessage({ 'x-api-key': 'sk-ended-1111' }, routeName('team/bot')));
    expect(statusOf(await answered)).toBe('continue');
    const call = calls.at(-1)!;
    expect(listeners(call)).toEqual({ data: 1, end: 1, cancelled: 1, error: 2 });
    expect(await streamsActive()).toBe(1);
    const ended = new Promise((resolve) => stream.on('end', resolve));
    stream.resume();
    stream.end();
    await ended;
    await waitFor(() => call.listenerCount('data') === 0, 5000, 'the listeners to go');
    expect(listeners(call)).toEqual(GRPC_JS_ONLY);
    expect(await streamsActive()).toBe(0);
  });

  it('lets go of them when the stream fails on a protocol error', async () => {
    await expect(client.exchange([{} as never])).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    const call = calls.at(-1)!;
    await waitFor(() => call.listenerCount('data') === 0, 5000, 'the listeners to go');
    expect(listeners(call)).toEqual(GRPC_JS_ONLY);
    expect(await streamsActive()).toBe(0);
  });

  it('lets go of them when the client cancels the stream', async () => {
    const before = calls.length;
    const stream = client.open();
    stream.on('error', () => undefined);
    stream.write(headersMessage({ 'x-api-key': 'sk-ended-1111' }, routeName('team/bot')));
    await waitFor(() => calls.length > before && calls.at(-1)!.listenerCount('data') === 1, 5000, 'the stream to open');
    const call = calls.at(-1)!;
    stream.cancel();
    await waitFor(() => call.listenerCount('data') === 0, 5000, 'the listeners to go');
    expect(listeners(call)).toEqual(GRPC_JS_ONLY);
    expect(await streamsActive()).toBe(0);
  });
});
