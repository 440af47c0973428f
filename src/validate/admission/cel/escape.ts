/** CEL reserved words: a property with one of these names is reached as `__<word>__` (e.g. `self.__namespace__`). */
const RESERVED = new Set([
  'true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if',
  'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while',
]);

const ESCAPES: Record<string, string> = { __: '__underscores__', '.': '__dot__', '-': '__dash__', '/': '__slash__' };

/** Escape sequences, the characters that are escaped, and any character CEL cannot reach at all. */
const EXPAND = /__|[-./]|[^a-zA-Z0-9_]/g;

/**
 * The name under which CEL rules reach the object property `name`, escaped as the Kubernetes API server
 * does (`namespace` → `__namespace__`, `a.b` → `a__dot__b`, `x-y` → `x__dash__y`, `a/b` → `a__slash__b`,
 * `a__b` → `a__underscores__b`), or `undefined` for a name rules cannot reach (empty, leading digit, or
 * another character such as a space).
 */
export function escapeFieldName(name: string): string | undefined {
  if (name === '' || /^[0-9]/.test(name)) return undefined;
  if (RESERVED.has(name)) return `__${name}__`;
  let reachable = true;
  const escaped = name.replace(EXPAND, (match) => {
    const replacement = ESCAPES[match];
    if (replacement === undefined) reachable = false;
    return replacement ?? match;
  });
  return reachable ? escaped : undefined;
}
