import { createHash, hash } from 'node:crypto';
import type { ApiKeyMethod } from '../../contract/index.js';
import type { SecretReader } from '../secrets.js';
import { trimNewline } from '../secrets.js';
import { ABSENT, bearerToken, credentialHeader, reject, type Outcome, type RequestContext, type Verifier } from './types.js';

/**
 * One key of the table, which is keyed by the hex SHA-256 of the key. Lean on purpose: the table lives as
 * long as the config, and every full GC marks all of it (10,000 keys as some 3 objects each, not 7).
 */
interface KeyEntry {
  readonly clientId: string;
  /** Shared by every key with the same list (see Interner). */
  readonly roles?: readonly string[];
  readonly scopes?: readonly string[];
  readonly tenant?: string;
  readonly expiresAtMs?: number;
  /** The accept outcome of this key, made on its first use and then reused. */
  accept?: Outcome;
}

const sha256Hex = (s: string) => createHash('sha256').update(s, 'latin1').digest('hex');

/**
 * Per-caller API keys from a Secret, one file per client id. Plain: the file holds the key. Hashed: the
 * file holds JSON {sha256, roles?, scopes?, tenant?, expiresAt?}. Either way the table is keyed by the
 * sha256 of the key, built once per load, and the presented key is hashed and looked up. Only digests are
 * ever compared, so the lookup's timing says nothing about any key (finding a key from its digest is a
 * preimage attack on SHA-256): a hash and compare is what a constant-time comparison of secrets is for.
 */
export function apiKeyVerifier(method: ApiKeyMethod, secrets: SecretReader, maxBytes: number): Verifier {
  const table = new Map<string, KeyEntry>();
  const interner = new Interner();
  for (const [clientId, raw] of secrets.readAll(method.secret)) {
    const [hex, entry] = method.hashed
      ? hashedEntry(method, clientId, raw.toString('utf8'), interner)
      : [sha256Hex(trimNewline(raw.toString('latin1'))), { clientId }];
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
      // one-shot hash (no Hash object), its hex the table's key
      const entry = table.get(hash('sha256', Buffer.from(key, 'latin1'), 'hex'));
      if (!entry) return reject('unknown_api_key');
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

/**
 * One frozen copy of each distinct roles or scopes list and tenant: 10,000 keys of a few roles and
 * tenants hold a few lists and strings between them, not 10,000 of each.
 */
class Interner {
  private readonly lists = new Map<string, readonly string[]>();
  private readonly strings = new Map<string, string>();

  list(items: readonly string[]): readonly string[] {
    const id = JSON.stringify(items);
    let shared = this.lists.get(id);
    if (!shared) this.lists.set(id, (shared = Object.freeze([...items])));
    return shared;
  }

  string(s: string): string {
    let shared = this.strings.get(s);
    if (shared === undefined) this.strings.set(s, (shared = s));
    return shared;
  }
}

/** A hashed key's file: its digest (lowercase hex, the table's key) and its entry. */
function hashedEntry(method: ApiKeyMethod, clientId: string, text: string, interner: Interner): [string, KeyEntry] {
  const where = `secret ${method.secret.namespace}/${method.secret.name}, key ${clientId}`;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(`${where}: not JSON; a hashed API key is {"sha256": "<hex>", "roles": [...], "expiresAt": "..."}`);
  }
  const d = doc as { sha256?: unknown; roles?: unknown; scopes?: unknown; tenant?: unknown; expiresAt?: unknown };
  if (typeof d.sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(d.sha256)) throw new Error(`${where}: sha256 must be 64 hex digits`);
  const strings = (v: unknown, field: string): readonly string[] | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new Error(`${where}: ${field} must be an array of strings`);
    return interner.list(v as string[]);
  };
  let expiresAtMs: number | undefined;
  if (d.expiresAt !== undefined) {
    expiresAtMs = typeof d.expiresAt === 'string' && /^\d{4}-\d\d-\d\dT/.test(d.expiresAt) ? Date.parse(d.expiresAt) : NaN;
    if (Number.isNaN(expiresAtMs)) throw new Error(`${where}: expiresAt must be an RFC 3339 time, got ${JSON.stringify(d.expiresAt)}`);
  }
  if (d.tenant !== undefined && typeof d.tenant !== 'string') throw new Error(`${where}: tenant must be a string`);
  const roles = strings(d.roles, 'roles');
  const scopes = strings(d.scopes, 'scopes');
  return [
    d.sha256.toLowerCase(),
    {
      clientId,
      ...(roles && { roles }),
      ...(scopes && { scopes }),
      ...(typeof d.tenant === 'string' && { tenant: interner.string(d.tenant) }),
      ...(expiresAtMs !== undefined && { expiresAtMs }),
    },
  ];
}
