import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { admit } from '../../validate/index.js';
import { parseField } from '../../validate/index.js';
import { describeFsError, parseCommandArgs } from '../args.js';
import { EXIT, UsageError, type CliIo, type Command } from '../io.js';
import { loadYamlDocuments, type LoadedYaml } from '../yaml.js';

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check Kubernetes manifests offline against the vendored CRD schemas',
  help: `usage: portcullis validate [--json] PATH...

Checks every object in PATH (files, or directories searched recursively for *.yaml, *.yml and
*.json; several documents per file allowed) the way the API server would admit it: Gateway API,
Envoy Gateway and Envoy AI Gateway objects against their vendored CRD schemas (unknown fields are
errors), every object's apiVersion, kind and metadata. Prints one line per problem:
FILE: Kind/namespace/name: message

options:
  --json       print the problems as a JSON array instead
  -h, --help   show this help

exit codes: 0 no problem, 1 problems found, 2 usage error
`,
  run,
};

/** One problem of one manifest file. */
export interface ManifestProblem {
  readonly file: string;
  /** `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects; absent for YAML syntax errors. */
  readonly object?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** Field path inside the object, e.g. `spec.jwt.providers[0].issuer`; `""` for the object itself. */
  readonly path: string;
  readonly message: string;
  /** Where the field (or the nearest enclosing one) is in the file. */
  readonly line?: number;
  readonly column?: number;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS, 'validate', true);
  if (values.help) {
    io.stdout.write(validateCommand.help);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError('missing the manifests to check: pass files or directories, e.g. "portcullis validate out/"');
  const files = positionals.flatMap((p) => manifestFiles(p));
  if (files.length === 0) throw new UsageError(`no *.yaml, *.yml or *.json file under ${positionals.map((p) => `"${p}"`).join(', ')} — pass the directory synth wrote`);
  const problems = files.flatMap((file) => checkFile(file));
  if (values.json) io.stdout.write(`${JSON.stringify(problems, null, 2)}\n`);
  else problems.forEach((p) => io.stdout.write(`${formatProblem(p)}\n`));
  return problems.length > 0 ? EXIT.problems : EXIT.ok;
}

export function formatProblem(p: ManifestProblem): string {
  if (p.object === undefined) return `${p.file}:${p.line ?? 1}:${p.column ?? 1}: ${p.message}`;
  return `${p.file}: ${p.object}: ${p.message}`;
}

/** A file given by name is always checked; a directory is searched for manifests. */
function manifestFiles(path: string): string[] {
  try {
    return statSync(path).isDirectory() ? walk(path, new Set()) : [path];
  } catch (err) {
    throw new UsageError(`cannot read "${path}": ${describeFsError(err)} — pass existing files or directories`);
  }
}

/** Manifests under a directory, recursively, in sorted order, skipping hidden entries and symlink loops. */
function walk(dir: string, seen: Set<string>): string[] {
  const real = realpathSync(dir);
  if (seen.has(real)) return [];
  seen.add(real);
  return readdirSync(dir)
    .filter((entry) => !entry.startsWith('.'))
    .sort()
    .flatMap((entry) => {
      const child = join(dir, entry);
      if (safeIsDirectory(child)) return walk(child, seen);
      return MANIFEST_EXTENSIONS.has(extname(entry).toLowerCase()) ? [child] : [];
    });
}

function safeIsDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // a dangling symlink: reported when read
  }
}

function checkFile(file: string): ManifestProblem[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return [{ file, path: '', message: `cannot read the file: ${describeFsError(err)}`, line: 1, column: 1 }];
  }
  return loadYamlDocuments(text, file).flatMap((doc) => checkDocument(file, doc));
}

function checkDocument(file: string, doc: LoadedYaml): ManifestProblem[] {
  const syntax = doc.diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => ({ file, path: d.field, message: `invalid YAML: ${d.message}`, line: d.location?.line ?? 1, column: d.location?.column ?? 1 }));
  if (syntax.length > 0 || doc.input === undefined) return syntax;
  return objectsOf(doc.input).flatMap(({ obj, at }) =>
    admit(obj).map((issue) => problem(file, obj, issue.path, issue.message, doc.locate, at)),
  );
}

/** The objects of a document: itself, the items of a `List` kind, or the elements of a top-level array. */
function objectsOf(input: unknown): { obj: unknown; at: (string | number)[] }[] {
  if (input === null) return []; // an empty document, e.g. after a trailing ---
  if (Array.isArray(input)) return input.map((obj, i) => ({ obj, at: [i] }));
  const record = input as { kind?: unknown; items?: unknown };
  if (typeof record.kind === 'string' && record.kind.endsWith('List') && Array.isArray(record.items)) {
    return record.items.map((obj, i) => ({ obj, at: ['items', i] }));
  }
  return [{ obj: input, at: [] }];
}

function problem(file: string, obj: unknown, path: string, message: string, locate: LoadedYaml['locate'], at: (string | number)[]): ManifestProblem {
  const o = (typeof obj === 'object' && obj !== null ? obj : {}) as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  const kind = typeof o.kind === 'string' && o.kind ? o.kind : undefined;
  const name = typeof o.metadata?.name === 'string' && o.metadata.name ? o.metadata.name : undefined;
  const namespace = typeof o.metadata?.namespace === 'string' && o.metadata.namespace ? o.metadata.namespace : undefined;
  const object = [kind ?? '<no kind>', ...(namespace ? [namespace] : []), name ?? '<no name>'].join('/');
  const location = nearest(locate, [...at, ...parseField(path)]);
  return {
    file,
    object,
    ...(kind && { kind }),
    ...(namespace && { namespace }),
    ...(name && { name }),
    path,
    message,
    ...(location && { line: location.line, column: location.column }),
  };
}

/** The deepest existing node on the path: a missing field is located at its parent. */
function nearest(locate: LoadedYaml['locate'], path: (string | number)[]) {
  for (let n = path.length; n >= 0; n--) {
    const loc = locate(path.slice(0, n));
    if (loc) return loc;
  }
  return undefined;
}
