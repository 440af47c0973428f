import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { OidcMethod } from '../../contract/index.js';
import { isHeaderSafe } from '../headers.js';
import { JwksUnavailableError, type JwksSource } from '../jwks.js';
import { ABSENT, bearerToken, credentialHeader, reject, type Outcome, type RequestContext, type Verifier } from './types.js';

const B64URL = /^[A-Za-z0-9_-]+$/;

/**
 * True when the token has the shape of a JWS (three base64url parts, a JSON header with `alg`): only then
 * is it "of this method's kind". Any other bearer value falls through to the next method.
 */
export function looksLikeJwt(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3 || !B64URL.test(parts[0]!) || !(parts[1] === '' || B64URL.test(parts[1]!))) return false;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    return typeof header === 'object' && header !== null && typeof (header as { alg?: unknown }).alg === 'string';
  } catch {
    return false;
  }
}

/** A claim by name, or by dotted path into nested objects (realm_access.roles). */
export function claimAt(payload: JWTPayload, name: string): unknown {
  if (name in payload) return payload[name];
  let cur: unknown = payload;
  for (const part of name.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** A claim as a header value: scalars as text, arrays comma-joined (never dropped); objects are not mapped. */
export function claimText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const items = value.filter((v) => ['string', 'number', 'boolean'].includes(typeof v)).map(String);
    return items.join(',');
  }
  return undefined;
}

function claimList(value: unknown, separator: RegExp): string[] | undefined {
  if (Array.isArray(value)) return value.filter((v) => typeof v === 'string') as string[];
  if (typeof value === 'string') return value.split(separator).filter((s) => s !== '');
  return undefined;
}

/** Why jose refused a token, as a stable reason code. */
export function jwtReason(err: unknown): string {
  if (err instanceof JwksUnavailableError) return 'jwks_unavailable';
  if (err instanceof joseErrors.JWTExpired) return 'token_expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'iss':
        return 'wrong_issuer';
      case 'aud':
        return 'wrong_audience';
      case 'nbf':
        return 'token_not_yet_valid';
      case 'iat':
        return 'token_issued_in_future';
      default:
        return `invalid_claim_${err.claim.replace(/[^a-z_]/gi, '')}`;
    }
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm_not_allowed';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'unknown_signing_key';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (err instanceof joseErrors.JWTInvalid || err instanceof joseErrors.JWSInvalid) return 'malformed_token';
  if (err instanceof joseErrors.JOSENotSupported) return 'algorithm_not_supported';
  return 'invalid_token';
}

/**
 * OIDC/JWT: a JWS in `Authorization: Bearer`, verified with jose against the issuer's key set: signature
 * (asymmetric algorithms of the allow-list only, so `none` and HMAC are refused before any key is used),
 * `iss`, `aud`, `exp` (required) and `nbf` with the clock skew.
 */
export function oidcVerifier(method: OidcMethod, jwks: JwksSource, maxBytes: number, cacheEntries = 0): Verifier {
  // tokens verified before, by token, with what they map to: the signature is not checked again while
  // the key set is the same and still usable; exp and nbf are checked on every use
  const cache = new Map<string, { payload: JWTPayload; version: number; outcome: Outcome }>();
  const skewMs = method.clockSkewSeconds * 1000;
  const options = {
    issuer: method.issuer,
    ...(method.audiences.length > 0 && { audience: method.audiences }),
    algorithms: method.algorithms,
    clockTolerance: method.clockSkewSeconds,
    requiredClaims: ['exp'],
  };
  const c = method.claims;

  /** What a verified payload maps to: the identity, or why its claims cannot become headers. */
  function outcomeOf(payload: JWTPayload): Outcome {
    const text = (name: string | undefined) => (name === undefined ? undefined : claimText(claimAt(payload, name)));
    const userId = text(c.userId);
    if (userId === undefined || userId === '') return reject('missing_user_claim');
    const tenantId = text(c.tenantId);
    const email = text(c.email);
    const rolesValue = c.roles === undefined ? undefined : claimAt(payload, c.roles);
    const roles = rolesValue === undefined ? undefined : claimList(rolesValue, /[\s,]+/);
    const scopes = claimList(payload.scope ?? payload.scp, /\s+/);
    const extra: [string, string][] = [];
    for (const [suffix, claim] of Object.entries(c.extra)) {
      const v = text(claim);
      if (v !== undefined) extra.push([suffix, v]);
    }
    const all = [userId, tenantId, email, ...(roles ?? []), ...extra.map(([, v]) => v)];
    if (all.some((v) => v !== undefined && !isHeaderSafe(v))) return reject('claim_not_header_safe');
    return {
      kind: 'accept',
      identity: {
        method: 'oidc',
        userId,
        ...(tenantId !== undefined && { tenantId }),
        ...(email !== undefined && { email }),
        ...(roles && { roles }),
        ...(scopes && { scopes }),
        ...(extra.length > 0 && { extra }),
        ...(method.identityHeaders && { headers: method.identityHeaders }),
      },
    };
  }

  async function verify(token: string, nowMs: number): Promise<Outcome> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks.getKey, { ...options, currentDate: new Date(nowMs) }));
    } catch (err) {
      const reason = jwtReason(err);
      return reject(reason, reason === 'jwks_unavailable' ? 503 : 401);
    }
    const outcome = outcomeOf(payload);
    if (cacheEntries > 0) {
      if (cache.size >= cacheEntries) cache.delete(cache.keys().next().value!);
      cache.set(token, { payload, version: jwks.version, outcome });
    }
    return outcome;
  }

  return {
    type: 'oidc',
    source: 'authorization',
    consumes: [],
    challenge: 'Bearer',
    check(ctx: RequestContext): Outcome | Promise<Outcome> {
      const { value, outcome } = credentialHeader(ctx, 'authorization', maxBytes);
      if (outcome) return outcome;
      const token = bearerToken(value!);
      if (token === undefined) return ABSENT;
      // a cached token was a JWS when it was verified: its shape need not be checked again
      const hit = cacheEntries > 0 ? cache.get(token) : undefined;
      if (hit && hit.version === jwks.version && jwks.hasUsableKeys()) {
        const payload = hit.payload;
        if (typeof payload.exp !== 'number' || ctx.nowMs >= payload.exp * 1000 + skewMs) {
          cache.delete(token);
          return reject('token_expired');
        }
        if (typeof payload.nbf === 'number' && ctx.nowMs < payload.nbf * 1000 - skewMs) return reject('token_not_yet_valid');
        return hit.outcome;
      }
      if (!looksLikeJwt(token)) return ABSENT;
      return verify(token, ctx.nowMs);
    },
  };
}
