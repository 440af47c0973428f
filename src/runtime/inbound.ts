import { randomUUID } from 'node:crypto';
import type { AgentConfig, RuntimeConfig } from '../contract/index.js';
import { MutationBuilder, type RequestHeaders } from './headers.js';
import type { JwksRegistry, JwksSource } from './jwks.js';
import { apiKeyVerifier } from './methods/api-key.js';
import { bearerVerifier } from './methods/bearer.js';
import { edgeTrustVerifier } from './methods/edge-trust.js';
import { mtlsVerifier } from './methods/mtls.js';
import { oidcVerifier } from './methods/oidc.js';
import type { Identity, Outcome, RequestContext, Verifier } from './methods/types.js';
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
}

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
  return {
    key,
    config: agent,
    chain,
    sharedLater: chain.map((v, i) => chain.slice(i + 1).some((w) => w.source === v.source)),
    removes: [...removes],
    challenge: challenges.map((c) => (c === 'Bearer' ? `Bearer realm="${key}"` : c)).join(', '),
  };
}

async function runChain(agent: AgentRuntime, ctx: RequestContext): Promise<{ identity?: Identity; reason: string; status: number }> {
  let pending: { reason: string } | undefined;
  for (let i = 0; i < agent.chain.length; i++) {
    const r = agent.chain[i]!.check(ctx);
    const out: Outcome = r instanceof Promise ? await r : r;
    if (out.kind === 'accept') return { identity: out.identity, reason: out.identity.method, status: 200 };
    if (out.kind === 'absent') continue;
    if (out.status === 503) return { reason: out.reason, status: 503 };
    if (!agent.sharedLater[i]) return { reason: out.reason, status: 401 };
    pending ??= { reason: out.reason };
  }
  return { reason: pending?.reason ?? 'no_credential', status: 401 };
}

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
  if (!headers.get('x-request-id')) m.set('x-request-id', randomUUID());
  const tp = headers.get('traceparent');
  if (headers.count('traceparent') !== 1 || !tp || !TRACEPARENT.test(tp) || tp.startsWith('ff'))
    m.set('traceparent', `00-${randomHex()}-${randomHex().slice(0, 16)}-01`);
}

/**
 * 32 random hex digits (122 random bits). randomUUID draws from Node's batched entropy cache, where
 * randomBytes makes a synchronous randomFillSync per call on this per-request path.
 */
function randomHex(): string {
  return randomUUID().replace(/-/g, '');
}

/** The inbound phase: run the chain, then strip spoofable headers, set verified ones, handle Authorization. */
export async function decideInbound(agent: AgentRuntime, ctx: RequestContext): Promise<Decision> {
  const { identity, reason, status } = await runChain(agent, ctx);
  if (!identity) {
    const error = reason === 'no_credential' ? '' : ', error="invalid_token"';
    return {
      kind: 'deny',
      status,
      reason,
      ...(status === 401 && agent.challenge && { headers: { 'www-authenticate': `${agent.challenge}${error}` } }),
    };
  }
  const forbidden = unmet(agent.config, identity);
  if (forbidden) {
    return {
      kind: 'deny',
      status: 403,
      reason: forbidden,
      ...(forbidden === 'missing_scope' && { headers: { 'www-authenticate': `Bearer realm="${agent.key}", error="insufficient_scope"` } }),
    };
  }
  const m = new MutationBuilder();
  const cfg = agent.config;
  // every inbound identity header goes, whoever sent it
  for (const h of agent.removes) if (ctx.headers.has(h)) m.remove(h);
  const prefix = cfg.identityHeaders.claimPrefix;
  for (const h of ctx.headers.names()) if (h.startsWith(prefix)) m.remove(h);
  if (cfg.authorization.mode === 'move') {
    const raw = ctx.headers.raw('authorization');
    if (raw && ctx.headers.count('authorization') === 1) m.set(cfg.authorization.header, raw);
  }
  const names = { ...cfg.identityHeaders, ...identity.headers };
  if (identity.userId !== undefined) m.set(names.userId, identity.userId);
  if (identity.tenantId !== undefined) m.set(names.tenantId, identity.tenantId);
  if (identity.roles !== undefined && identity.roles.length > 0) m.set(names.roles, identity.roles.join(','));
  if (identity.email !== undefined) m.set(names.email, identity.email);
  for (const [suffix, value] of identity.extra ?? []) m.set(`${prefix}${suffix}`, value);
  addRequestIds(ctx.headers, m);
  return { kind: 'continue', reason, mutation: m, ...(identity.userId !== undefined && { userId: identity.userId }) };
}
