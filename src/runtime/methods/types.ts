import type { RequestHeaders } from '../headers.js';

/** The identity a method verified, before it becomes headers. */
export interface Identity {
  /** Which method of the chain accepted, e.g. `oidc`, `apiKey`. */
  readonly method: string;
  readonly userId?: string;
  readonly tenantId?: string;
  readonly roles?: readonly string[];
  readonly email?: string;
  readonly scopes?: readonly string[];
  /** Extra claims: [header suffix, value]. */
  readonly extra?: ReadonlyArray<readonly [string, string]>;
  /** Header name overrides of this method. */
  readonly headers?: { userId?: string; tenantId?: string; roles?: string; email?: string };
}

export type Outcome =
  | { readonly kind: 'absent' }
  | { readonly kind: 'reject'; readonly reason: string; readonly status?: 401 | 503 }
  | { readonly kind: 'accept'; readonly identity: Identity };

export const ABSENT: Outcome = { kind: 'absent' };
export const reject = (reason: string, status: 401 | 503 = 401): Outcome => ({ kind: 'reject', reason, status });

export interface RequestContext {
  readonly headers: RequestHeaders;
  /** Envoy's source.address attribute (`ip:port`), when sent. */
  readonly sourceAddress?: string;
  readonly nowMs: number;
}

/**
 * One method of a chain. `check` answers absent (no credential of my kind: the next method runs), reject
 * (my kind but invalid: the chain stops with 401, unless a later method reads the same header) or accept.
 */
export interface Verifier {
  readonly type: string;
  /** The header the credential is read from. */
  readonly source: string;
  /** The challenge this method adds to WWW-Authenticate on 401, if any. */
  readonly challenge?: string;
  /** Headers carrying the credential, removed before the request reaches the agent (Authorization follows the agent's mode). */
  readonly consumes: readonly string[];
  check(ctx: RequestContext): Outcome | Promise<Outcome>;
}

/** `Bearer <token>` (scheme case-insensitive) -> the token; undefined for another scheme. */
export function bearerToken(value: string): string | undefined {
  const m = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(value);
  return m?.[1];
}

/** Reads a single-valued credential header: absent, duplicated (refused) or too long (refused). */
export function credentialHeader(ctx: RequestContext, name: string, maxBytes: number): { value?: string; outcome?: Outcome } {
  const n = ctx.headers.count(name);
  if (n === 0) return { outcome: ABSENT };
  if (n > 1) return { outcome: reject('duplicate_credential_header') };
  const raw = ctx.headers.raw(name)!;
  if (raw.length > maxBytes) return { outcome: reject('credential_too_large') };
  return { value: raw.toString('latin1') };
}
