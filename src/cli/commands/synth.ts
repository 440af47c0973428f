import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, isAbsolute } from 'node:path';
import { Fleet, PortcullisApp } from '../../constructs/index.js';
import { isDnsLabel } from '../../model/index.js';
import { DiagnosticsError, formatDiagnostic, hasErrors, type Diagnostic } from '../../validate/index.js';
import { describeFsError, isFsError, parseCommandArgs } from '../args.js';
import { EXIT, UsageError, type CliIo, type Command } from '../io.js';
import { loadFleetYaml } from '../yaml.js';

const OPTIONS = {
  file: { type: 'string', short: 'f' },
  out: { type: 'string', short: 'o', default: 'out' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const synthCommand: Command = {
  name: 'synth',
  summary: 'validate a YAML fleet and write its manifests',
  help: `usage: portcullis synth -f FILE [-o DIR]

Validates the fleet in FILE (schema, semantic rules) and writes one manifest per object to
DIR/<fleet>/<namespace>/<kind>.<name>.yaml. Every problem is printed as FILE:LINE:COL [path] field:
message — fix  (CODE). Nothing is written when there is an error; DIR is emptied before writing.

options:
  -f, --file FILE   the fleet, in YAML (required)
  -o, --out DIR     output directory (default: out)
  -h, --help        show this help

exit codes: 0 written (warnings allowed), 1 error in the fleet, 2 usage error
`,
  run,
};

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(argv, OPTIONS, 'synth');
  if (values.help) {
    io.stdout.write(synthCommand.help);
    return EXIT.ok;
  }
  if (!values.file) throw new UsageError('missing the fleet file: pass it with -f, e.g. "portcullis synth -f fleet.yaml"');
  const outdir = checkOutdir(values.out, values.file);
  const report = (ds: readonly Diagnostic[]) => ds.forEach((d) => io.stderr.write(`${formatDiagnostic(d)}\n`));

  const loaded = loadFleetYaml(readFleet(values.file), values.file);
  report(loaded.diagnostics);
  if (hasErrors(loaded.diagnostics)) return EXIT.problems;

  const app = new PortcullisApp({ outdir, report });
  Fleet.fromInput(app, chartId(loaded.input), { input: loaded.input, locate: loaded.locate });
  try {
    app.synth();
  } catch (err) {
    if (err instanceof DiagnosticsError) return EXIT.problems; // already reported, one per line
    if (isFsError(err)) throw new UsageError(`cannot write the output to "${outdir}": ${describeFsError(err)} — pass a writable directory with -o`);
    throw err;
  }
  io.stdout.write(`wrote ${countFiles(outdir)} files to ${outdir}\n`);
  return EXIT.ok;
}

export function readFleet(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read fleet file "${file}": ${describeFsError(err)} — check the path given to -f`);
  }
}

/** synth empties the output directory: never let that be the working directory, one of its parents, or the input's. */
function checkOutdir(out: string, file: string): string {
  const target = resolve(out);
  const covers = (p: string) => {
    const rel = relative(target, resolve(p));
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  if (covers(process.cwd()) || covers(file)) {
    throw new UsageError(
      `refusing to write to "${out}": synth empties the output directory first, and it holds ${covers(file) ? `the fleet file "${file}"` : 'the current directory'} — pass a dedicated directory with -o, e.g. -o out`,
    );
  }
  return out;
}


/** The chart id: the fleet name, which the output paths and construct paths start with. An invalid name is reported by PC011. */
export function chartId(input: unknown): string {
  const name = (input as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' && isDnsLabel(name) ? name : 'fleet';
}

function countFiles(dir: string): number {
  if (!existsSync(dir)) return 0; // a fleet without objects
  return readdirSync(dir).reduce((n, entry) => {
    const path = join(dir, entry);
    return n + (statSync(path).isDirectory() ? countFiles(path) : 1);
  }, 0);
}
