/**
 * A server process for bench/runtime.ts: `runtime CONFIG` runs the portcullis runtime, `noop` a no-op
 * ExternalProcessor on the same stack (@grpc/grpc-js + the same protos) — the floor of this design.
 * Reports its port to the parent over IPC, and its memory when asked (after a full GC).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import * as grpc from '@grpc/grpc-js';
import { startRuntime } from '../src/runtime/index.js';
import { GRPC_SERVER_OPTIONS } from '../src/runtime/server.js';
import { externalProcessorService } from '../src/runtime/protos.js';

/** What the parent gets for `{ cmd: 'memory' }`, in bytes. */
export interface MemoryReport extends NodeJS.MemoryUsage {
  /** Committed memory of each V8 heap space (new_space, old_space, code_space, large_object_space, …). */
  readonly spaces: Record<string, number>;
  /** RSS split as the kernel counts it (Linux): anonymous (heap, malloc, stacks) and file-backed (the node binary, libraries). */
  readonly rssAnon?: number;
  readonly rssFile?: number;
  /** RSS read right after the full GC, before V8 handed the freed pages back (`rss` is read a second later). */
  readonly rssRightAfterGc: number;
  /** The highest RSS of the process so far (Linux VmHWM). */
  readonly rssPeak?: number;
  /** CPU time of the process so far (all threads: main, GC helpers, libuv's pool), in microseconds. */
  readonly cpuMicros: number;
  /** GC pauses on the main thread since the process started, by kind (scavenge, mark-compact, …); maxMs since the last report. */
  readonly gc: Record<string, GcPauses>;
}
export interface GcPauses {
  count: number;
  totalMs: number;
  maxMs: number;
}

// every pause of the main thread for GC: what a request in flight waits through (the collections the
// load generator asks for between measurements, and before a memory report, are not counted)
const gc: Record<string, GcPauses> = {};
const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const detail = (e as PerformanceEntry & { detail?: { kind?: number; flags?: number } }).detail;
    if ((detail?.flags ?? 0) & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) continue;
    const kind = GC_KINDS[detail?.kind ?? -1] ?? 'other';
    const p = (gc[kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
    p.count++;
    p.totalMs += e.duration;
    p.maxMs = Math.max(p.maxMs, e.duration);
  }
}).observe({ entryTypes: ['gc'] });

const [mode, config] = process.argv.slice(2);
const send = (m: unknown) => process.send!(m);

function memory(): Omit<MemoryReport, 'gc' | 'cpuMicros' | 'rssRightAfterGc'> {
  const spaces: Record<string, number> = {};
  for (const s of getHeapSpaceStatistics()) spaces[s.space_name] = s.physical_space_size;
  let kernel: { rssAnon?: number; rssFile?: number; rssPeak?: number } = {};
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1]) * 1024;
    kernel = { rssAnon: kb('RssAnon'), rssFile: kb('RssFile') + kb('RssShmem'), rssPeak: kb('VmHWM') };
  } catch {
    // not Linux: RSS only
  }
  return { ...process.memoryUsage(), spaces, ...kernel };
}

if (mode === 'runtime') {
  const rt = await startRuntime({ configPath: config!, port: 0, metricsPort: 0, bind: '127.0.0.1', logLevel: 'warn' });
  send({ port: rt.port });
} else {
  const server = new grpc.Server(GRPC_SERVER_OPTIONS); // the runtime's own options
  server.addService(externalProcessorService(), {
    Process: (call: grpc.ServerDuplexStream<{ request_headers?: unknown }, unknown>) => {
      call.on('data', () => call.write({ request_headers: {} }));
      call.on('end', () => call.end());
      call.on('error', () => undefined);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  send({ port });
}
// BENCH_HEAP_PROF=DIR: a sampling allocation profile of the run (from the memory report at start to the
// one after the run), counting objects the GC collected too, written to DIR (summarize with bench/cpuprofile-top.ts);
// with BENCH_HEAP_PROF_PROMOTED=1, only what lived to be promoted (objects a scavenge collected left out)
const heapProfile = process.env.BENCH_HEAP_PROF;
const session = heapProfile ? new Session() : undefined;
session?.connect();
let sampling: 'not yet' | 'on' | 'done' = 'not yet';

async function report(): Promise<MemoryReport> {
  if (sampling === 'on') {
    const { profile } = await session!.post('HeapProfiler.stopSampling');
    writeFileSync(join(heapProfile!, `${mode}-${process.pid}.heapprofile`), JSON.stringify(profile));
    sampling = 'done';
  }
  const pauses = structuredClone(gc);
  const cpu = process.cpuUsage();
  for (const p of Object.values(gc)) p.maxMs = 0; // the next report's longest pause is one since this one
  // the same full collection in every process, so that what is left is what the process holds; V8 hands
  // the freed pages back to the OS from a background task, so RSS is read once that has had time to run
  global.gc?.();
  const rssRightAfterGc = process.memoryUsage.rss();
  await new Promise((r) => setTimeout(r, 1000));
  const m = { ...memory(), gc: pauses, cpuMicros: cpu.user + cpu.system, rssRightAfterGc };
  if (session && sampling === 'not yet') {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMinorGC: process.env.BENCH_HEAP_PROF_PROMOTED !== '1', includeObjectsCollectedByMajorGC: true });
    sampling = 'on';
  }
  return m;
}

process.on('message', (m: { cmd?: string }) => {
  if (m.cmd === 'memory') void report().then((memory) => send({ memory }));
  if (m.cmd === 'cpu') {
    const cpu = process.cpuUsage();
    send({ cpuMicros: cpu.user + cpu.system });
  }
  if (m.cmd === 'exit') process.exit(0);
});
