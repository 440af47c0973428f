import { quotaHeader, quotaTiers, type AuthMethod, type IdentityHeaders, type RequestQuota, type Tiers } from '../model/index.js';
import { upstreamRemovedHeaders } from './egress/routes.js';
import { jwksUriFor } from './jwks.js';
import { runtimeSecretName } from './runtime/contract.js';
import { providerSecretPlaces } from './secrets.js';
import { providerEnv } from './egress/agent.js';
import { AGENT_HEADER, type AgentPlan, type FleetPlan } from './plan.js';

/** One auth method of an agent's chain, in words. */
export interface MethodExplanation {
  readonly method: AuthMethod['type'];
  /** What it accepts. */
  readonly accepts: string;
  /** What makes it pass the request to the next method ("not my kind of credential"). */
  readonly fallsThrough: string;
  /** What makes it stop the request with 401/403 ("my kind, but invalid"). */
  readonly rejects: string;
  /** Identity header -> where its value comes from. */
  readonly sets: Record<string, string>;
}

export interface ProviderExplanation {
  readonly provider: string;
  readonly kind: string;
  readonly egressGateway: string;
  readonly target: 'envoy-gateway' | 'ai-gateway';
  /** What the agent's SDK is given (base URLs, placeholders). */
  readonly agentEnv: Record<string, string>;
  /** Where the real key goes, e.g. `authorization: "Bearer <key>"`. */
  readonly injectedAs: string;
  /** Which mechanism injects it. */
  readonly injectedBy: string;
  /** The Secret(s) read, by name: never a value. */
  readonly secrets: readonly string[];
  readonly removedHeaders: readonly string[];
  readonly models: { readonly allowed: readonly string[]; readonly enforced: boolean };
  /** The token budget, in words, when the grant has one. */
  readonly tokenBudget?: string;
  /** The limit on calls to the provider, in words, when the grant has one. */
  readonly requestLimit?: string;
}

/** What happens to a request to one agent, derived from the plan the compiler emits, never re-derived. */
export interface AgentExplanation {
  readonly agent: string;
  readonly image: string;
  readonly exposure:
    | { readonly exposed: false; readonly why: string }
    | {
        readonly exposed: true;
        readonly gateway: string;
        readonly listeners: readonly { name: string; protocol: string; port: number; hostname?: string }[];
        readonly hostnames: readonly string[];
        readonly pathPrefix: string;
      };
  readonly auth: {
    readonly mechanism: AgentPlan['mechanism'];
    readonly enforcedBy: string;
    readonly runtimeReasons: readonly string[];
    readonly chain: readonly MethodExplanation[];
    readonly noCredential: string;
  };
  readonly headers: {
    readonly removedBeforeAuth: readonly string[];
    readonly set: Record<string, string>;
    readonly authorization: string;
  };
  readonly timeouts: { readonly routeSeconds: number; readonly gateway?: { requestSeconds: number; streamIdleSeconds: number; idleSeconds: number }; readonly frontProxySeconds?: number };
  readonly quotas: readonly string[];
  readonly providers: readonly ProviderExplanation[];
  readonly egress: { readonly networkPolicy: string; readonly allows: readonly string[] };
}

function describeMethod(m: AuthMethod, plan: AgentPlan, runtime: boolean, runtimeNamespace: string): MethodExplanation {
  // where the Secret really is: the runtime reads its copy in its own namespace
  const secret = (name: string) => (runtime ? `${runtimeNamespace}/${runtimeSecretName(plan.agent.namespace, name)}` : `${plan.agent.namespace}/${name}`);
  const headers = (fields: Record<string, string | undefined>) =>
    Object.fromEntries(Object.entries(fields).flatMap(([field, from]) => (from ? [[plan.identity[field as 'userId'], from]] : [])));
  switch (m.type) {
    case 'oidc':
      return {
        method: 'oidc',
        accepts: `a JWT bearer token signed by a key of ${jwksUriFor(m) ?? 'the JWKS the issuer\'s discovery document names'}, iss ${m.issuer}, aud one of ${m.audiences.join(', ') || '(any)'}, within ${m.clockSkewSeconds}s of exp/nbf, ${m.algorithms ? `signed with ${m.algorithms.join('/')}` : 'asymmetric algorithms only'}`,
        fallsThrough: runtime ? 'no Authorization: Bearer JWT' : 'never: it is the only method',
        rejects: 'a JWT that fails any of those checks (401), or whose audience does not match',
        sets: { ...headers({ userId: `claim ${m.claims.userId}`, tenantId: m.claims.tenantId && `claim ${m.claims.tenantId}`, roles: m.claims.roles && `claim ${m.claims.roles}${m.arrayClaims.includes(m.claims.roles) ? ' (comma-joined)' : ''}`, email: m.claims.email && `claim ${m.claims.email}` }), ...Object.fromEntries(Object.entries(m.claims.extra).map(([k, c]) => [`${plan.identity.claimPrefix}${k}`, `claim ${c}`])) },
      };
    case 'apiKey':
      return {
        method: 'apiKey',
        accepts: `a key in ${m.header} found in Secret ${secret(m.secretName)}${m.hashed ? ' (as sha256, with roles, scopes and expiry)' : ''}`,
        fallsThrough: runtime ? `no ${m.header} header` : 'never: it is the only method',
        rejects: m.hashed ? 'an unknown or expired key (401); a key without a required role or scope (403)' : 'an unknown key (401)',
        sets: headers({ userId: 'the client id of the key', ...(m.hashed && { tenantId: 'the key\'s tenant', roles: 'the key\'s roles' }) }),
      };
    case 'bearer':
      return {
        method: 'bearer',
        accepts: `a bearer token equal to one of the values of Secret ${secret(m.secretName)} (constant-time compare)`,
        fallsThrough: 'no Authorization: Bearer token',
        rejects: 'any other bearer token (401)',
        sets: headers({ userId: `"${m.clientId}"` }),
      };
    case 'edgeTrust':
      return {
        method: 'edgeTrust',
        accepts: `identity headers set by the upstream edge${m.trustedCidrs.length > 0 ? `, from ${m.trustedCidrs.join(', ')}` : ''}${m.proofSecretName ? `, with a ${m.proofHeader} matching Secret ${secret(m.proofSecretName)}` : ''}`,
        fallsThrough: `no ${m.headers.userId} header`,
        rejects: 'edge headers from an untrusted source or without the proof (401)',
        sets: headers({ userId: m.headers.userId, tenantId: m.headers.tenantId, roles: m.headers.roles, email: m.headers.email }),
      };
    case 'mtls':
      return {
        method: 'mtls',
        accepts: 'a client certificate the gateway verified against its CA bundle',
        fallsThrough: runtime ? 'no verified client certificate (x-forwarded-client-cert absent)' : 'never: the gateway refuses the TLS handshake',
        rejects: 'a certificate without the identity field (401)',
        sets: m.identity === 'none' ? {} : headers({ userId: `the certificate's ${m.identity}` }),
      };
  }
}

function enforcedBy(plan: AgentPlan, fleet: FleetPlan): string {
  const a = plan.agent;
  const r = fleet.fleet.runtime;
  switch (plan.mechanism) {
    case 'native-jwt':
      return `SecurityPolicy ${a.namespace}/${a.name} (Envoy jwt_authn) on HTTPRoute ${a.namespace}/${a.name}`;
    case 'native-api-key':
      return `SecurityPolicy ${a.namespace}/${a.name} (Envoy api_key_auth) on HTTPRoute ${a.namespace}/${a.name}`;
    case 'native-mtls':
      return `ClientTrafficPolicy of gateway ${plan.gateway!.namespace}/${plan.gateway!.name} (client certificates required at the TLS handshake)`;
    case 'runtime':
      return `EnvoyExtensionPolicy ${a.namespace}/${a.name} -> portcullis runtime ${r.namespace}/${r.name}:${r.port} (fails closed: no answer, no request)`;
    case 'none':
      return 'nothing: no route is emitted, so no gateway reaches the agent';
  }
}

function injectedAs(plan: FleetPlan, providerName: string, gatewayIndex: number): { as: string; by: string } {
  const egress = plan.egressGateways[gatewayIndex]!;
  const route = egress.routes.find((r) => r.provider.name === providerName)!;
  const c = route.convention;
  const as =
    c.inject.type === 'header'
      ? `${c.inject.header}: "${c.inject.prefix}<key>"`
      : c.inject.type === 'query'
        ? `query parameter ${c.inject.param}=<key>`
        : c.inject.type === 'sigv4'
          ? `an AWS SigV4 signature (${c.inject.region}/${c.inject.service}) over the request and body`
          : 'a GCP access token minted from the service account';
  const by =
    egress.gateway.target === 'ai-gateway'
      ? `BackendSecurityPolicy ${egress.gateway.namespace}/${providerName} (AI Gateway${route.provider.perTenant ? ', tenant key from the runtime via dynamic metadata' : ''})`
      : route.mechanism === 'credential-injector'
        ? `HTTPRouteFilter ${egress.gateway.namespace}/${providerName}-credential (credentialInjection, overwrite on: a key the agent sends never wins)`
        : `the portcullis runtime on HTTPRoute ${egress.gateway.namespace}/${egress.gateway.name}-${providerName} (${route.runtimeReasons.join('; ')})`;
  return { as, by };
}

/** The BackendTrafficPolicy that holds an egress gateway's limits for a provider. */
function limitsPolicy(gateway: { namespace: string; name: string; target: string }, provider: string): string {
  return `${gateway.namespace}/${gateway.name}${gateway.target === 'ai-gateway' ? '' : `-${provider}`}-limits`;
}

/** Explains one agent (`namespace/name`, or a unique name); undefined when no agent matches. */
export function explainAgent(plan: FleetPlan, ref: string): AgentExplanation | undefined {
  const matches = plan.agents.filter((a) => (ref.includes('/') ? `${a.agent.namespace}/${a.agent.name}` === ref : a.agent.name === ref));
  if (matches.length !== 1) return undefined;
  const a = matches[0]!;
  const agent = a.agent;
  const runtime = a.mechanism === 'runtime';
  const gatewayPlan = plan.gateways.find((g) => g.gateway === a.gateway);
  const authorization = !a.exposed
    ? 'not applicable: not exposed'
    : agent.authorizationHeader.mode === 'strip'
      ? 'validated, then removed before the request reaches the agent (HTTPRoute RequestHeaderModifier, applied after every auth filter)'
      : agent.authorizationHeader.mode === 'passthrough'
        ? 'passed to the agent untouched'
        : `moved to ${agent.authorizationHeader.header} by the runtime, then Authorization is removed`;
  return {
    agent: `${agent.namespace}/${agent.name}`,
    image: agent.image,
    exposure: a.exposed
      ? {
          exposed: true,
          gateway: `${a.gateway!.namespace}/${a.gateway!.name}`,
          listeners: a.listeners.map((l) => ({ name: l.name, protocol: l.protocol, port: l.port, ...(l.hostname && { hostname: l.hostname }) })),
          hostnames: agent.expose!.hostnames,
          pathPrefix: agent.expose!.pathPrefix,
        }
      : { exposed: false, why: agent.auth.length === 0 ? 'it declares no inbound auth (secure default, PC012)' : 'it is not exposed on a gateway' },
    auth: {
      mechanism: a.mechanism,
      enforcedBy: enforcedBy(a, plan),
      runtimeReasons: a.runtimeReasons,
      chain: agent.auth.map((m) => describeMethod(m, a, runtime, plan.fleet.runtime.namespace)),
      noCredential: a.exposed ? '401 with WWW-Authenticate: no method accepted the request' : 'unreachable',
    },
    headers: {
      removedBeforeAuth: gatewayPlan?.earlyRemovedHeaders ?? [],
      set: a.exposed ? { [AGENT_HEADER]: `${agent.namespace}/${agent.name}`, 'x-request-id': 'kept, or generated when absent', ...(runtime && { traceparent: 'kept, or generated when absent' }) } : {},
      authorization,
    },
    timeouts: {
      routeSeconds: agent.timeoutSeconds,
      ...(gatewayPlan && { gateway: gatewayPlan.timeouts }),
      ...(a.gateway?.frontProxyTimeoutSeconds !== undefined && { frontProxySeconds: a.gateway.frontProxyTimeoutSeconds }),
    },
    quotas: a.exposed
      ? agent.quotas.map((q) => describeQuota(q, a.identity, `${agent.namespace}/${agent.name}`))
      : [],
    providers: a.grants.map((g) => {
      const route = g.gateway.routes.find((r) => r.provider === g.provider)!;
      const { as, by } = injectedAs(plan, g.provider.name, g.gateway.index);
      const grant = agent.providers.find((x) => x.provider === g.provider.name)!;
      return {
        provider: g.provider.name,
        kind: g.provider.kind,
        egressGateway: `${g.gateway.gateway.namespace}/${g.gateway.gateway.name}`,
        target: g.gateway.gateway.target,
        agentEnv: providerEnv([g]),
        injectedAs: as,
        injectedBy: by,
        secrets: providerSecretPlaces(route, g.gateway, plan.fleet.runtime.namespace).map(
          (s) => `${s.namespace}/${s.name} key ${s.key}${s.role === 'credential' ? '' : ` (tenant ${s.role.tenant})`}`,
        ),
        removedHeaders: upstreamRemovedHeaders(plan.fleet, g.gateway, route),
        models: { allowed: grant.models, enforced: g.gateway.gateway.target === 'ai-gateway' },
        ...(grant.tokenBudget && {
          tokenBudget: `${grant.tokenBudget.tokens} ${grant.tokenBudget.count} tokens per ${grant.tokenBudget.per} ${countedBy(grant.tokenBudget.key, a.identity)}${tiersText(grant.tokenBudget, a.identity)}, by BackendTrafficPolicy ${limitsPolicy(g.gateway.gateway, g.provider.name)}; checked before each call, charged after it`,
        }),
        ...(grant.requestLimit && {
          requestLimit: `${grant.requestLimit.requests} calls per ${grant.requestLimit.per} ${countedBy(grant.requestLimit.key, a.identity)}${tiersText(grant.requestLimit, a.identity)}, by BackendTrafficPolicy ${limitsPolicy(g.gateway.gateway, g.provider.name)}`,
        }),
      };
    }),
    egress: {
      networkPolicy: `${agent.namespace}/${agent.name}-egress`,
      allows: [
        'DNS: kube-system/kube-dns on 53/udp and 53/tcp',
        ...[...new Map(a.grants.map((g) => [g.gateway.index, g])).values()].map(
          (g) =>
            `egress gateway ${g.gateway.gateway.namespace}/${g.gateway.gateway.name}: its proxies in ${plan.fleet.envoyGatewayNamespace} on ${g.client.port}/tcp, a listener only this agent may reach, which stamps its calls ${AGENT_HEADER}: ${agent.namespace}/${agent.name}`,
        ),
        ...agent.inClusterEgress.map((e) => `namespace ${e.namespace}${Object.keys(e.podLabels).length > 0 ? ` pods ${Object.entries(e.podLabels).map(([k, v]) => `${k}=${v}`).join(',')}` : ''} on ${e.port}/tcp`),
      ],
    },
  };
}

/** One quota in words: who is counted, each tier's limit, and what happens to callers without the key. */
function describeQuota(q: RequestQuota, identity: IdentityHeaders, policy: string): string {
  const key = quotaHeader(q.key, identity);
  const tiers = quotaTiers(q);
  const counted = `per ${q.per} per distinct ${key} (${typeof q.key === 'string' ? q.key : 'header'})`;
  const limits =
    q.tiers && tiers.length > 0
      ? `requests ${counted}, tiered by ${quotaHeader(q.tiers.by, identity)}: ${tiers.map(([v, n]) => `${v} ${n}`).join(', ')}, any other value or none ${q.requests}`
      : `${q.requests} requests ${counted}`;
  const without =
    q.unidentified === undefined ? 'a request without that header is not counted' : `requests without ${key} share ${q.unidentified} per ${q.per}`;
  return `${limits}, by BackendTrafficPolicy ${policy} (global rate limit, after authentication); ${without}`;
}

/** The tiers of a budget or call limit in words, or nothing; the limit beside them is for everyone else. */
function tiersText(l: { tiers?: Tiers | undefined }, identity: IdentityHeaders): string {
  const tiers = quotaTiers(l);
  return l.tiers && tiers.length > 0 ? ` (but ${tiers.map(([v, n]) => `${quotaHeader(l.tiers!.by, identity)} ${v}: ${n}`).join(', ')})` : '';
}

/** Who a budget or call limit counts: each identity among this agent's calls, or the agent as a whole. */
function countedBy(key: 'user' | 'tenant' | 'agent', identity: IdentityHeaders): string {
  return key === 'agent'
    ? 'for all of this agent\'s calls together (as its listener on the egress gateway stamps them)'
    : `per distinct ${quotaHeader(key, identity)} (as the agent forwards it) among this agent's calls`;
}
