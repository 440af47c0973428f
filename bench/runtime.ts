/**
 * Runtime benchmark (`npm run bench:runtime`): decisions per second and decision latency of the
 * portcullis runtime on its API-key and JWT paths, next to a no-op ExternalProcessor on the same gRPC
 * stack, measured in the same run, the paths taking turns; and the memory, CPU time and GC pauses of
 * every server. Servers run in child processes, one per path, with the image's node flags; this process
 * is the load generator (one gRPC stream per simulated HTTP request, as Envoy does). Loopback only,
 * bounded in time. Prints tables, and a verdict on each target with its bootstrap interval; never fails
 * on timing. BENCHMARKS.md describes the method.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect, type ClientHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { RUNTIME_NODE_ENV, RUNTIME_NODE_FLAGS } from '../src/compile/runtime/process.js';
import { closedLoopCount, exchange, grpcFrame } from './ext-proc-load.js';
import { buildRuntimeServer } from './runtime-build.js';
import { positive, setting, whole } from './settings.js';
import type { MemoryReport } from './runtime-server.js';

// 10 rounds of 1.25 s per path and measurement: 12,500 (at 1,000/s) and 25,000 (at 2,000/s) latency samples
// per path and rate, in some 6 minutes with the warm-ups. A round's open-loop 1.25 s are taken in slices, the
// paths in turns (see "Slices"), so that the machine's slow swings (two shared cores in a VM) fall on every
// path alike; the figures pool every round's samples
const ROUNDS = setting('BENCH_ROUNDS', 10, whole(1), 'a whole number of rounds, 1 or more');
const SECONDS = setting('BENCH_SECONDS', 1.25, positive, 'a number of seconds above 0');
// see "Slices" below
const SLICES = setting('BENCH_SLICES', 5, whole(1), 'a whole number, 1 or more (1 gives each path its open loop in one turn)');
const SLICE = SECONDS / SLICES;
// see "Warm-up" below
const WARMUP = setting('BENCH_WARMUP', 1, (n) => n >= 0 && Number.isFinite(n), 'a number of seconds, 0 or more');
const CONCURRENCY = 32;
const RATES = [1000, 2000];
const KEYS = setting('BENCH_KEYS', 10_000, whole(1), 'a whole number of API keys, 1 or more');

// the servers run compiled JavaScript under plain node, as in the image
const serverScript = buildRuntimeServer();

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
  readonly name: string;
  readonly proc: ChildProcess;
  readonly port: number;
  /** Streams this load generator completed against it. */
  served: number;
}
// every server runs as the image runs the runtime: its node flags and environment (src/compile/runtime/process.ts);
// --expose-gc only lets a server collect before it reports its memory
// BENCH_CPU_PROF=DIR: each server writes a V8 CPU profile there on exit (summarize with bench/cpuprofile-top.ts)
// BENCH_NODE_FLAGS: extra V8/node flags for every server, after the image's (to try a setting before it goes into the image)
const extraFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
const serverFlags = [...RUNTIME_NODE_FLAGS, '--expose-gc', ...extraFlags];
const serverEnv = { ...process.env, ...RUNTIME_NODE_ENV };
function startChild(name: string, args: string[]): Promise<Child> {
  const proc = fork(serverScript, args, { execArgv: [...serverFlags, ...prof], env: serverEnv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    proc.once('message', (m: { port: number }) => resolve({ name, proc, port: m.port, served: 0 }));
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}
/** The child's CPU time so far (all its threads), in microseconds. */
const askCpu = (c: Child) =>
  new Promise<number>((resolve) => {
    c.proc.once('message', (m: { cpuMicros: number }) => resolve(m.cpuMicros));
    c.proc.send({ cmd: 'cpu' });
  });
/** The child's memory after a full GC. */
const askMemory = (c: Child) =>
  new Promise<MemoryReport>((resolve) => {
    c.proc.once('message', (m: { memory: MemoryReport }) => resolve(m.memory));
    c.proc.send({ cmd: 'memory' });
  });

// The load generator is the instrument, and it shares the machine with what it measures (`npm run
// bench:runtime` gives it 64 MiB semi-spaces: fewer scavenges of its own during a round): it speaks gRPC
// over node's own HTTP/2 client as Envoy would (bench/ext-proc-load.ts: one stream per request, the headers
// message, the answer, end of stream), with each path's request encoded once, and reads only the answer's
// first field. With a grpc-js client it was the bottleneck of the closed loop (the no-op at some 3,600 decisions per second,
// 5,000 and more with this one), and its stalls (GC, CPU) went into every path's latency.
interface Target {
  name: string;
  server: Child;
  session: ClientHttp2Session;
  /** The request headers message, as a gRPC frame. */
  frame: Buffer;
}

/**
 * The request headers message as Envoy Gateway sends it by default: the pseudo-headers, the client's
 * headers, and what the connection manager adds before any filter runs (x-forwarded-for and
 * x-forwarded-proto, and x-request-id, which Envoy generates for every request unless told not to). No
 * traceparent (no tracing configured), so the runtime adds one.
 */
const ENVOY_HEADERS = {
  ':authority': 'agents.example.com',
  ':path': '/v1/chat',
  ':method': 'POST',
  ':scheme': 'https',
  'user-agent': 'python-httpx/0.28.1',
  accept: 'application/json',
  'content-type': 'application/json',
  'content-length': '213',
  'x-forwarded-for': '10.244.1.17',
  'x-forwarded-proto': 'https',
  'x-envoy-external-address': '10.244.1.17',
  'x-request-id': 'f3a1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b',
};
const headersMessage = (route: string, headers: Record<string, string>) => ({
  request_headers: {
    headers: {
      headers: Object.entries({ ...ENVOY_HEADERS, ...headers }).map(([key, v]) => ({
        key,
        raw_value: Buffer.from(v),
      })),
    },
  },
  attributes: { 'envoy.filters.http.ext_proc': { fields: { 'xds.route_name': { stringValue: `httproute/bench/${route}/rule/0/match/0/agents_example_com` } } } },
});

/** One simulated HTTP request (bench/ext-proc-load.ts). Resolves with the latency in ms. */
function once(t: Target): Promise<number> {
  const start = performance.now();
  return exchange(t.session, t.frame, t.name).then((answeredAt) => {
    t.server.served++;
    return answeredAt - start;
  });
}

/** Decisions completed in `seconds` with CONCURRENCY streams always open, and the server's CPU time meanwhile (µs). */
async function closedLoop(t: Target, seconds: number): Promise<{ done: number; cpuMicros: number }> {
  const cpuBefore = await askCpu(t.server);
  const done = await closedLoopCount(CONCURRENCY, seconds, () => once(t));
  return { done, cpuMicros: (await askCpu(t.server)) - cpuBefore };
}

const quantile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

/** Sends `rate` requests per second for `seconds`, each on its own stream; every latency is kept. */
async function openLoop(t: Target, rate: number, seconds: number): Promise<{ latencies: number[]; elapsed: number; loadGeneratorDelayP99: number }> {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  // this process's own stalls (its GC, the scheduler) delay sends and answers alike, for every path
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
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
  delay.disable();
  return { latencies, elapsed, loadGeneratorDelayP99: delay.percentile(99) / 1e6 };
}

// one server process per path, so that each one serves exactly the load the no-op serves: a process
// serving two paths would carry the GC debt of both into each one's measurements. Every runtime process
// loads the whole config, 10,000 API keys included (BENCH_KEYS sets how many).
const apiKeyFrame = grpcFrame(headersMessage('apikey', { 'x-api-key': `sk-bench-${Math.min(4242, KEYS - 1)}` }));
const jwtFrame = grpcFrame(headersMessage('jwt', { authorization: `Bearer ${token}` }));
// The control: a second no-op process, the same code measured the same way. Its ratios to the first are
// what this instrument reports for no difference at all, i.e. how far apart two runs of one server land on
// this machine; a runtime ratio inside that spread is not told apart from the floor by this run.
const CONTROL = 'no-op, a second process (control)';
const paths: [name: string, args: string[], frame: Buffer][] = [
  ['no-op', ['noop'], apiKeyFrame],
  [CONTROL, ['noop'], apiKeyFrame],
  [`api key (hashed, ${KEYS % 1000 === 0 ? `${KEYS / 1000}k` : KEYS} keys)`, ['runtime', configPath], apiKeyFrame],
  ['jwt RS256 (verified-token cache)', ['runtime', configPath], jwtFrame],
  ['jwt RS256 (signature every time)', ['runtime', uncachedPath], jwtFrame],
];
const targets: Target[] = [];
for (const [name, args, frame] of paths) {
  const server = await startChild(name, args);
  const session = connect(`http://127.0.0.1:${server.port}`).on('error', (err) => console.error(err));
  targets.push({ name, server, session, frame });
}
const servers = targets.map((t) => t.server);
const [noop, , apiKeyServer] = servers as [Child, Child, Child];
// at start: the config (and the 10,000 keys) loaded, nothing served yet
const memoryAtStart = new Map<Child, MemoryReport>();
for (const c of servers) memoryAtStart.set(c, await askMemory(c));

// this process's young generation is emptied before each turn (a scavenge), not during it
setFlagsFromString('--expose-gc');
const scavenge = runInNewContext('gc') as (options: { type: 'minor' }) => void;

/**
 * Slices. Within a round, each path's open-loop measurement at each rate is cut into SLICES slices of
 * SECONDS / SLICES, and the paths take turns slice by slice: A B C D E A B C D E … The machine's slow
 * stretches last seconds; with one turn of 1.25 s per path, a stretch fell on one or two paths of a round
 * and decided their pooled p99 (the control, the floor's own code, came out not decided against the floor
 * in two runs of three); in turns of 0.25 s, it falls on every path of the round alike. At these rates a
 * server is idle most of the time anyway (some 100 µs of CPU per request), so the pauses between its turns
 * are more of what it has between requests.
 *
 * The closed loop is not cut: it measures a server that is never idle, and cut, each server would idle
 * between its turns (and could finish its collector's work there, outside the measured time). Each path has
 * its 1.25 s in one turn; that verdict never depended on the machine's slow stretches (BENCHMARKS.md).
 *
 * Warm-up. Before every measurement, the same load runs unmeasured for some WARMUP seconds per path: the
 * closed loop before the closed loop; the same rate before an open loop, in the same turns as the measured
 * slices. Every measured slice so finds its server in the steady state of that load, its code optimized and
 * its old generation holding what that load leaves there, and follows the same pattern of turns as the rest.
 *
 * Nothing here forces a full GC, in a server or in this process: a forced full collection (`gc()`) throws
 * away V8's optimized code (`--trace-deopt`: every hot function deoptimized, "weak objects"), and TurboFan
 * then compiles it all again on the background threads for a second or two, on the two cores the
 * measurement runs on. Until this bench stopped forcing them (see BENCHMARKS.md), every measurement of
 * every path paid for that. The memory reducer's collections in a process left idle do the same; the
 * servers run with it off, as the image runs the runtime (src/compile/runtime/process.ts), so they keep
 * their code between their turns. A scavenge keeps it.
 */
// the open loop's warm-up in whole turns
const WARMUP_TURNS = Math.round(WARMUP / SLICE);
/** `turns` turns of every target in `order`, each one a slice after a scavenge here. */
async function inTurns(order: readonly Target[], turns: number, slice: (t: Target) => Promise<void>): Promise<void> {
  for (let i = 0; i < turns; i++) {
    for (const t of order) {
      scavenge({ type: 'minor' });
      await slice(t);
    }
  }
}

// warm up (JIT, JWKS fetch, HTTP/2 connections): the same for every target
for (const t of targets) await closedLoop(t, 1);

/**
 * Per path, one entry per round (open loop: per rate); `rounds` keeps each round's latencies (sorted), which
 * the pooled figures and the intervals are computed from.
 */
type Row = {
  throughput: number[];
  cpuPerStream: number[];
  p50: Record<number, number[]>;
  p99: Record<number, number[]>;
  achieved: Record<number, number[]>;
  rounds: Record<number, number[][]>;
  loadGeneratorDelay: Record<number, number[]>;
};
const perRate = <T>() => Object.fromEntries(RATES.map((r) => [r, [] as T[]]));
const rows = new Map<string, Row>(
  targets.map((t) => [t.name, { throughput: [], cpuPerStream: [], p50: perRate(), p99: perRate(), achieved: perRate(), rounds: perRate(), loadGeneratorDelay: perRate() }]),
);
const began = performance.now();
for (let round = 0; round < ROUNDS; round++) {
  // each round starts with another path, so that none always takes its turn right after the same one
  const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
  // the closed loop: each path's 1.25 s in one turn, after its warm-up (see SLICES)
  for (const t of order) {
    scavenge({ type: 'minor' });
    await closedLoop(t, WARMUP);
    scavenge({ type: 'minor' });
    const { done, cpuMicros } = await closedLoop(t, SECONDS);
    rows.get(t.name)!.throughput.push(done / SECONDS);
    rows.get(t.name)!.cpuPerStream.push(cpuMicros / done);
  }
  for (const rate of RATES) {
    await inTurns(order, WARMUP_TURNS, async (t) => void (await openLoop(t, rate, SLICE)));
    const open = new Map(order.map((t) => [t, { latencies: [] as number[], elapsed: 0, delays: [] as number[] }]));
    await inTurns(order, SLICES, async (t) => {
      const r = await openLoop(t, rate, SLICE);
      const o = open.get(t)!;
      for (const ms of r.latencies) o.latencies.push(ms);
      o.elapsed += r.elapsed;
      o.delays.push(r.loadGeneratorDelayP99);
    });
    for (const [t, o] of open) {
      const row = rows.get(t.name)!;
      o.latencies.sort((a, b) => a - b);
      row.p50[rate]!.push(quantile(o.latencies, 0.5));
      row.p99[rate]!.push(quantile(o.latencies, 0.99));
      row.achieved[rate]!.push(o.latencies.length / o.elapsed);
      row.loadGeneratorDelay[rate]!.push(Math.max(...o.delays));
      row.rounds[rate]!.push(o.latencies);
    }
  }
}
const measured = (performance.now() - began) / 1000;
const memoryAfter = new Map<Child, MemoryReport>();
for (const c of servers) memoryAfter.set(c, await askMemory(c));

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const base = rows.get('no-op')!;
const f = (n: number, d = 2) => n.toFixed(d);
/** The range of the rounds, when there are several. */
const range = (xs: readonly number[], fmt: (n: number) => string) => (xs.length > 1 ? ` (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})` : '');
/** Every latency of every round of a path at a rate, sorted. */
const pooled = (row: Row, rate: number) => sorted(row.rounds[rate]!.flat());
const p99Of = (row: Row, rate: number) => quantile(pooled(row, rate), 0.99);
const samples = RATES.map((rate) => `${(rate * SECONDS * ROUNDS).toLocaleString('en')} at ${rate.toLocaleString('en')}/s`).join(', ');
console.log(`\nportcullis runtime vs a no-op ExternalProcessor (same gRPC stack), ${ROUNDS} rounds of ${SECONDS}s per path and measurement, the open loop in turns of ${f(SLICE)}s`);
console.log(`closed loop: ${CONCURRENCY} concurrent streams; open loop: fixed offered rate, one stream per request; loopback, load generator in its own process`);
console.log(`each cell: every round pooled (decisions over time; the p99 of all latency samples: ${samples}), then the range of the single rounds`);
console.log(`vs no-op: pooled over pooled, then the range of the same-round ratios\n`);
console.log('| path | decisions/s (closed loop) | vs no-op | p50 @1000 rps (ms) | p99 @1000 rps (ms) | p99 vs no-op | p50 @2000 rps (ms) | p99 @2000 rps (ms) | p99 vs no-op |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [name, row] of rows) {
  // equal rounds: the pooled rate is the mean of the rounds' rates
  const throughput = sum(row.throughput) / row.throughput.length;
  const vs = row.throughput.map((tp, i) => (tp / base.throughput[i]!) * 100);
  const cells = [`${f(throughput, 0)}${range(row.throughput, (n) => f(n, 0))}`, `${f((throughput / (sum(base.throughput) / base.throughput.length)) * 100, 0)}%${range(vs, (n) => `${f(n, 0)}%`)}`];
  for (const rate of RATES) {
    const ratios = row.p99[rate]!.map((p99, i) => p99 / base.p99[rate]![i]!);
    cells.push(
      f(quantile(pooled(row, rate), 0.5)),
      `${f(p99Of(row, rate))}${range(row.p99[rate]!, (n) => f(n))}`,
      `${f(p99Of(row, rate) / p99Of(base, rate))}x${range(ratios, (n) => `${f(n)}x`)}`,
    );
  }
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
const median = (xs: readonly number[]) => quantile(sorted(xs), 0.5);
const medians = [...rows]
  .filter(([n]) => n !== 'no-op')
  .map(([n, r]) => {
    const vs = median(r.throughput.map((tp, i) => tp / base.throughput[i]!));
    const p99s = RATES.map((rate) => `${f(median(r.p99[rate]!.map((p, i) => p / base.p99[rate]![i]!)))}x`);
    return `${n} ${f(vs * 100, 0)}%, ${p99s.join('/')}`;
  })
  .join('; ');
console.log(`\nmedian of the same-round ratios (throughput; p99 at 1000/2000 offered): ${medians}`);
const achieved = [...rows].map(([n, r]) => `${n} ${RATES.map((rate) => f(median(r.achieved[rate]!), 0)).join('/')}`).join(', ');
console.log(`achieved open-loop rates (1000/2000 offered): ${achieved}`);
const stalls = [...rows].map(([n, r]) => `${n} ${RATES.map((rate) => f(median(r.loadGeneratorDelay[rate]!))).join('/')}`).join(', ');
console.log(`the load generator's own event-loop delay, p99 (ms, 1000/2000 offered; a round's worst slice, median of rounds): ${stalls}`);

// memory of each server process, after a full GC, at start (config loaded) and after the run
const mb = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '–' : f(n / 2 ** 20, 1));
console.log(`\nmemory (MB): at start (config and ${KEYS.toLocaleString('en')} hashed API keys loaded) -> after the run; RSS a second after a full GC, and right after it; peak: the process's highest RSS (VmHWM); anon / file-backed after the run`);
console.log('| process | streams served | RSS | RSS right after GC | peak RSS | anon / file-backed | heap used | heap committed | new space | external (array buffers) |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const c of servers) {
  const [a, b] = [memoryAtStart.get(c)!, memoryAfter.get(c)!];
  const both = (get: (m: MemoryReport) => number | undefined) => `${mb(get(a))} -> ${mb(get(b))}`;
  console.log(
    `| ${c.name} | ${c.served.toLocaleString('en')} | ${both((m) => m.rss)} | ${both((m) => m.rssRightAfterGc)} | ${mb(b.rssPeak)} | ${mb(b.rssAnon)} / ${mb(b.rssFile)} | ${both((m) => m.heapUsed)} | ${both((m) => m.heapTotal)} | ${both((m) => m.spaces.new_space)} | ${both((m) => m.external)} (${mb(b.arrayBuffers)}) |`,
  );
}
console.log('\nserver CPU time per decision (all its threads; closed loop: median of rounds; whole run: warm-up included), and GC pauses of the main thread during the run: count, total ms, longest ms');
console.log('| process | CPU per decision, closed loop (µs) | CPU per decision, whole run (µs) | scavenge | mark-compact | incremental marking | weak callbacks |');
console.log('|---|---|---|---|---|---|---|');
for (const c of servers) {
  const [a, b] = [memoryAtStart.get(c)!.gc, memoryAfter.get(c)!.gc];
  const kind = (k: string) => {
    const [x, y] = [a[k] ?? { count: 0, totalMs: 0, maxMs: 0 }, b[k] ?? { count: 0, totalMs: 0, maxMs: 0 }];
    return y.count === x.count ? '0' : `${y.count - x.count}, ${f(y.totalMs - x.totalMs, 0)}, ${f(y.maxMs, 1)}`;
  };
  const cpu = (memoryAfter.get(c)!.cpuMicros - memoryAtStart.get(c)!.cpuMicros) / c.served;
  const closed = rows.get(c.name)!.cpuPerStream;
  console.log(`| ${c.name} | ${f(median(closed), 0)}${range(closed, (n) => f(n, 0))} | ${f(cpu, 0)} | ${kind('scavenge')} | ${kind('mark-compact')} | ${kind('incremental marking')} | ${kind('weak callbacks')} |`);
}
const rss = (m: Map<Child, MemoryReport>, c: Child) => mb(m.get(c)!.rss);
console.log(
  `runtime RSS with ${KEYS.toLocaleString('en')} hashed API keys loaded (API-key process): ${rss(memoryAtStart, apiKeyServer)} MB at start, ${rss(memoryAfter, apiKeyServer)} MB after the run, ${mb(memoryAfter.get(apiKeyServer)!.rssPeak)} MB at its peak (target < 150 MB); ` +
    `no-op (the floor): ${rss(memoryAtStart, noop)} MB at start, ${rss(memoryAfter, noop)} MB after the run, ${mb(memoryAfter.get(noop)!.rssPeak)} MB at its peak`,
);
console.log(
  `every server started as the image starts the runtime: ${Object.entries(RUNTIME_NODE_ENV)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')} node ${serverFlags.join(' ')}`,
);
console.log(`targets: throughput >= 70% of no-op, p99 <= 1.5x no-op, RSS < 150 MB; measured in ${f(measured, 0)}s`);
const control = rows.get(CONTROL)!;
console.log(
  `the instrument's own spread (${CONTROL} against the no-op, same code): throughput ${f((sum(control.throughput) / sum(base.throughput)) * 100, 0)}%, ` +
    `p99 ${RATES.map((rate) => `${f(p99Of(control, rate) / p99Of(base, rate))}x`).join('/')} at ${RATES.join('/')} offered`,
);

// Verdicts. A round is the unit that varies (the machine's swings, whether a GC fell in it), so each ratio
// gets a 95% bootstrap interval over rounds: the rounds resampled with replacement, the same rounds for the
// path and the no-op, the pooled figure recomputed. A target is met when the whole interval meets it,
// missed when none of it does, and not decided by this run otherwise; the control's interval is what the
// instrument reports for no difference at all.
const BOOTSTRAP = 2000;
/**
 * The pooled p99 of some rounds' latencies (each sorted; a round may come more than once), as `quantile`
 * would find it in their concatenation: the above-th largest, walked down from the rounds' tails.
 */
function pooledP99(rounds: readonly (readonly number[])[]): number {
  const n = sum(rounds.map((r) => r.length));
  const above = n - Math.min(n - 1, Math.floor(0.99 * n));
  const next = rounds.map((r) => r.length - 1);
  let value = NaN;
  for (let k = 0; k < above; k++) {
    let best = -1;
    for (let j = 0; j < rounds.length; j++) if (next[j]! >= 0 && (best < 0 || rounds[j]![next[j]!]! > rounds[best]![next[best]!]!)) best = j;
    value = rounds[best]![next[best]!--]!;
  }
  return value;
}
function interval(statistic: (rounds: readonly number[]) => number): [number, number] {
  const xs: number[] = [];
  for (let b = 0; b < BOOTSTRAP; b++) xs.push(statistic(Array.from({ length: ROUNDS }, () => Math.floor(Math.random() * ROUNDS))));
  xs.sort((a, b) => a - b);
  return [quantile(xs, 0.025), quantile(xs, 0.975)];
}
// a bootstrap over a handful of rounds says little: below this many, the intervals are printed, no verdict
const VERDICT_MIN_ROUNDS = 10;
function verdict(estimate: number, [lo, hi]: [number, number], meets: (x: number) => boolean, fmt: (x: number) => string): string {
  const word = ROUNDS < VERDICT_MIN_ROUNDS ? 'no verdict' : meets(lo) && meets(hi) ? 'met' : !meets(lo) && !meets(hi) ? 'missed' : 'not decided';
  return `${fmt(estimate)} [${fmt(lo)}–${fmt(hi)}] ${word}`;
}
const pct = (x: number) => `${f(x * 100, 0)}%`;
const times = (x: number) => `${f(x)}x`;
console.log(
  `\nverdicts: each ratio to the no-op with its 95% bootstrap interval over the ${ROUNDS} rounds; met or missed only when the whole interval is` +
    (ROUNDS < VERDICT_MIN_ROUNDS ? ` (no verdicts from fewer than ${VERDICT_MIN_ROUNDS} rounds)` : ''),
);
console.log(`| path | throughput vs no-op (>= 70%) | ${RATES.map((rate) => `p99 vs no-op @${rate} rps (<= 1.5x)`).join(' | ')} |`);
console.log(`|---|---|${RATES.map(() => '---|').join('')}`);
for (const [name, row] of rows) {
  if (row === base) continue;
  const throughputRatio = (rs: readonly number[]) => sum(rs.map((i) => row.throughput[i]!)) / sum(rs.map((i) => base.throughput[i]!));
  const cells = [verdict(sum(row.throughput) / sum(base.throughput), interval(throughputRatio), (x) => x >= 0.7, pct)];
  for (const rate of RATES) {
    const p99Ratio = (rs: readonly number[]) => pooledP99(rs.map((i) => row.rounds[rate]![i]!)) / pooledP99(rs.map((i) => base.rounds[rate]![i]!));
    cells.push(verdict(p99Of(row, rate) / p99Of(base, rate), interval(p99Ratio), (x) => x <= 1.5, times));
  }
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}

for (const t of targets) t.session.close();
for (const c of servers) c.proc.send({ cmd: 'exit' });
jwksServer.close();
rmSync(dir, { recursive: true, force: true });
