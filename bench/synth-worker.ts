/**
 * One benchmark measurement in a process of its own, so that peak RSS does not bleed between sizes or modes.
 *
 *   node --import tsx bench/synth-worker.ts <size> <mode> <purpose> [runs]
 *
 * mode:    portcullis       build the L2 fleet, app.lower(), app.render() (path -> YAML text, no disk)
 *          portcullis-disk  build the L2 fleet, app.synth() into a fresh temp dir
 *          cdk8s            build the same objects with plain cdk8s, render them to YAML text the same way
 *          cdk8s-disk       build them with plain cdk8s, app.synth() into a fresh temp dir (cdk8s's default
 *                           layout: one multi-document file per chart, here one file for the whole fleet)
 * purpose: time     1 warm-up, then <runs> timed runs back to back; prints per-run and per-phase ms
 *          memory   exactly one cold run; prints process.resourceUsage().maxRSS before and after it
 *          compare  portcullis and cdk8s once each; prints how many rendered files differ in content
 *
 * Prints one JSON line on stdout. Exits 1 when something breaks: diagnostics with errors, or an object
 * count that differs from the fleet shape's.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { App, Yaml } from 'cdk8s';
import type { Diagnostic } from '../src/index.js';
import { expectedObjectCount, fleetShape, type FleetShape } from './fleet-shape.js';

// Loaded on demand, so a cdk8s worker never loads portcullis (zod, the rules, the compiler) and its peak
// RSS is that of a plain cdk8s app.
let portcullis: typeof import('../src/index.js');
let buildPortcullis: typeof import('./build-portcullis.js').buildPortcullis;
let buildPlain: typeof import('./build-plain.js').buildPlain;

async function load(modes: readonly Mode[]): Promise<void> {
  if (modes.some((m) => m.startsWith('portcullis'))) {
    portcullis = await import('../src/index.js');
    ({ buildPortcullis } = await import('./build-portcullis.js'));
  }
  if (modes.some((m) => m.startsWith('cdk8s'))) ({ buildPlain } = await import('./build-plain.js'));
}

export type Mode = 'portcullis' | 'portcullis-disk' | 'cdk8s' | 'cdk8s-disk';
export type Purpose = 'time' | 'memory' | 'compare';

export interface RunResult {
  readonly objects: number;
  readonly kinds: Record<string, number>;
  readonly bytes: number;
  /** Phase -> ms. */
  readonly phases: Record<string, number>;
  readonly files?: Map<string, string>;
  /** Files written, for the disk modes. */
  readonly fileCount?: number;
}

export interface WorkerOutput {
  readonly size: number;
  readonly mode: Mode;
  readonly purpose: Purpose;
  readonly objects: number;
  readonly kinds: Record<string, number>;
  readonly bytes: number;
  /** Per timed run: phase -> ms, with `total`. */
  readonly runs: Record<string, number>[];
  /** maxRSS in KiB after the modules were loaded, before any synthesis. */
  readonly baselineMaxRssKiB: number;
  /** maxRSS in KiB at the end. */
  readonly maxRssKiB: number;
  /** Files written, for the disk modes. */
  readonly fileCount?: number;
  readonly differingFiles?: number;
  readonly comparedFiles?: number;
}

class BenchFailure extends Error {}

function kindOf(text: string): string {
  return /^kind: (\S+)$/m.exec(text)?.[1] ?? '?';
}

/**
 * Whether a rendered file has a twin on the plain cdk8s side. Not: SECRETS.md and the runtime's own
 * objects (its ConfigMap holds the contract portcullis compiles from the plan; writing that by hand is
 * not "the same objects in plain cdk8s"). They are still rendered, so their cost is in portcullis's time.
 */
export function compared(file: string): boolean {
  return file.endsWith('.yaml') && !(file.includes('/portcullis-system/') && !file.includes('/referencegrant.'));
}

/** Counts the manifests that have a plain-cdk8s twin. */
function summarize(files: Map<string, string>): Pick<RunResult, 'objects' | 'kinds' | 'bytes'> {
  const kinds: Record<string, number> = {};
  let bytes = 0;
  let objects = 0;
  for (const [file, text] of files) {
    if (!compared(file)) continue;
    const k = kindOf(text);
    kinds[k] = (kinds[k] ?? 0) + 1;
    bytes += Buffer.byteLength(text);
    objects += 1;
  }
  return { objects, kinds, bytes };
}

function failOnErrors(diagnostics: readonly Diagnostic[]): void {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new BenchFailure(`portcullis reported ${errors.length} error(s):\n${errors.slice(0, 10).map(portcullis.formatDiagnostic).join('\n')}`);
}

/** The same rendering PortcullisApp.render does, for a plain cdk8s app: one YAML text per object. */
function renderPlain(app: App): Map<string, string> {
  const files = new Map<string, string>();
  for (const chart of app.charts) {
    for (const obj of chart.toJson() as { kind: string; metadata: { name: string; namespace?: string } }[]) {
      const file = join(chart.node.id, obj.metadata.namespace ?? '_cluster', `${obj.kind.toLowerCase()}.${obj.metadata.name}.yaml`);
      if (files.has(file)) throw new BenchFailure(`plain cdk8s: two objects render to ${file}`);
      files.set(file, Yaml.stringify(obj));
    }
  }
  return files;
}

/** Objects (YAML documents with a top-level kind) and bytes written under dir. */
function countWritten(dir: string): { objects: number; kinds: Record<string, number>; bytes: number; fileCount: number } {
  const kinds: Record<string, number> = {};
  let objects = 0;
  let fileCount = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    fileCount += 1;
    const path = join(entry.parentPath, entry.name);
    const text = readFileSync(path, 'utf8');
    bytes += Buffer.byteLength(text);
    if (!compared(relative(dir, path))) continue;
    for (const m of text.matchAll(/^kind: (\S+)$/gm)) {
      objects += 1;
      kinds[m[1]!] = (kinds[m[1]!] ?? 0) + 1;
    }
  }
  return { objects, kinds, bytes, fileCount };
}

function inTempDir<T>(f: (outdir: string) => T): T {
  const outdir = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
  try {
    return f(outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export function runOnce(mode: Mode, shape: FleetShape, keepFiles = false): RunResult {
  const t0 = performance.now();
  if (mode === 'cdk8s') {
    const app = new App({ outdir: tmpdir() });
    buildPlain(app, shape);
    const t1 = performance.now();
    const files = renderPlain(app);
    const t2 = performance.now();
    return { ...summarize(files), phases: { build: t1 - t0, render: t2 - t1, total: t2 - t0 }, ...(keepFiles && { files }) };
  }
  if (mode === 'cdk8s-disk') {
    return inTempDir((outdir) => {
      const app = new App({ outdir });
      buildPlain(app, shape);
      const t1 = performance.now();
      app.synth();
      const t2 = performance.now();
      return { ...countWritten(outdir), phases: { build: t1 - t0, synth: t2 - t1, total: t2 - t0 } };
    });
  }
  const diagnostics: Diagnostic[] = [];
  if (mode === 'portcullis-disk') {
    return inTempDir((outdir) => {
      const app = new portcullis.PortcullisApp({ outdir, report: (ds) => diagnostics.push(...ds) });
      buildPortcullis(app, shape);
      const t1 = performance.now();
      try {
        app.synth();
      } catch (e) {
        failOnErrors(diagnostics);
        throw e;
      }
      const t2 = performance.now();
      return { ...countWritten(outdir), phases: { build: t1 - t0, synth: t2 - t1, total: t2 - t0 } };
    });
  }
  const app = new portcullis.PortcullisApp({ outdir: tmpdir(), report: (ds) => diagnostics.push(...ds) });
  buildPortcullis(app, shape);
  const t1 = performance.now();
  diagnostics.push(...app.lower());
  const t2 = performance.now();
  failOnErrors(diagnostics);
  const files = app.render();
  const t3 = performance.now();
  return { ...summarize(files), phases: { build: t1 - t0, lower: t2 - t1, render: t3 - t2, total: t3 - t0 }, ...(keepFiles && { files }) };
}

function checkCount(mode: Mode, shape: FleetShape, r: RunResult): void {
  const expected = expectedObjectCount(shape);
  if (r.objects !== expected) throw new BenchFailure(`${mode}: ${r.objects} objects for ${shape.agents.length} agents, expected ${expected}`);
}

async function main(): Promise<void> {
  const [sizeArg, modeArg, purposeArg, runsArg] = process.argv.slice(2);
  const size = Number(sizeArg);
  const mode = modeArg as Mode;
  const purpose = (purposeArg ?? 'time') as Purpose;
  const runs = Number(runsArg ?? 5);
  if (!Number.isInteger(size) || size < 1 || !['portcullis', 'portcullis-disk', 'cdk8s', 'cdk8s-disk'].includes(mode) || !['time', 'memory', 'compare'].includes(purpose))
    throw new BenchFailure('usage: synth-worker.ts <size> <portcullis|portcullis-disk|cdk8s|cdk8s-disk> <time|memory|compare> [runs]');

  await load(purpose === 'compare' ? ['portcullis', 'cdk8s'] : [mode]);
  const shape = fleetShape(size);
  const baselineMaxRssKiB = process.resourceUsage().maxRSS;
  const base = { size, mode, purpose, baselineMaxRssKiB };
  let out: WorkerOutput;

  if (purpose === 'compare') {
    const p = runOnce('portcullis', shape, true);
    const c = runOnce('cdk8s', shape, true);
    checkCount('portcullis', shape, p);
    checkCount('cdk8s', shape, c);
    let differing = 0;
    for (const [file, text] of p.files!) if (compared(file) && c.files!.get(file) !== text) differing += 1;
    out = { ...base, objects: p.objects, kinds: p.kinds, bytes: p.bytes, runs: [], maxRssKiB: process.resourceUsage().maxRSS, differingFiles: differing, comparedFiles: [...p.files!.keys()].filter(compared).length };
  } else if (purpose === 'memory') {
    const r = runOnce(mode, shape);
    checkCount(mode, shape, r);
    out = { ...base, objects: r.objects, kinds: r.kinds, bytes: r.bytes, runs: [r.phases], maxRssKiB: process.resourceUsage().maxRSS };
  } else {
    const warm = runOnce(mode, shape);
    checkCount(mode, shape, warm);
    const timed: Record<string, number>[] = [];
    // no forced collection between runs: a full gc() throws away V8's optimized code, and the run after
    // it would measure the recompilation (bench/runtime.ts found this; BENCHMARKS.md, "Why the earlier runs
    // measured a recompilation"). The collections a run's own garbage brings fall in the runs, as in a CLI
    for (let i = 0; i < runs; i++) {
      const r = runOnce(mode, shape);
      checkCount(mode, shape, r);
      timed.push(r.phases);
    }
    out = {
      ...base,
      objects: warm.objects,
      kinds: warm.kinds,
      bytes: warm.bytes,
      runs: timed,
      maxRssKiB: process.resourceUsage().maxRSS,
      ...(warm.fileCount !== undefined && { fileCount: warm.fileCount }),
    };
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`synth-worker: ${e instanceof BenchFailure ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
