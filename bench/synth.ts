/**
 * `npm run bench`: synthesis time and peak memory of portcullis against plain cdk8s emitting the same
 * Kubernetes objects, for fleets of 10, 100 and 1000 agents (see fleet-shape.ts for the shape).
 *
 * Every measurement runs in a fresh child process (bench/synth-worker.ts), so peaks never bleed between
 * sizes or modes:
 *   - time:   one process per size and mode: 1 warm-up, then RUNS timed runs back to back (no forced gc); median reported
 *   - memory: 1 discarded + RUNS fresh processes per size and mode, each synthesizing once; median of
 *             process.resourceUsage().maxRSS reported (the whole process: node, tsx, loaded modules, synthesis)
 *   - disk:   app.synth() into a temp dir, timed like the rest, to show the write cost apart from render:
 *             portcullis writes one file per object, plain cdk8s its default one file per chart
 *
 * Never fails on timing. Exits 1 only when something breaks: a worker fails (diagnostics with errors), the
 * two sides emit different object counts or kinds, or a count differs from the fleet shape's.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Mode, Purpose, WorkerOutput } from './synth-worker.js';

const SIZES = [10, 100, 1000];
const RUNS: Record<number, number> = { 10: 5, 100: 5, 1000: 5 };
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORKER = fileURLToPath(new URL('./synth-worker.ts', import.meta.url));

class BenchFailure extends Error {}

function worker(size: number, mode: Mode, purpose: Purpose, runs = 1): WorkerOutput {
  const r = spawnSync(process.execPath, ['--import', 'tsx', WORKER, String(size), mode, purpose, String(runs)], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new BenchFailure(`worker ${size} ${mode} ${purpose} failed (exit ${r.status ?? r.signal}):\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as WorkerOutput;
}

/** The commit measured, and whether the working tree had uncommitted changes. */
function treeState(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return 'unknown (no git)';
  const dirty = git('status', '--porcelain', '--', 'src').stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? ' + uncommitted changes in src/' : ''}`;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const phase = (o: WorkerOutput, name: string) => median(o.runs.map((r) => r[name] ?? NaN));
const mib = (kib: number) => kib / 1024;
const fmt = (n: number, digits = 1) => n.toFixed(digits);

function sameKinds(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}

interface Row {
  size: number;
  runs: number;
  objects: number;
  identical: string;
  p: WorkerOutput;
  c: WorkerOutput;
  disk: WorkerOutput;
  cdisk: WorkerOutput;
  pPeak: number;
  cPeak: number;
  /** Median of the memory runs' single synthesis: the first one in a fresh process (lazy loading included). */
  pCold: number;
  pColdLower: number;
  cCold: number;
  pBase: number;
  cBase: number;
}

function measure(size: number): Row {
  const runs = RUNS[size] ?? 5;
  process.stderr.write(`bench: ${size} agents (${runs} runs)...\n`);
  const cmp = worker(size, 'portcullis', 'compare');
  const p = worker(size, 'portcullis', 'time', runs);
  const c = worker(size, 'cdk8s', 'time', runs);
  const disk = worker(size, 'portcullis-disk', 'time', runs);
  const cdisk = worker(size, 'cdk8s-disk', 'time', runs);
  if (p.objects !== c.objects || !sameKinds(p.kinds, c.kinds))
    throw new BenchFailure(`object counts differ at ${size} agents: portcullis ${p.objects} ${JSON.stringify(p.kinds)}, cdk8s ${c.objects} ${JSON.stringify(c.kinds)}`);
  for (const [name, o] of [['portcullis app.synth()', disk], ['cdk8s app.synth()', cdisk]] as const)
    if (o.objects !== p.objects || !sameKinds(o.kinds, p.kinds))
      throw new BenchFailure(`${name} wrote ${o.objects} objects at ${size} agents (${JSON.stringify(o.kinds)}), render() returned ${p.objects}`);

  const mem: Record<'portcullis' | 'cdk8s', WorkerOutput[]> = { portcullis: [], cdk8s: [] };
  for (let i = 0; i <= runs; i++) {
    for (const mode of ['portcullis', 'cdk8s'] as const) {
      const o = worker(size, mode, 'memory');
      if (o.objects !== p.objects) throw new BenchFailure(`${mode} emitted ${o.objects} objects at ${size} agents in a memory run, expected ${p.objects}`);
      if (i > 0) mem[mode].push(o); // the first is a warm-up
    }
  }
  return {
    size,
    runs,
    objects: p.objects,
    identical: cmp.differingFiles === 0 ? 'byte-identical' : `${cmp.differingFiles}/${cmp.comparedFiles} files differ`,
    p,
    c,
    disk,
    cdisk,
    pPeak: median(mem.portcullis.map((o) => o.maxRssKiB)),
    cPeak: median(mem.cdk8s.map((o) => o.maxRssKiB)),
    pCold: median(mem.portcullis.map((o) => o.runs[0]!['total']!)),
    pColdLower: median(mem.portcullis.map((o) => o.runs[0]!['lower']!)),
    cCold: median(mem.cdk8s.map((o) => o.runs[0]!['total']!)),
    pBase: median(mem.portcullis.map((o) => o.baselineMaxRssKiB)),
    cBase: median(mem.cdk8s.map((o) => o.baselineMaxRssKiB)),
  };
}

function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---:')), ...rows.map(line)].join('\n');
}

const spread = (o: WorkerOutput) => {
  const t = o.runs.map((r) => r['total']!);
  return `${fmt(Math.min(...t), 0)}–${fmt(Math.max(...t), 0)}`;
};

function main(): void {
  const rows = SIZES.map(measure);
  const out: string[] = [];
  out.push('Synth: portcullis (construct, app.lower(), app.render() to YAML strings) vs plain cdk8s emitting the same objects');
  out.push('(construct, chart.toJson(), Yaml.stringify per object). Times: median of "runs" runs after 1 warm-up, in one process');
  out.push('per size and side. Peak: median maxRSS of "runs" fresh processes per size and side, each synthesizing once.');
  out.push(`Tree: ${treeState()}; node ${process.version}.`);
  out.push('');
  out.push(
    table(
      ['agents', 'objects', 'runs', 'portcullis ms', 'cdk8s ms', 'time ratio', 'portcullis peak MiB', 'cdk8s peak MiB', 'memory ratio'],
      rows.map((r) => {
        const pt = phase(r.p, 'total');
        const ct = phase(r.c, 'total');
        return [r.size, r.objects, r.runs, fmt(pt), fmt(ct), fmt(pt / ct, 2), fmt(mib(r.pPeak)), fmt(mib(r.cPeak)), fmt(r.pPeak / r.cPeak, 2)];
      }),
    ),
  );
  out.push('');
  out.push('Phases (median ms; min–max of the totals), and memory split into the baseline after loading modules and the growth during synthesis:');
  out.push('');
  out.push(
    table(
      ['agents', 'portcullis build', 'lower', 'render', 'min–max', 'cdk8s build', 'render', 'min–max', 'portcullis MiB base / +synth', 'cdk8s MiB base / +synth', 'output vs cdk8s'],
      rows.map((r) => [
        r.size,
        fmt(phase(r.p, 'build')),
        fmt(phase(r.p, 'lower')),
        fmt(phase(r.p, 'render')),
        spread(r.p),
        fmt(phase(r.c, 'build')),
        fmt(phase(r.c, 'render')),
        spread(r.c),
        `${fmt(mib(r.pBase))} / +${fmt(mib(r.pPeak - r.pBase))}`,
        `${fmt(mib(r.cBase))} / +${fmt(mib(r.cPeak - r.cBase))}`,
        `${r.identical}, ${fmt(r.p.bytes / 1024, 0)} KiB`,
      ]),
    ),
  );
  out.push('');
  out.push('To disk (median ms, whole run: construct + synth()): portcullis writes one file per object, plain cdk8s one file per chart.');
  out.push('');
  out.push(
    table(
      ['agents', 'portcullis render only', 'portcullis synth()', 'files', 'cdk8s render only', 'cdk8s synth()', 'files'],
      rows.map((r) => [
        r.size,
        fmt(phase(r.p, 'total')),
        fmt(phase(r.disk, 'total')),
        r.disk.fileCount ?? '?',
        fmt(phase(r.c, 'total')),
        fmt(phase(r.cdisk, 'total')),
        r.cdisk.fileCount ?? '?',
      ]),
    ),
  );
  out.push('');
  out.push('Cold: the first synthesis in a fresh process (what one CLI invocation pays), median of the memory runs, ms:');
  out.push('');
  out.push(
    table(
      ['agents', 'portcullis cold', 'of which lower', 'cdk8s cold', 'ratio'],
      rows.map((r) => [r.size, fmt(r.pCold), fmt(r.pColdLower), fmt(r.cCold), fmt(r.pCold / r.cCold, 2)]),
    ),
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

try {
  main();
} catch (e) {
  process.stderr.write(`bench: ${e instanceof BenchFailure ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
}
