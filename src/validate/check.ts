import type { z } from 'zod';
import { Fleet } from '../model/index.js';
import type { Diagnostic, SourceLocation } from './diagnostic.js';
import type { EntityRef, Finding, Rule } from './rule.js';
import { RULES } from './rules/index.js';

/** Where each entity of a fleet input came from: construct paths, and a YAML locator when there is a file. */
export interface FleetSource {
  readonly fleetPath: string;
  readonly gatewayPaths: readonly string[];
  readonly agentPaths: readonly string[];
  readonly egressGatewayPaths?: readonly string[];
  /** Locates a path of the input document (e.g. ['agents', 2, 'auth', 0]) in its file. */
  readonly locate?: (path: readonly (string | number)[]) => SourceLocation | undefined;
}

export interface CheckResult {
  /** The parsed, defaulted fleet; absent when the input does not match the schema. */
  readonly fleet?: Fleet;
  /** Every problem found, errors and unacknowledged warnings, in a stable order. */
  readonly diagnostics: Diagnostic[];
  /** Warnings dropped by an acknowledgement. */
  readonly acknowledged: Diagnostic[];
}

/** Layers 1 and 2 of validation: the schema, then every semantic rule. All problems are collected. */
export function checkFleet(input: unknown, source: FleetSource, rules: readonly Rule[] = RULES): CheckResult {
  const parsed = Fleet.safeParse(input);
  if (!parsed.success) {
    return { diagnostics: parsed.error.issues.map((issue) => schemaDiagnostic(issue, source)), acknowledged: [] };
  }
  const fleet = parsed.data;
  const all = rules.flatMap((rule) => rule.check(fleet).map((f) => fromFinding(rule, f, source)));
  const acknowledged = all.filter((d) => d.severity === 'warning' && isAcknowledged(fleet, d));
  return { fleet, diagnostics: all.filter((d) => !acknowledged.includes(d)), acknowledged };
}

function isAcknowledged(fleet: Fleet, d: Diagnostic): boolean {
  return fleet.acknowledge.some((a) => a.code === d.code && (a.path === undefined || d.path === a.path || d.path.startsWith(`${a.path}/`)));
}

function entityPath(entity: EntityRef, source: FleetSource): { path: string; prefix: (string | number)[] } {
  switch (entity.kind) {
    case 'fleet':
      return { path: source.fleetPath, prefix: [] };
    case 'gateway':
      return { path: source.gatewayPaths[entity.index] ?? `${source.fleetPath}/gateways[${entity.index}]`, prefix: ['gateways', entity.index] };
    case 'agent':
      return { path: source.agentPaths[entity.index] ?? `${source.fleetPath}/agents[${entity.index}]`, prefix: ['agents', entity.index] };
    case 'egressGateway':
      return {
        path: source.egressGatewayPaths?.[entity.index] ?? `${source.fleetPath}/egressGateways[${entity.index}]`,
        prefix: ['egressGateways', entity.index],
      };
    case 'provider':
      // providers are values, not constructs: name them under the fleet
      return { path: `${source.fleetPath}/providers[${entity.index}]`, prefix: ['providers', entity.index] };
  }
}

/** `auth[0].claims.roles` -> ['auth', 0, 'claims', 'roles'] */
export function parseField(field: string): (string | number)[] {
  if (!field) return [];
  return field.split('.').flatMap((part) => {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return [part];
    const indices = [...m[2]!.matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]));
    return [...(m[1] ? [m[1]] : []), ...indices];
  });
}

export function formatField(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)), '');
}

function locateField(source: FleetSource, prefix: (string | number)[], field: string): SourceLocation | undefined {
  if (!source.locate) return undefined;
  const full = [...prefix, ...parseField(field)];
  // the deepest node that exists: a missing field is reported where its parent is
  for (let n = full.length; n >= 0; n--) {
    const loc = source.locate(full.slice(0, n));
    if (loc) return loc;
  }
  return undefined;
}

function fromFinding(rule: Rule, f: Finding, source: FleetSource): Diagnostic {
  const { path, prefix } = entityPath(f.entity, source);
  const location = locateField(source, prefix, f.field);
  return { code: rule.code, severity: rule.severity, path, field: f.field, message: f.message, hint: f.hint, ...(location && { location }) };
}

function schemaDiagnostic(issue: z.core.$ZodIssue, source: FleetSource): Diagnostic {
  const [head, index, ...rest] = issue.path;
  const kinds: Record<string, Exclude<EntityRef['kind'], 'fleet'>> = { agents: 'agent', gateways: 'gateway', egressGateways: 'egressGateway', providers: 'provider' };
  const kind = typeof head === 'string' ? kinds[head] : undefined;
  const entity: EntityRef = kind && typeof index === 'number' ? { kind, index } : { kind: 'fleet' };
  const fieldPath = entity.kind === 'fleet' ? issue.path : rest;
  const { path, prefix } = entityPath(entity, source);
  let field = formatField(fieldPath);
  let message: string;
  let hint = 'see schemas/fleet.schema.json for the fields and their types';
  switch (issue.code) {
    case 'unrecognized_keys':
      field = formatField([...fieldPath, issue.keys[0]!]);
      message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      hint = 'remove it or fix its spelling';
      break;
    case 'invalid_union':
      message = 'matches none of the allowed shapes';
      if ('discriminator' in issue && issue.discriminator) {
        message = `unknown or missing ${String(issue.discriminator)}`;
        hint = `set ${String(issue.discriminator)} to one of the documented values`;
      }
      break;
    case 'invalid_value':
      message = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      hint = 'pick one of the listed values';
      break;
    case 'invalid_key':
      // a record key (a tier value, say): say which key and why, not just "invalid key in record"
      message = `invalid key ${JSON.stringify(String(issue.path.at(-1)))}: ${issue.issues.map((i) => i.message).join('; ')}`;
      hint = 'fix or remove that key';
      break;
    default:
      message = issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
  }
  const location = locateField(source, prefix, field);
  return { code: 'PC001', severity: 'error', path, field, message, hint, ...(location && { location }) };
}
