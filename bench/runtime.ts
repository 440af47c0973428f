/**
 * Runtime benchmark (`npm run bench:runtime`): decisions per second and decision latency of the
 * portcullis runtime on its API-key and JWT paths, next to a no-op ExternalProcessor on the same gRPC
 * stack, measured in the same run, interleaved round by round. Servers run in child processes; this
 * process is the load generator (one gRPC stream per simulated HTTP request, as Envoy does). Loopback
 * only, bounded in time. Prints a table; never fails on timing.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { externalProcessorClient } from '../src/runtime/protos.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = 32;
const RATES = [1000, 2000];
const KEYS = 10_000;

// the servers run compiled JavaScript under plain node, as in the image (tsx would add its own memory)
const root = join(import.meta.dirname, '..');
const build = join(root, 'node_modules', '.cache', 'portcullis-bench');
rmSync(build, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--ignoreConfig', '--outDir', build, '--rootDir', root, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', '--strict', '--esModuleInterop', join(root, 'bench', 'runtime-server.ts')],
  { stdio: 'inherit' },
);
writeFileSync(join(build, 'package.json'), '{"type":"module"}\n');

const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

// 10,000 hashed API keys as a mounted Secret (one file per client)
// laid out as the kubelet writes a Secret volume: files in a timestamped directory, `..data` pointing at
// it, and a symlink per key (the runtime's periodic change check then reads one link, not 10,000 files)
const keysDir = join(dir, 'secrets', 'bench', 'keys');
const dataDir = join(keysDir, '..2026_11_23_00_00_00.000000000');
mkdirSync(dataDir, { recursive: true });
symlinkSync('..2026_11_23_00_00_00.000000000', join(keysDir, '..data'));
for (let i = 0; i < KEYS; i++) {
  writeFileSync(join(dataDir, `client-${i}`), JSON.stringify({ sha256: sha(`sk-bench-${i}`), roles: ['agent-user'], tenant: `t${i % 50}` }));
  symlinkSync(join('..data', `client-${i}`), join(keysDir, `client-${i}`));
}

// a JWKS endpoint on loopback and a token signed by its key
const { privateKey, publicKey } = await generateKeyPair('RS256');
const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] });
const jwksServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
const issuer = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;
const token = await new SignJWT({ sub: 'user-1', tenant: 'acme', roles: ['agent-user', 'reader'] })
  .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
  .setIssuer(issuer)
  .setAudience('https://agents.example.com')
  .setIssuedAt()
  .setExpirationTime('1h')
  .sign(privateKey);

const configPath = join(dir, 'runtime.json');
const uncachedPath = join(dir, 'runtime-uncached.json');
const writeRuntimeConfig = (path: string, cacheEntries: number) => writeFileSync(
  path,
  JSON.stringify({
    apiVersion: 'portcullis.dev/runtime/v1',
    secretsRoot: join(dir, 'secrets'),
    jwks: { verifiedTokenCacheEntries: cacheEntries },
    agents: {
      'bench/apikey': { chain: [{ type: 'apiKey', hashed: true, secret: { namespace: 'bench', name: 'keys' } }] },
      'bench/jwt': {
        chain: [
          {
            type: 'oidc',
            issuer,
            audiences: ['https://agents.example.com'],
            jwksUri: `${issuer}/jwks`,
            claims: { userId: 'sub', tenantId: 'tenant', roles: 'roles', extra: {} },
          },
        ],
      },
    },
  }),
);
writeRuntimeConfig(configPath, 10_000);
writeRuntimeConfig(uncachedPath, 0);

interface Child {
  proc: ChildProcess;
  port: number;
  rss: number;
}
function startChild(args: string[]): Promise<Child> {
  // BENCH_CPU_PROF=DIR: each server writes a V8 CPU profile there on exit (summarize with bench/cpuprofile-top.ts)
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  // BENCH_NODE_FLAGS: extra V8/node flags for both servers (e.g. heap tuning to try before baking it into the image)
  prof.push(...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean));
  const proc = fork(join(build, 'bench', 'runtime-server.js'), args, { execArgv: ['--expose-gc', ...prof], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    proc.once('message', (m: { port: number; rss: number }) => resolve({ proc, port: m.port, rss: m.rss }));
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}
const askRss = (c: Child) =>
  new Promise<number>((resolve) => {
    c.proc.once('message', (m: { rss: number }) => resolve(m.rss));
    c.proc.send({ cmd: 'rss' });
  });

const Client = externalProcessorClient();
type Stream = grpc.ClientDuplexStream<unknown, unknown>;
interface Target {
  name: string;
  client: grpc.Client & { Process(): Stream };
  message: unknown;
}

const headersMessage = (route: string, headers: Record<string, string>) => ({
  request_headers: {
    headers: {
      headers: Object.entries({ ':method': 'POST', ':path': '/v1/chat', ':authority': 'agents.example.com', 'content-type': 'application/json', ...headers }).map(([key, v]) => ({
        key,
        raw_value: Buffer.from(v),
      })),
    },
  },
  attributes: { 'envoy.filters.http.ext_proc': { fields: { 'xds.route_name': { stringValue: `httproute/bench/${route}/rule/0/match/0/agents_example_com` } } } },
});

/** One simulated HTTP request: a stream, its headers message, the answer. Resolves with the latency in ms. */
function once(t: Target): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const call = t.client.Process();
    call.once('data', (r: { immediate_response?: unknown }) => {
      const ms = performance.now() - start;
      call.end();
      if (r.immediate_response) reject(new Error(`${t.name}: denied`));
      else resolve(ms);
    });
    call.on('error', reject);
    call.write(t.message);
  });
}

async function closedLoop(t: Target, seconds: number): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        await once(t);
        done++;
      }
    }),
  );
  return done / seconds;
}

async function openLoop(t: Target, rate: number, seconds: number): Promise<{ p50: number; p99: number; achieved: number }> {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now();
  let sent = 0;
  const total = rate * seconds;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
      while (sent < due) {
        sent++;
        pending.push(once(t).then((ms) => void latencies.push(ms)));
      }
      if (sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return { p50: q(0.5), p99: q(0.99), achieved: latencies.length / elapsed };
}

const noop = await startChild(['noop']);
const runtime = await startChild(['runtime', configPath]);
const uncached = await startChild(['runtime', uncachedPath]);
const rssLoaded = await askRss(runtime);
const mk = (port: number) => new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as Target['client'];
const noopClient = mk(noop.port);
const rtClient = mk(runtime.port);
const uncachedClient = mk(uncached.port);
const targets: Target[] = [
  { name: 'no-op', client: noopClient, message: headersMessage('apikey', { 'x-api-key': 'sk-bench-4242' }) },
  { name: 'api key (hashed, 10k keys)', client: rtClient, message: headersMessage('apikey', { 'x-api-key': 'sk-bench-4242' }) },
  { name: 'jwt RS256 (verified-token cache)', client: rtClient, message: headersMessage('jwt', { authorization: `Bearer ${token}` }) },
  { name: 'jwt RS256 (signature every time)', client: uncachedClient, message: headersMessage('jwt', { authorization: `Bearer ${token}` }) },
];

// warm up (JIT, JWKS fetch, HTTP/2 connections)
for (const t of targets) await closedLoop(t, 1);

type Row = { throughput: number[]; p50: Record<number, number[]>; p99: Record<number, number[]>; achieved: Record<number, number[]> };
const rows = new Map<string, Row>(targets.map((t) => [t.name, { throughput: [], p50: { 1000: [], 2000: [] }, p99: { 1000: [], 2000: [] }, achieved: { 1000: [], 2000: [] } }]));
const began = performance.now();
for (let round = 0; round < ROUNDS; round++) {
  for (const t of targets) rows.get(t.name)!.throughput.push(await closedLoop(t, SECONDS));
  for (const rate of RATES) {
    for (const t of targets) {
      const r = await openLoop(t, rate, SECONDS);
      const row = rows.get(t.name)!;
      row.p50[rate]!.push(r.p50);
      row.p99[rate]!.push(r.p99);
      row.achieved[rate]!.push(r.achieved);
    }
  }
}
const rssAfter = await askRss(runtime);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = rows.get('no-op')!;
const f = (n: number, d = 2) => n.toFixed(d);
console.log(`\nportcullis runtime vs a no-op ExternalProcessor (same gRPC stack), ${ROUNDS} interleaved rounds of ${SECONDS}s per measurement, median of rounds`);
console.log(`closed loop: ${CONCURRENCY} concurrent streams; open loop: fixed offered rate, one stream per request; loopback, load generator in its own process\n`);
console.log('| path | decisions/s (closed loop) | vs no-op | p50 @1000 rps (ms) | p99 @1000 rps (ms) | p99 vs no-op | p50 @2000 rps (ms) | p99 @2000 rps (ms) | p99 vs no-op |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [name, row] of rows) {
  const tp = median(row.throughput);
  const cells = [name, f(tp, 0), `${f((tp / median(base.throughput)) * 100, 0)}%`];
  for (const rate of RATES) {
    const p99 = median(row.p99[rate]!);
    cells.push(f(median(row.p50[rate]!)), f(p99), `${f(p99 / median(base.p99[rate]!))}x`);
  }
  console.log(`| ${cells.join(' | ')} |`);
}
const achieved = [...rows].map(([n, r]) => `${n} ${RATES.map((rate) => f(median(r.achieved[rate]!), 0)).join('/')}`).join(', ');
console.log(`\nachieved open-loop rates (1000/2000 offered): ${achieved}`);
console.log(`runtime RSS with ${KEYS.toLocaleString('en')} hashed API keys loaded: ${f(rssLoaded / 2 ** 20, 1)} MB at start, ${f(rssAfter / 2 ** 20, 1)} MB after the run (target < 150 MB); no-op RSS at start ${f(noop.rss / 2 ** 20, 1)} MB`);
console.log(`targets: throughput >= 70% of no-op, p99 <= 1.5x no-op; measured in ${f((performance.now() - began) / 1000, 0)}s`);

noopClient.close();
rtClient.close();
uncachedClient.close();
for (const c of [noop, runtime, uncached]) c.proc.send({ cmd: 'exit' });
jwksServer.close();
rmSync(dir, { recursive: true, force: true });
