import { randomFillSync, randomUUID } from 'node:crypto';
import type { AgentConfig, RuntimeConfig } from '../contract/index.js';
import { MutationBuilder, isHeaderSafe, type RequestHeaders } from './headers.js';
import type { JwksRegistry, JwksSource } from './jwks.js';
import { apiKeyVerifier } from './methods/api-key.js';
import { bearerVerifier } from './methods/bearer.js';
import { edgeTrustVerifier } from './methods/edge-trust.js';
import { mtlsVerifier } from './methods/mtls.js';
import { oidcVerifier } from './methods/oidc.js';
import { reject, type Identity, type Outcome, type RequestContext, type Verifier } from './methods/types.js';
import type { SecretReader } from './secrets.js';

export type Decision =
  | { readonly kind: 'continue'; readonly reason: string; readonly mutation: MutationBuilder; readonly userId?: string }
  | { readonly kind: 'deny'; readonly status: number; readonly reason: string; readonly headers?: Record<string, string> };

/** An agent's chain and header policy, built once per config load. */
export interface AgentRuntime {
  readonly key: string;
  readonly config: AgentConfig;
  readonly chain: readonly Verifier[];
  /** For each position: does a later method read the same header (then a reject there falls through)? */
  readonly sharedLater: readonly boolean[];
  /** Headers removed from every request, before verified ones are set. */
  readonly removes: readonly string[];
  readonly challenge: string;
  /** The identity header names for each method's overrides (`Identity.headers`), merged over the agent's. */
  readonly identityHeaderNames: ReadonlyMap<Identity['headers'], IdentityHeaderNames>;
}
type IdentityHeaderNames = AgentConfig['identityHeaders'] & NonNullable<Identity['headers']>;

export function buildAgent(
  key: string,
  agent: AgentConfig,
  config: RuntimeConfig,
  secrets: SecretReader,
  jwks: JwksRegistry,
  usedJwks: Set<JwksSource>,
): AgentRuntime {
  const max = config.maxCredentialBytes;
  const chain = agent.chain.map((m, i): Verifier => {
    try {
      switch (m.type) {
        case 'oidc': {
          const source = jwks.get(m.issuer, m.jwksUri, config.jwks);
          usedJwks.add(source);
          return oidcVerifier(m, source, max, config.jwks.verifiedTokenCacheEntries);
        }
        case 'apiKey':
          return apiKeyVerifier(m, secrets, max);
        case 'bearer':
          return bearerVerifier(m, secrets, max);
        case 'edgeTrust':
          return edgeTrustVerifier(m, secrets, max);
        case 'mtls':
          return mtlsVerifier(m, max);
      }
    } catch (err) {
      throw new Error(`agents.${key}.chain[${i}] (${m.type}): ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  const ih = agent.identityHeaders;
  const removes = new Set<string>([...agent.removeHeaders, ih.userId, ih.tenantId, ih.roles, ih.email]);
  for (const m of agent.chain) for (const h of Object.values(m.identityHeaders ?? {})) if (h) removes.add(h);
  for (const v of chain) for (const h of v.consumes) removes.add(h);
  if (agent.authorization.mode === 'move') removes.add(agent.authorization.header);
  if (agent.authorization.mode !== 'passthrough') removes.add('authorization');
  const challenges = [...new Set(chain.map((v) => v.challenge).filter((c): c is string => c !== undefined))];
  const identityHeaderNames = new Map<Identity['headers'], IdentityHeaderNames>([[undefined, { ...agent.identityHeaders }]]);
  for (const m of agent.chain) if (m.identityHeaders) identityHeaderNames.set(m.identityHeaders, { ...agent.identityHeaders, ...m.identityHeaders });
  return {
    key,
    config: agent,
    chain,
    sharedLater: chain.map((v, i) => chain.slice(i + 1).some((w) => w.source === v.source)),
    removes: [...removes],
    challenge: challenges.map((c) => (c === 'Bearer' ? `Bearer realm="${key}"` : c)).join(', '),
    identityHeaderNames,
  };
}

/**
 * The chain's outcome: the first accept, or the reject that ends it (401 or 503), or no credential at all.
 * Synchronous for as long as the methods answer synchronously (an API key, a token already verified), so
 * that such a request costs no promise; from the first method that must wait (a signature, a JWKS fetch)
 * the rest of the chain follows it.
 */
function runChain(agent: AgentRuntime, ctx: RequestContext, from = 0, pending?: Outcome): Outcome | Promise<Outcome> {
  for (let i = from; i < agent.chain.length; i++) {
    const r = agent.chain[i]!.check(ctx);
    if (r instanceof Promise) return r.then((out) => (ends(agent, i, out) ? out : runChain(agent, ctx, i + 1, out.kind === 'reject' ? (pending ?? out) : pending)));
    if (ends(agent, i, r)) return r;
    if (r.kind === 'reject') pending ??= r;
  }
  return pending ?? NO_CREDENTIAL;
}

/** Whether a method's outcome ends the chain: an accept, or a reject no later method reading the same header can overturn. */
function ends(agent: AgentRuntime, i: number, out: Outcome): boolean {
  return out.kind === 'accept' || (out.kind === 'reject' && (out.status === 503 || !agent.sharedLater[i]));
}
const NO_CREDENTIAL = reject('no_credential');

function unmet(agent: AgentConfig, identity: Identity): string | undefined {
  const req = agent.require;
  if (!req) return undefined;
  if (req.roles && !req.roles.some((r) => identity.roles?.includes(r))) return 'missing_role';
  if (req.scopes && !req.scopes.every((s) => identity.scopes?.includes(s))) return 'missing_scope';
  return undefined;
}

const TRACEPARENT = /^[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Adds x-request-id and a W3C traceparent when the request has no (valid) one. */
export function addRequestIds(headers: RequestHeaders, m: MutationBuilder): void {
  if (!headers.raw('x-request-id')?.length) m.set('x-request-id', randomUUID());
  const tp = headers.get('traceparent');
  if (headers.count('traceparent') !== 1 || !tp || !TRACEPARENT.test(tp) || tp.startsWith('ff'))
    m.set('traceparent', `00-${randomId(TRACE_ID_ZERO)}-${randomId(SPAN_ID_ZERO)}-01`);
}

const TRACE_ID_ZERO = '0'.repeat(32);
const SPAN_ID_ZERO = '0'.repeat(16);
// random bytes drawn in batches, as randomUUID does with its own cache: one randomFillSync per 170 requests
const entropy = Buffer.alloc(4096);
let entropyUsed = entropy.length;

/** A random trace (16 bytes) or span (8 bytes) id in hex, never all zeros (W3C: invalid). */
function randomId(zero: string): string {
  const bytes = zero.length / 2;
  for (;;) {
    if (entropyUsed + bytes > entropy.length) {
      randomFillSync(entropy);
      entropyUsed = 0;
    }
    const hex = entropy.toString('hex', entropyUsed, (entropyUsed += bytes));
    if (hex !== zero) return hex;
  }
}

/**
 * The inbound phase: run the chain, then strip spoofable headers, set verified ones, handle Authorization.
 * Synchronous when the chain is.
 */
export function decideInbound(agent: AgentRuntime, ctx: RequestContext): Decision | Promise<Decision> {
  const out = runChain(agent, ctx);
  return out instanceof Promise ? out.then((o) => decide(agent, ctx, o)) : decide(agent, ctx, out);
}

function decide(agent: AgentRuntime, ctx: RequestContext, out: Outcome): Decision {
  if (out.kind !== 'accept') {
    const reason = out.kind === 'reject' ? out.reason : 'no_credential';
    const status = out.kind === 'reject' && out.status === 503 ? 503 : 401;
    const error = reason === 'no_credential' ? '' : ', error="invalid_token"';
    return {
      kind: 'deny',
      status,
      reason,
      ...(status === 401 && agent.challenge && { headers: { 'www-authenticate': `${agent.challenge}${error}` } }),
    };
  }
  const identity = out.identity;
  const reason = identity.method;
  const forbidden = unmet(agent.config, identity);
  if (forbidden) {
    return {
      kind: 'deny',
      status: 403,
      reason: forbidden,
      ...(forbidden === 'missing_scope' && { headers: { 'www-authenticate': `Bearer realm="${agent.key}", error="insufficient_scope"` } }),
    };
  }
  const cfg = agent.config;
  // move: the caller's one Authorization, as it came, for the agent to read; none is fine, but two, or one
  // Envoy could not set again (control characters), leave nothing sound to hand over
  const moved = cfg.authorization.mode === 'move' ? ctx.headers.raw('authorization') : undefined;
  if (moved && (ctx.headers.count('authorization') !== 1 || !isHeaderSafe(moved.toString('latin1'), Number.POSITIVE_INFINITY)))
    return { kind: 'deny', status: 400, reason: 'authorization_not_movable' };
  const m = new MutationBuilder();
  // every inbound identity header goes, whoever sent it
  for (const h of agent.removes) if (ctx.headers.has(h)) m.remove(h);
  const prefix = cfg.identityHeaders.claimPrefix;
  for (const h of ctx.headers.names()) if (h.startsWith(prefix)) m.remove(h);
  if (moved && cfg.authorization.mode === 'move') m.set(cfg.authorization.header, moved);
  const names = agent.identityHeaderNames.get(identity.headers) ?? { ...cfg.identityHeaders, ...identity.headers };
  if (identity.userId !== undefined) m.set(names.userId, identity.userId);
  if (identity.tenantId !== undefined) m.set(names.tenantId, identity.tenantId);
  if (identity.roles !== undefined && identity.roles.length > 0) m.set(names.roles, identity.roles.join(','));
  if (identity.email !== undefined) m.set(names.email, identity.email);
  for (const [suffix, value] of identity.extra ?? []) m.set(`${prefix}${suffix}`, value);
  addRequestIds(ctx.headers, m);
  return { kind: 'continue', reason, mutation: m, ...(identity.userId !== undefined && { userId: identity.userId }) };
}
