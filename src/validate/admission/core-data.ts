import type { AdmissionIssue } from './types.js';

/**
 * The most a ConfigMap's or a Secret's data may hold (core.MaxSecretSize, 1 MiB), summed over its values:
 * the API server refuses more (k8s.io/kubernetes pkg/apis/core/validation ValidateConfigMap, ValidateSecret).
 */
export const MAX_DATA_BYTES = 1024 * 1024;

const CONFIG_KEY = '[-._a-zA-Z0-9]+';
const CONFIG_KEY_RE = new RegExp(`^${CONFIG_KEY}$`);
const CONFIG_KEY_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

/** A ConfigMap or Secret data key (IsConfigMapKey): the errors, none when valid. */
export function configKeyErrors(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push('must be no more than 253 characters');
  if (!CONFIG_KEY_RE.test(key)) errs.push(CONFIG_KEY_MSG);
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

type Values = { field: string; entries: [string, number][] };

/** A map field's keys and the bytes of each value (base64 fields decoded), or undefined when absent or not a map of strings. */
function values(obj: Record<string, unknown>, field: string, base64: boolean): Values | undefined {
  const m = obj[field];
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return undefined;
  const entries = Object.entries(m).filter((e): e is [string, string] => typeof e[1] === 'string');
  return { field, entries: entries.map(([k, v]) => [k, base64 ? Buffer.from(v, 'base64').length : Buffer.byteLength(v, 'utf8')]) };
}

/**
 * What the API server checks in a ConfigMap's or a Secret's data whatever else it holds: every key a valid
 * config key, no key in two maps, base64 that decodes, and at most 1 MiB in all. A runtime contract of a
 * large fleet is what would reach that limit first.
 */
export function checkCoreData(obj: Record<string, unknown>, group: string, kind: string): AdmissionIssue[] {
  if (group !== '' || (kind !== 'ConfigMap' && kind !== 'Secret')) return [];
  const maps = (kind === 'ConfigMap'
    ? [values(obj, 'data', false), values(obj, 'binaryData', true)]
    : [values(obj, 'data', true), values(obj, 'stringData', false)]
  ).filter((v): v is Values => v !== undefined);
  const issues: AdmissionIssue[] = [...base64Issues(obj, kind === 'ConfigMap' ? 'binaryData' : 'data')];
  const seen = new Set<string>();
  for (const { field, entries } of maps)
    for (const [key] of entries) {
      for (const msg of configKeyErrors(key)) issues.push({ path: `${field}[${key}]`, message: `${field}[${key}]: Invalid value: ${JSON.stringify(key)}: ${msg}` });
      // a Secret's stringData is merged over its data; a ConfigMap refuses a key in both maps
      if (kind === 'ConfigMap' && seen.has(key)) issues.push({ path: `${field}[${key}]`, message: `${field}[${key}]: Invalid value: ${JSON.stringify(key)}: duplicate of key present in data` });
      seen.add(key);
    }
  const total = kind === 'Secret' ? secretTotal(maps) : maps.reduce((sum, m) => sum + m.entries.reduce((s, [, n]) => s + n, 0), 0);
  if (total > MAX_DATA_BYTES) issues.push({ path: '', message: `[]: Too long: may not be more than ${MAX_DATA_BYTES} bytes` });
  return issues;
}

/** A Secret's size once stringData is merged over data, as the API server stores it. */
function secretTotal(maps: readonly Values[]): number {
  const merged = new Map<string, number>();
  for (const { entries } of maps) for (const [k, n] of entries) merged.set(k, n);
  return [...merged.values()].reduce((a, b) => a + b, 0);
}

/**
 * A map of base64 values (a Secret's data, a ConfigMap's binaryData) the API server cannot decode: it
 * refuses the object (encoding/base64: the standard alphabet, padded). The value itself is never shown:
 * it is a secret.
 */
function base64Issues(obj: Record<string, unknown>, field: string): AdmissionIssue[] {
  const m = obj[field];
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return [];
  const issues: AdmissionIssue[] = [];
  for (const [key, v] of Object.entries(m)) {
    if (typeof v !== 'string') continue;
    const bad = firstBadBase64Byte(v);
    if (bad !== undefined) issues.push({ path: `${field}[${key}]`, message: `${field}[${key}]: illegal base64 data at input byte ${bad}` });
  }
  return issues;
}

/**
 * Where standard padded base64 goes wrong, or undefined when it decodes. Go's decoder skips line breaks;
 * a bad character is named where it stands, a bad length or padding at the end.
 */
function firstBadBase64Byte(v: string): number | undefined {
  const bad = v.search(/[^A-Za-z0-9+/=\r\n]/);
  if (bad >= 0) return bad;
  const text = v.replace(/[\r\n]/g, '');
  const body = text.replace(/=+$/, '');
  const padding = text.length - body.length;
  if (body.includes('=') || padding > 2 || text.length % 4 !== 0 || (padding > 0 && body.length % 4 === 1)) return v.length;
  return undefined;
}
