/**
 * The YAML front end: parses a fleet file keeping source ranges, so that every diagnostic of the
 * model and its rules can name `file:line:column`. YAML-level problems (syntax, duplicate keys,
 * unresolved aliases) become PC000 diagnostics, never exceptions.
 */
import { Alias, Document, LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, parseDocument, visit, type Node, type YAMLError } from 'yaml';
import { formatField, type Diagnostic, type SourceLocation } from '../validate/index.js';

/** A path into the parsed document, e.g. `['agents', 2, 'auth', 0]`. */
export type DocPath = readonly (string | number)[];

export interface LoadedYaml {
  /** The document as plain data; `undefined` when it could not be parsed. */
  readonly input: unknown;
  /** Where a path of the document is in the file: the key of a map entry, else the node itself. */
  readonly locate: (path: DocPath) => SourceLocation | undefined;
  /** PC000 problems of the YAML text itself; `input` must not be used when one is an error. */
  readonly diagnostics: Diagnostic[];
}

export const YAML_CODE = 'PC000';

/** Parses one YAML document (a fleet). Never throws on bad input. */
export function loadFleetYaml(text: string, file: string): LoadedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  return fromDocument(doc, lineCounter, file, fleetName(doc) ?? file);
}

/**
 * Parses every document of a YAML (or JSON) text, e.g. a file of Kubernetes manifests. Each result
 * locates in the same file; YAML-level diagnostics name the file as their path.
 */
export function loadYamlDocuments(text: string, file: string): LoadedYaml[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  // a text without documents (empty, or only comments) is an empty stream, maybe with errors
  if ('empty' in docs) return docs.errors.length > 0 ? [fromErrors(docs.errors, lineCounter, file)] : [];
  return docs.map((doc) => fromDocument(doc, lineCounter, file, file));
}

function fromDocument(doc: Document, lineCounter: LineCounter, file: string, owner: string): LoadedYaml {
  const at = locator(lineCounter, file);
  const locate = (path: DocPath) => locateIn(doc, path, at);
  const diagnostics = [
    ...doc.errors.map((e) => yamlDiagnostic(e, 'error', doc, owner, at)),
    ...doc.warnings.map((e) => yamlDiagnostic(e, 'warning', doc, owner, at)),
  ];
  if (diagnostics.some((d) => d.severity === 'error')) return { input: undefined, locate, diagnostics };
  try {
    return { input: doc.toJS({ maxAliasCount: 100 }), locate, diagnostics };
  } catch (err) {
    // unresolved aliases and alias bombs surface only when converting
    const alias = firstAlias(doc);
    diagnostics.push({
      code: YAML_CODE,
      severity: 'error',
      path: owner,
      field: alias?.range ? formatField(pathAt(doc, alias.range[0])) : '',
      message: firstLine(err instanceof Error ? err.message : String(err)),
      hint: 'define the anchor (&name) before its alias (*name), and do not nest aliases deeply',
      location: at(alias?.range?.[0] ?? 0),
    });
    return { input: undefined, locate, diagnostics };
  }
}

function fromErrors(errors: readonly YAMLError[], lineCounter: LineCounter, file: string): LoadedYaml {
  const at = locator(lineCounter, file);
  const empty = new Document();
  return { input: undefined, locate: () => undefined, diagnostics: errors.map((e) => yamlDiagnostic(e, 'error', empty, file, at)) };
}

function locator(lineCounter: LineCounter, file: string): (offset: number) => SourceLocation {
  return (offset) => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
}

function yamlDiagnostic(e: YAMLError, severity: Diagnostic['severity'], doc: Document, owner: string, at: (offset: number) => SourceLocation): Diagnostic {
  return {
    code: YAML_CODE,
    severity,
    path: owner,
    // only a duplicate key leaves a well-formed document to name the field in; after a syntax error it is a guess
    field: e.code === 'DUPLICATE_KEY' ? formatField(pathAt(doc, e.pos[0])) : '',
    message: firstLine(e.message),
    hint: HINTS[e.code] ?? 'fix the YAML at this position (indent with spaces, close every quote and bracket)',
    location: at(e.pos[0]),
  };
}

const HINTS: Partial<Record<YAMLError['code'], string>> = {
  DUPLICATE_KEY: 'keep one of the two keys: YAML would silently drop the first',
  MULTIPLE_DOCS: 'put one fleet per file, without a "---" separator between documents',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  TAG_RESOLVE_FAILED: 'remove the custom tag: a fleet uses plain YAML values',
};

/** `Map keys must be unique at line 4, column 5:\n...` -> `map keys must be unique` */
function firstLine(message: string): string {
  const line = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').trim();
  return line.charAt(0).toLowerCase() + line.slice(1);
}

/** The fleet's `name`, when the (possibly partial) document has one: the construct path of the fleet. */
function fleetName(doc: Document): string | undefined {
  const name = isMap(doc.contents) ? doc.contents.get('name') : undefined;
  return typeof name === 'string' && name.length > 0 ? name : undefined;
}

function locateIn(doc: Document, path: DocPath, at: (offset: number) => SourceLocation): SourceLocation | undefined {
  let node: unknown = doc.contents;
  let anchor: Node | undefined = doc.contents ?? undefined;
  for (const seg of path) {
    node = resolve(doc, node);
    if (typeof seg === 'string' && isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyOf(p.key) === seg);
      if (!pair) return undefined;
      anchor = (pair.key as Node | null) ?? undefined;
      node = pair.value;
    } else if (typeof seg === 'number' && isSeq(node)) {
      const item = node.items[seg];
      if (item === undefined) return undefined;
      anchor = item as Node;
      node = item;
    } else {
      return undefined;
    }
  }
  const offset = anchor?.range?.[0];
  return offset === undefined ? (path.length === 0 ? at(0) : undefined) : at(offset);
}

function resolve(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function keyOf(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

/** The path of the deepest node whose source range holds `offset`. */
function pathAt(doc: Document, offset: number): (string | number)[] {
  const path: (string | number)[] = [];
  const within = (n: unknown) => {
    const r = (n as Node | null)?.range;
    return r !== undefined && r !== null && offset >= r[0] && offset < r[2];
  };
  let node: unknown = doc.contents;
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((p) => within(p.key) || within(p.value));
      const key = pair ? keyOf(pair.key) : undefined;
      if (!pair || key === undefined) return path;
      path.push(key);
      if (within(pair.key)) return path;
      node = pair.value;
    } else if (isSeq(node)) {
      const i = node.items.findIndex(within);
      if (i < 0) return path;
      path.push(i);
      node = node.items[i];
    } else {
      return path;
    }
  }
}

function firstAlias(doc: Document): Alias | undefined {
  let found: Alias | undefined;
  visit(doc, {
    Alias(_, node) {
      if (!found || node.resolve(doc) === undefined) found = node;
      return node.resolve(doc) === undefined ? visit.BREAK : undefined;
    },
  });
  return found;
}
