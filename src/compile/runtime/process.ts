/**
 * How the runtime's node process runs: its memory in the Deployment, and the V8 and glibc settings the
 * image starts it with to stay well inside that limit. bench/runtime.ts starts its servers with exactly
 * these, so that what it measures is what runs in production.
 *
 * Without flags node sizes V8's heap from the memory it sees: inside a 256 MiB container that is a
 * 256 MiB old generation (the whole limit, so a runaway heap meets the kernel's OOM killer before V8's
 * limit) and 1 MiB semi-spaces (a scavenge every few dozen requests); on a large machine, as in a
 * benchmark, 4 GiB and 16 MiB. Neither is what we want, and they differ from each other.
 */

/** The Deployment's memory request and limit (MiB). */
export const RUNTIME_MEMORY_REQUEST_MIB = 128;
export const RUNTIME_MEMORY_LIMIT_MIB = 256;

/**
 * V8's young generation: two semi-spaces of this size (MiB). The runtime allocates some 30 kB per request
 * (most of it in grpc-js and node's HTTP/2), nearly all of it dead by the next scavenge, so 8 MiB means a
 * scavenge every few hundred requests, each a millisecond or two. 16 MiB (node's default on a large
 * machine) halves their number for 16 MiB more of RSS; it did not measurably lower the p99 in the bench of
 * the time (commit 498085d: forced collections before every measurement, the collector on helper threads),
 * and has not been measured since.
 */
export const RUNTIME_SEMI_SPACE_MIB = 8;

/**
 * V8's old generation limit (MiB): half the memory limit. The runtime holds some 22 MB (with 10,000 API
 * keys); with the young generation, the node binary (some 45 MB of RSS) and native memory (some 40 MB:
 * HTTP/2, OpenSSL, libuv) this stays inside the limit, and a runaway heap ends in a clean heap-out-of-memory
 * exit.
 */
export const RUNTIME_OLD_SPACE_MIB = RUNTIME_MEMORY_LIMIT_MIB / 2;

/**
 * How far the old generation may grow past what the last full collection left, before the next one
 * (percent). Under a heap limit below 256 MiB V8 allows 30% at most: for the runtime's 20 MB, a full
 * collection for every 8 MB or so promoted. Under load a server on this stack promotes up to 4–5 kB per
 * stream (grpc-js's per-call objects), so that was a mark-compact every 200 to 300 ms, each some 7 ms of
 * pause plus its marking, with CPU to match. `npm run bench:heap-growth` (the no-op server on the
 * runtime's stack, closed loop): 2.3 mark-compacts per 10,000 streams at 30%, 0.9 at 100%, none or nearly
 * at 200%. In bench/runtime.ts (40 rounds), 100% took the no-op's mark-compacts from some 450 to 280 and
 * the cached-JWT runtime's from 470 to 200, and every server's CPU per decision down by 22–35%
 * (BENCHMARKS.md). It lets the heap double what a full collection left (some 20 MB to 40, well inside
 * RUNTIME_OLD_SPACE_MIB); 200% raised the bench's peak RSS by 20 MB.
 */
export const RUNTIME_HEAP_GROWING_PERCENT = 100;

/**
 * node's flags, before the script: the heap's sizes and growth above, V8's collector on the main thread
 * alone, and its memory reducer off.
 *
 * `--single-threaded-gc`: otherwise V8 scavenges in parallel and marks concurrently on helper threads,
 * which share the Deployment's one CPU with the thread serving requests (and, on a bench machine, the two
 * cores with the load generator), so a collection slows the requests it does not pause. In two 40-round
 * runs of bench/runtime.ts it took the no-op's p99 at 2,000 requests per second from 10.4 ms to 5.0–5.2,
 * the runtime's from 17.7–19.4 to 5.5–6.4, and every server's CPU per decision down by a quarter; the
 * peak RSS rose by 10–17 MB, to 135–138 MB with 10,000 API keys (BENCHMARKS.md).
 *
 * `--no-memory-reducer`: once a process has allocated little for some seconds, the memory reducer runs
 * full collections that shrink the heap, and they throw away V8's optimized code (`--trace-deopt`: every
 * hot function deoptimized, "weak objects"). The first requests after a quiet spell would then run
 * unoptimized while TurboFan compiles it all again, for a second or two, on the pod's CPU. The collections
 * that steady traffic brings keep the code. The heap the reducer would hand back is inside the pod's
 * memory limit either way.
 */
export const RUNTIME_NODE_FLAGS: readonly string[] = [
  `--max-semi-space-size=${RUNTIME_SEMI_SPACE_MIB}`,
  `--max-old-space-size=${RUNTIME_OLD_SPACE_MIB}`,
  `--heap-growing-percent=${RUNTIME_HEAP_GROWING_PERCENT}`,
  '--single-threaded-gc',
  '--no-memory-reducer',
];

/**
 * The process environment. glibc gives threads that allocate (libuv's pool reading files and doing
 * crypto, V8's compiler threads) malloc arenas of their own, up to eight per core of the node, not of the
 * pod, and each keeps what it once held; two arenas are plenty for one event loop.
 */
export const RUNTIME_NODE_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
