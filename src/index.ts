export * from './constructs/index.js';
export { Duration } from 'cdk8s';
export type { Diagnostic, Severity } from './validate/index.js';
export { DiagnosticsError, formatDiagnostic } from './validate/index.js';
