import { createHash, hash, timingSafeEqual } from 'node:crypto';
import type { ApiKeyMethod } from '../../contract/index.js';
import type { SecretReader } from '../secrets.js';
import { trimNewline } from '../secrets.js';
import { ABSENT, bearerToken, credentialHeader, reject, type Outcome, type RequestContext, type Verifier } from './types.js';

interface KeyEntry {
  readonly clientId: string;
  readonly digest: Buffer;
  readonly roles?: readonly string[];
  readonly scopes?: readonly string[];
  readonly tenant?: string;
  readonly expiresAtMs?: number;
  /** The accept outcome of this key, made on its first use and then reused. */
  accept?: Outcome;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'latin1').digest();

/**
 * Per-caller API keys from a Secret, one file per client id. Plain: the file holds the key. Hashed: the
 * file holds JSON {sha256, roles?, scopes?, tenant?, expiresAt?}. Either way the table is keyed by the
 * sha256 of the key, built once per load; the presented key is hashed and the digests compared in
 * constant time.
 */
export function apiKeyVerifier(method: ApiKeyMethod, secrets: SecretReader, maxBytes: number): Verifier {
  const table = new Map<string, KeyEntry>();
  for (const [clientId, raw] of secrets.readAll(method.secret)) {
    const entry = method.hashed ? hashedEntry(method, clientId, raw.toString('utf8')) : { clientId, digest: sha256(trimNewline(raw.toString('latin1'))) };
    const hex = entry.digest.toString('hex');
    const prior = table.get(hex);
    if (prior) throw new Error(`secret ${method.secret.namespace}/${method.secret.name}: clients ${prior.clientId} and ${clientId} have the same key`);
    table.set(hex, entry);
  }
  const isAuthorization = method.header === 'authorization';
  return {
    type: 'apiKey',
    source: method.header,
    consumes: isAuthorization ? [] : [method.header],
    challenge: isAuthorization ? 'Bearer' : `ApiKey header="${method.header}"`,
    check(ctx: RequestContext): Outcome {
      const { value, outcome } = credentialHeader(ctx, method.header, maxBytes);
      if (outcome) return outcome;
      const key = isAuthorization ? bearerToken(value!) : value!.trim();
      if (key === undefined || key === '') return isAuthorization ? ABSENT : reject('empty_api_key');
      // one-shot hash (no Hash object), its hex the table's key; the digest compared in constant time
      const hex = hash('sha256', Buffer.from(key, 'latin1'), 'hex');
      const entry = table.get(hex);
      if (!entry) return reject('unknown_api_key');
      digest.write(hex, 'hex');
      if (!timingSafeEqual(entry.digest, digest)) return reject('unknown_api_key');
      if (entry.expiresAtMs !== undefined && ctx.nowMs >= entry.expiresAtMs) return reject('api_key_expired');
      return (entry.accept ??= {
        kind: 'accept',
        identity: {
          method: 'apiKey',
          userId: entry.clientId,
          ...(entry.tenant !== undefined && { tenantId: entry.tenant }),
          ...(entry.roles && { roles: entry.roles }),
          ...(entry.scopes && { scopes: entry.scopes }),
          ...(method.identityHeaders && { headers: method.identityHeaders }),
        },
      });
    },
  };
}

/** The presented key's digest, written and compared synchronously by one check at a time. */
const digest = Buffer.alloc(32);

function hashedEntry(method: ApiKeyMethod, clientId: string, text: string): KeyEntry {
  const where = `secret ${method.secret.namespace}/${method.secret.name}, key ${clientId}`;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(`${where}: not JSON; a hashed API key is {"sha256": "<hex>", "roles": [...], "expiresAt": "..."}`);
  }
  const d = doc as { sha256?: unknown; roles?: unknown; scopes?: unknown; tenant?: unknown; expiresAt?: unknown };
  if (typeof d.sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(d.sha256)) throw new Error(`${where}: sha256 must be 64 hex digits`);
  const strings = (v: unknown, field: string): string[] | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new Error(`${where}: ${field} must be an array of strings`);
    return v as string[];
  };
  let expiresAtMs: number | undefined;
  if (d.expiresAt !== undefined) {
    expiresAtMs = typeof d.expiresAt === 'string' && /^\d{4}-\d\d-\d\dT/.test(d.expiresAt) ? Date.parse(d.expiresAt) : NaN;
    if (Number.isNaN(expiresAtMs)) throw new Error(`${where}: expiresAt must be an RFC 3339 time, got ${JSON.stringify(d.expiresAt)}`);
  }
  if (d.tenant !== undefined && typeof d.tenant !== 'string') throw new Error(`${where}: tenant must be a string`);
  const roles = strings(d.roles, 'roles');
  const scopes = strings(d.scopes, 'scopes');
  return {
    clientId,
    digest: Buffer.from(d.sha256.toLowerCase(), 'hex'),
    ...(roles && { roles }),
    ...(scopes && { scopes }),
    ...(typeof d.tenant === 'string' && { tenant: d.tenant }),
    ...(expiresAtMs !== undefined && { expiresAtMs }),
  };
}
