/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time by package/area and by function, and
 * total (inclusive) time of the functions named on the command line. Given a .heapprofile (a sampling
 * allocation profile, e.g. from bench/runtime.ts with BENCH_HEAP_PROF), the same for bytes allocated.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/synth-worker.ts 1000 portcullis time 1
 *   npx tsx bench/cpuprofile-top.ts /tmp/prof/CPU.*.cpuprofile [functionName ...]
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
  children: HeapNode[];
}
interface HeapProfile {
  head: HeapNode;
  samples: { size: number; nodeId: number }[];
}

/** A sampling heap profile as a CPU profile whose "time" is bytes: one sample per allocation sample. */
function fromHeapProfile(h: HeapProfile): Profile {
  const nodes: Node[] = [];
  const walk = (n: HeapNode) => {
    nodes.push({ id: n.id, callFrame: n.callFrame, children: n.children.map((c) => c.id) });
    n.children.forEach(walk);
  };
  walk(h.head);
  return { nodes, samples: h.samples.map((s) => s.nodeId), timeDeltas: h.samples.map((s) => s.size) };
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
  if (!file) throw new Error('usage: cpuprofile-top.ts <file.cpuprofile> [functionName ...]');
  const heap = file.endsWith('.heapprofile');
  const p = heap ? fromHeapProfile(JSON.parse(readFileSync(file, 'utf8')) as HeapProfile) : (JSON.parse(readFileSync(file, 'utf8')) as Profile);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

  const byArea = new Map<string, number>();
  const byFn = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const a = area(n.callFrame.url);
    byArea.set(a, (byArea.get(a) ?? 0) + us);
    const fn = `${n.callFrame.functionName || '(anonymous)'}  ${a}:${n.callFrame.lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
  }
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

main();
