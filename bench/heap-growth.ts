/**
 * How V8's heap settings drive full collections in a server on the runtime's gRPC stack
 * (`npm run bench:heap-growth`): a no-op ExternalProcessor (bench/runtime-server.ts, `noop`) under a closed
 * loop of 32 streams, once per setting of node's flags, with `--trace-gc-nvp`; prints, per setting, the
 * mark-compacts per 10,000 streams and the bytes each stream left promoted to the old generation. The
 * figures behind RUNTIME_HEAP_GROWING_PERCENT (src/compile/runtime/process.ts); BENCHMARKS.md has a run.
 *
 *   HEAP_GROWTH_SECONDS (default 5) per run, HEAP_GROWTH_RUNS (default 2) runs of each setting, interleaved.
 */
import { fork } from 'node:child_process';
import { connect } from 'node:http2';
import { RUNTIME_NODE_ENV, RUNTIME_NODE_FLAGS, RUNTIME_OLD_SPACE_MIB, RUNTIME_SEMI_SPACE_MIB } from '../src/compile/runtime/process.js';
import { closedLoopCount, exchange, grpcFrame } from './ext-proc-load.js';
import { buildRuntimeServer } from './runtime-build.js';
import { positive, setting, whole } from './settings.js';

const SECONDS = setting('HEAP_GROWTH_SECONDS', 5, positive, 'a number of seconds above 0');
const RUNS = setting('HEAP_GROWTH_RUNS', 2, whole(1), 'a whole number of runs, 1 or more');
const CONCURRENCY = 32;

const semi = `--max-semi-space-size=${RUNTIME_SEMI_SPACE_MIB}`;
const old = `--max-old-space-size=${RUNTIME_OLD_SPACE_MIB}`;
// compiled, under plain node, as the image runs the runtime (under tsx the heap is another one)
const serverScript = buildRuntimeServer();

const SETTINGS: readonly (readonly string[])[] = [
  [semi],
  [semi, old, '--no-memory-reducer'],
  [semi, old, '--no-memory-reducer', '--heap-growing-percent=50'],
  [semi, old, '--no-memory-reducer', '--heap-growing-percent=100'],
  [semi, old, '--no-memory-reducer', '--heap-growing-percent=200'],
  RUNTIME_NODE_FLAGS,
];

// a request headers message as Envoy sends one
const frame = grpcFrame({
  request_headers: {
    headers: {
      headers: Object.entries({ ':method': 'POST', ':path': '/v1/chat', ':authority': 'agents.example.com', 'user-agent': 'python-httpx/0.28.1', 'x-request-id': 'f3a1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b' }).map(
        ([key, v]) => ({ key, raw_value: Buffer.from(v) }),
      ),
    },
  },
});

interface Result {
  streams: number;
  markCompacts: number;
  promoted: number;
}

/** One run: the no-op server under `flags`, CONCURRENCY streams always open for SECONDS. */
async function run(flags: readonly string[]): Promise<Result> {
  const server = fork(serverScript, ['noop'], {
    execArgv: [...flags, '--trace-gc-nvp'],
    env: { ...process.env, ...RUNTIME_NODE_ENV },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let trace = '';
  server.stdout!.on('data', (d: Buffer) => (trace += d.toString()));
  const { port } = await new Promise<{ port: number }>((resolve, reject) => {
    server.once('message', (m) => resolve(m as { port: number }));
    server.once('exit', (code) => reject(new Error(`the no-op server exited with ${code} (flags: ${flags.join(' ')})`)));
  });
  const session = connect(`http://127.0.0.1:${port}`);
  session.on('error', () => undefined); // the server goes away at the end
  const once = () => exchange(session, frame, 'the no-op server');
  // the trace up to here is start-up: only the load's collections count
  const start = trace.length;
  const streams = await closedLoopCount(CONCURRENCY, SECONDS, once);
  session.close();
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.send({ cmd: 'exit' });
  await exited;
  let markCompacts = 0;
  let promoted = 0;
  for (const line of trace.slice(start).split('\n')) {
    if (/ gc=s /.test(line)) promoted += Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0);
    else if (/ gc=mc /.test(line)) markCompacts++;
  }
  return { streams, markCompacts, promoted };
}

const results = new Map<readonly string[], Result[]>(SETTINGS.map((s) => [s, []]));
for (let r = 0; r < RUNS; r++) for (const s of SETTINGS) results.get(s)!.push(await run(s));

const range = (xs: number[], digits: number) => {
  const lo = Math.min(...xs).toFixed(digits);
  const hi = Math.max(...xs).toFixed(digits);
  return lo === hi ? lo : `${lo}–${hi}`;
};
console.log(`a no-op ExternalProcessor (grpc-js, the runtime's protos and server options), ${CONCURRENCY} streams always open, ${SECONDS} s per run, ${RUNS} runs per setting, interleaved`);
console.log(`the image's flags: ${RUNTIME_NODE_FLAGS.join(' ')}\n`);
console.log('| node flags | streams per run | mark-compacts per 10,000 streams | promoted per stream (kB) |');
console.log('|---|---|---|---|');
for (const [flags, rs] of results) {
  console.log(
    `| ${flags.join(' ')} | ${range(rs.map((x) => x.streams), 0)} | ${range(rs.map((x) => (x.markCompacts / x.streams) * 10_000), 1)} | ${range(rs.map((x) => x.promoted / x.streams / 1024), 2)} |`,
  );
}
