/**
 * One shape for every problem portcullis reports: schema errors, semantic rules and admission.
 * Tests assert `code`, `path` and `field`; `message` and `hint` are for people.
 */
export type Severity = 'error' | 'warning';

export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface Diagnostic {
  /** Stable code, e.g. PC003. Warnings can be acknowledged by it. */
  readonly code: string;
  readonly severity: Severity;
  /** Construct path of the entity at fault, e.g. `fleet/support-bot`. */
  readonly path: string;
  /** Field inside that entity, e.g. `auth[0].audiences`. Empty for the entity as a whole. */
  readonly field: string;
  /** What is wrong, with the value given. Lowercase. */
  readonly message: string;
  /** How to fix it. */
  readonly hint: string;
  /** Where in a YAML input the field is, when the fleet came from YAML. */
  readonly location?: SourceLocation;
}

/** `file:line:col [path] field: message — hint  (CODE)`, one line per diagnostic. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.column} ` : '';
  const field = d.field ? ` ${d.field}:` : '';
  const hint = d.hint ? ` — ${d.hint}` : '';
  return `${where}${d.severity === 'warning' ? 'warning ' : ''}[${d.path}]${field} ${d.message}${hint}  (${d.code})`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Thrown when a synth has error diagnostics; carries all of them. */
export class DiagnosticsError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(
      `portcullis found ${diagnostics.filter((d) => d.severity === 'error').length} error(s):\n` +
        diagnostics.map((d) => `  ${formatDiagnostic(d)}`).join('\n'),
    );
    this.name = 'DiagnosticsError';
  }
}
