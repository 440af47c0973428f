/**
 * bench/admission: offline API-server admission (vendored CRD schema with defaults, then CEL rules) in
 * objects per second, on one core (one process, one thread).
 *
 *   npx tsx bench/admission.ts [agents]     default 600 agents -> about 3,000 objects
 *
 * Objects: the benchmark fleet (bench/fleet-shape.ts) as portcullis renders it, plus every object of the
 * admission fixture suite (test/fixtures/admission, 1 in 4 invalid). The fleet is rendered without
 * admission timing in the way: objects are re-parsed from the rendered YAML before they are measured.
 * Prints the cold pass (first use: CRDs parsed, validators and rules compiled) and the median of 5 warm
 * passes, for the whole check and for its two steps. Never fails on timing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PortcullisApp } from '../src/index.js';
import { admitObject, admitStructure, evaluateValidations } from '../src/validate/admission/index.js';
import { buildPortcullis } from './build-portcullis.js';
import { fleetShape } from './fleet-shape.js';

const agents = Number(process.argv[2] ?? 600);
const FIXTURES = join(import.meta.dirname, '..', 'test', 'fixtures', 'admission');

function corpus(): unknown[] {
  const app = new PortcullisApp({ report: () => {} });
  buildPortcullis(app, fleetShape(agents));
  const fleet = [...app.render()].filter(([file]) => file.endsWith('.yaml')).map(([, text]) => parse(text) as unknown);
  const fixtures = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => parse(readFileSync(join(FIXTURES, f), 'utf8')) as unknown);
  return [...fleet, ...fixtures];
}

function time(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * The corpus is built in a child process: rendering lowers the fleet, which already admits it and would
 * warm the caches this bench measures cold. It comes back through a temp file.
 */
function corpusFromChild(): unknown[] {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
  try {
    const file = join(dir, 'corpus.json');
    execFileSync(process.execPath, ['--import', 'tsx', import.meta.filename, String(agents), '--corpus', file], { stdio: 'inherit' });
    return JSON.parse(readFileSync(file, 'utf8')) as unknown[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[3] === '--corpus') {
  writeFileSync(process.argv[4]!, JSON.stringify(corpus()));
} else {
  measure(corpusFromChild());
}

function measure(objects: unknown[]): void {

  let issues = 0;
  const cold = time(() => {
    for (const o of objects) issues += admitObject(o).length;
  });
  const whole: number[] = [];
  const structural: number[] = [];
  const cel: number[] = [];
  for (let run = 0; run < 5; run++) {
    whole.push(time(() => objects.forEach((o) => admitObject(o))));
    const admitted = objects.map((o) => admitStructure(o));
    structural.push(time(() => objects.forEach((o) => admitStructure(o))));
    cel.push(time(() => admitted.forEach((a) => a.crd && evaluateValidations(a.crd.schema, a.defaulted))));
  }
  const rate = (ms: number) => Math.round((objects.length / ms) * 1000).toLocaleString('en-US');
  console.log(`admission of ${objects.length} objects (${agents}-agent fleet + fixtures), ${issues} issues found, node ${process.version}`);
  console.log('| pass | ms | objects/s |');
  console.log('| --- | ---: | ---: |');
  console.log(`| cold: first pass, CRDs loaded and compiled | ${cold.toFixed(0)} | ${rate(cold)} |`);
  console.log(`| warm: schema + CEL (median of 5) | ${median(whole).toFixed(0)} | ${rate(median(whole))} |`);
  console.log(`| warm: schema and defaults only | ${median(structural).toFixed(0)} | ${rate(median(structural))} |`);
  console.log(`| warm: CEL rules only | ${median(cel).toFixed(0)} | ${rate(median(cel))} |`);
}
