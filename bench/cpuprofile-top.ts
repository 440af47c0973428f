/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time by package/area and by function, and
 * total (inclusive) time of the functions named on the command line. Given a .heapprofile (a sampling
 * allocation profile, e.g. from bench/runtime.ts with BENCH_HEAP_PROF), the same for bytes allocated.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/synth-worker.ts 1000 portcullis time 1
 *   npx tsx bench/cpuprofile-top.ts /tmp/prof/CPU.*.cpuprofile [functionName ...]
 *
 * `--diff A nA B nB` sets two profiles of one kind side by side, each divided by its count of work done
 * (streams served, say; bench/runtime.ts prints them): self time in µs, or bytes, per unit by function,
 * largest difference first. What the runtime costs over the no-op, per decision:
 *
 *   BENCH_CPU_PROF=/tmp/prof npm run bench:runtime   # profiles named by pid, in the order of the table
 *   npx tsx bench/cpuprofile-top.ts --diff /tmp/prof/<no-op>.cpuprofile 84706 /tmp/prof/<api key>.cpuprofile 75161
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}
interface HeapNode {
  id: number;
  callFrame: Node['callFrame'];
  /** Bytes allocated here, estimated from the samples (V8 scales each by how likely its size was to be sampled). */
  selfSize: number;
  children: HeapNode[];
}
interface HeapProfile {
  head: HeapNode;
}

/**
 * A sampling heap profile as a CPU profile whose "time" is bytes: one sample per node, of the bytes V8
 * estimates were allocated there. (Not the raw samples: each holds the size of the one object sampled, and
 * a small object stands for many more bytes than its size, a large one for about its own.)
 */
function fromHeapProfile(h: HeapProfile): Profile {
  const nodes: Node[] = [];
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  const walk = (n: HeapNode) => {
    nodes.push({ id: n.id, callFrame: n.callFrame, children: n.children.map((c) => c.id) });
    if (n.selfSize > 0) {
      samples.push(n.id);
      timeDeltas.push(n.selfSize);
    }
    n.children.forEach(walk);
  };
  walk(h.head);
  return { nodes, samples, timeDeltas };
}

function load(file: string): { heap: boolean; p: Profile } {
  const heap = file.endsWith('.heapprofile');
  const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
  return { heap, p: heap ? fromHeapProfile(json as HeapProfile) : (json as Profile) };
}

/** Self time (µs) or bytes by function and by area; `busy`: idle time left out. */
function selfTotals(p: Profile, busy = false): { byFn: Map<string, number>; byArea: Map<string, number>; total: number } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const byArea = new Map<string, number>();
  const byFn = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const us = p.timeDeltas[i] ?? 0;
    const n = byId.get(id)!;
    if (busy && n.callFrame.functionName === '(idle)') return;
    total += us;
    const a = area(n.callFrame.url);
    byArea.set(a, (byArea.get(a) ?? 0) + us);
    const fn = `${n.callFrame.functionName || '(anonymous)'}  ${a}:${n.callFrame.lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
  });
  return { byFn, byArea, total };
}

/** Two profiles per unit of work, function by function, largest difference first. */
function diff(args: string[]): void {
  const [fileA, nA, fileB, nB] = args;
  const units = [Number(nA), Number(nB)];
  if (!fileA || !fileB || !units.every((n) => Number.isFinite(n) && n > 0)) throw new Error('usage: cpuprofile-top.ts --diff <A> <units of A> <B> <units of B>');
  const [a, b] = [load(fileA), load(fileB)];
  if (a.heap !== b.heap) throw new Error('--diff: one CPU profile and one heap profile');
  const [ta, tb] = [selfTotals(a.p, true), selfTotals(b.p, true)];
  const per = (v: number | undefined, n: number) => (v ?? 0) / n;
  const unit = a.heap ? 'bytes' : 'µs';
  const digits = a.heap ? 0 : 2;
  const col = (v: number) => v.toFixed(digits).padStart(9);
  console.log(`per unit, busy (idle left out): A ${col(per(ta.total, units[0]!))} ${unit}, B ${col(per(tb.total, units[1]!))} ${unit}\n`);
  console.log(`${'A'.padStart(9)} ${'B'.padStart(9)} ${'B - A'.padStart(9)}  (${unit} per unit, self)`);
  const rows = [...new Set([...ta.byFn.keys(), ...tb.byFn.keys()])].map((fn) => {
    const [x, y] = [per(ta.byFn.get(fn), units[0]!), per(tb.byFn.get(fn), units[1]!)];
    return { fn, x, y, d: y - x };
  });
  rows.sort((r, q) => Math.abs(q.d) - Math.abs(r.d));
  for (const r of rows.slice(0, 40)) console.log(`${col(r.x)} ${col(r.y)} ${col(r.d)}  ${r.fn}`);
}

function area(url: string): string {
  if (!url) return '(native/vm)';
  const nm = [...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].pop(); // the innermost package: cdk8s bundles yaml
  if (nm) return nm[1]!;
  const src = /\/work\/main\/((?:src|bench)\/(?:[^/]+\/)?)/.exec(url) ?? /\/((?:src|bench)\/(?:[^/]+\/)?)/.exec(url);
  if (src) return src[1]!;
  if (url.startsWith('node:')) return 'node:internal';
  return url;
}

function main(): void {
  const [file, ...wanted] = process.argv.slice(2);
  if (file === '--diff') return diff(wanted);
  if (!file) throw new Error('usage: cpuprofile-top.ts <file.cpuprofile|file.heapprofile> [functionName ...] | --diff <A> <nA> <B> <nB>');
  const { heap, p } = load(file);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const { byFn, byArea, total } = selfTotals(p);
  const unit = heap ? 'kB' : 'ms'; // bytes or microseconds, both shown in thousands
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ${unit}`;
  const top = (m: Map<string, number>, k: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k);
  const what = heap ? 'bytes allocated' : 'time';
  console.log(`total sampled: ${(total / 1000).toFixed(0)} ${unit}\n\nself ${what} by area:`);
  for (const [a, us] of top(byArea, 15)) console.log(`  ${pct(us)}  ${a}`);
  console.log(`\nself ${what} by function:`);
  for (const [f, us] of top(byFn, 25)) console.log(`  ${pct(us)}  ${f}`);

  if (wanted.length > 0) {
    // inclusive time: a sample counts once for a function when that function is anywhere on its stack
    console.log(`\ninclusive ${what}:`);
    for (const name of wanted) {
      let us = 0;
      p.samples.forEach((id, i) => {
        for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
          if (byId.get(cur)!.callFrame.functionName === name) {
            us += p.timeDeltas[i] ?? 0;
            break;
          }
        }
      });
      console.log(`  ${pct(us)}  ${name}`);
    }
  }
}

try {
  main();
} catch (err) {
  console.error(`cpuprofile-top: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
