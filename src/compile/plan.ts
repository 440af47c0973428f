import {
  ALL_ASYMMETRIC_ALGORITHMS,
  DEFAULT_IDENTITY_HEADERS,
  agentGateway,
  attachedListeners,
  type Agent,
  type AuthMethod,
  type Fleet,
  type IdentityHeaders,
  type IngressGateway,
  type Listener,
  type RuntimeRef,
} from '../model/index.js';
import { planEgressGateways, planGrants, type EgressGatewayPlan, type GrantPlan } from './egress/plan.js';
import { jwksUriFor } from './jwks.js';

/**
 * Which mechanism enforces an agent's inbound auth. The compiler picks the cheapest one that does the
 * whole job: a native Envoy filter where one exists, the portcullis runtime (ext_proc) otherwise.
 */
export type InboundMechanism = 'none' | 'native-jwt' | 'native-api-key' | 'native-mtls' | 'runtime';

export interface AgentPlan {
  readonly agent: Agent;
  readonly index: number;
  /** The ingress gateway the agent asked for, when it resolves. */
  readonly gateway?: IngressGateway;
  /** True when a route is emitted: the agent has auth and a gateway. Secure default: no auth, no route. */
  readonly exposed: boolean;
  readonly listeners: readonly Listener[];
  readonly identity: IdentityHeaders;
  readonly mechanism: InboundMechanism;
  /** Why the runtime is needed, in words, one per need; empty unless mechanism is runtime. */
  readonly runtimeReasons: readonly string[];
  /** For native-jwt: the JWKS endpoint used. */
  readonly jwksUri?: string;
  /** Providers the agent may call, each through its egress gateway. */
  readonly grants: readonly GrantPlan[];
}

export interface GatewayPlan {
  readonly gateway: IngressGateway;
  readonly index: number;
  readonly agents: readonly AgentPlan[];
  /** Spoofable headers removed before any filter runs, sorted. */
  readonly earlyRemovedHeaders: readonly string[];
  readonly timeouts: { readonly requestSeconds: number; readonly streamIdleSeconds: number; readonly idleSeconds: number };
}

export interface FleetPlan {
  readonly fleet: Fleet;
  readonly gateways: readonly GatewayPlan[];
  readonly egressGateways: readonly EgressGatewayPlan[];
  readonly agents: readonly AgentPlan[];
  /** What the runtime serves, and the namespaces whose EnvoyExtensionPolicies point at it. */
  readonly runtime: { readonly ref: RuntimeRef; readonly agents: readonly AgentPlan[]; readonly namespaces: readonly string[] };
}

/** Header naming the agent a request is routed to (`namespace/name`). */
export const AGENT_HEADER = 'x-portcullis-agent';
export const DEFAULT_AGENT_TIMEOUT_SECONDS = 100;
const ENVOY_STREAM_IDLE_DEFAULT_SECONDS = 300;
const ENVOY_IDLE_DEFAULT_SECONDS = 3600;

function methodRuntimeReasons(method: AuthMethod, gateway: IngressGateway | undefined): string[] {
  switch (method.type) {
    case 'oidc': {
      const reasons: string[] = [];
      if (!jwksUriFor(method)) reasons.push(`JWKS of ${method.issuer} found by OIDC discovery at run time`);
      if (method.algorithms && ALL_ASYMMETRIC_ALGORITHMS.some((a) => !method.algorithms!.includes(a)))
        reasons.push(`algorithm allow-list ${method.algorithms.join(', ')} (Envoy's jwt filter has none)`);
      if (method.clockSkewSeconds !== 60) reasons.push(`clock skew of ${method.clockSkewSeconds}s (Envoy's jwt filter fixes 60s)`);
      const mapped = [method.claims.userId, method.claims.tenantId, method.claims.roles, method.claims.email, ...Object.values(method.claims.extra)];
      const arrays = method.arrayClaims.filter((c) => mapped.includes(c));
      if (arrays.length > 0) reasons.push(`array claims ${arrays.join(', ')} joined into headers`);
      return reasons;
    }
    case 'apiKey':
      return method.hashed ? ['API keys stored as sha256 hashes with roles, scopes and expiry'] : [];
    case 'bearer':
      return ['shared bearer token compared in constant time, several valid during rotation'];
    case 'edgeTrust':
      return ['edge-trust: identity taken from headers of a trusted upstream edge'];
    case 'mtls': {
      const reasons: string[] = [];
      if (method.identity !== 'none') reasons.push(`client certificate ${method.identity} mapped to the user id header`);
      if (gateway?.clientValidation?.mode === 'optional') reasons.push('client certificate required on a listener where it is optional');
      return reasons;
    }
  }
}

function planAgent(fleet: Fleet, agent: Agent, index: number, egress: readonly EgressGatewayPlan[]): AgentPlan {
  const gateway = agentGateway(fleet, agent);
  const exposed = gateway !== undefined && agent.auth.length > 0;
  const identity = gateway?.identityHeaders ?? DEFAULT_IDENTITY_HEADERS;
  const reasons: string[] = [];
  if (agent.auth.length > 1)
    reasons.push(`any-of chain of ${agent.auth.length} methods (Envoy Gateway ANDs the methods of one SecurityPolicy)`);
  for (const m of agent.auth) reasons.push(...methodRuntimeReasons(m, gateway));
  if (agent.authorizationHeader.mode === 'move') reasons.push(`Authorization moved to ${agent.authorizationHeader.header}`);
  const only = agent.auth.length === 1 ? agent.auth[0] : undefined;
  let mechanism: InboundMechanism = 'none';
  if (exposed) {
    if (reasons.length > 0) mechanism = 'runtime';
    else if (only?.type === 'oidc') mechanism = 'native-jwt';
    else if (only?.type === 'apiKey') mechanism = 'native-api-key';
    else mechanism = 'native-mtls';
  }
  const jwksUri = only?.type === 'oidc' ? jwksUriFor(only) : undefined;
  return {
    agent,
    index,
    ...(gateway && { gateway }),
    exposed,
    listeners: gateway && exposed ? attachedListeners(gateway, agent) : [],
    identity,
    mechanism,
    runtimeReasons: mechanism === 'runtime' ? reasons : [],
    ...(mechanism === 'native-jwt' && jwksUri && { jwksUri }),
    grants: planGrants(fleet, agent, egress),
  };
}

/**
 * The headers an agent's verified callers are known by, under its gateway's identity header names: user,
 * tenant, roles, email, each auth method's own names, and the claim headers of its OIDC methods.
 */
export function agentIdentityHeaders(identity: IdentityHeaders, agent: Agent): string[] {
  const names = [identity.userId, identity.tenantId, identity.roles, identity.email];
  for (const m of agent.auth) {
    for (const h of Object.values(m.identityHeaders ?? {})) if (h) names.push(h);
    if (m.type === 'oidc') for (const key of Object.keys(m.claims.extra)) names.push(`${identity.claimPrefix}${key}`);
  }
  return names;
}

/** Every header a caller could send to impersonate an identity on this gateway's agents. */
function spoofableHeaders(gateway: IngressGateway, agents: readonly AgentPlan[]): string[] {
  const i = gateway.identityHeaders;
  const names = new Set<string>([i.userId, i.tenantId, i.roles, i.email, AGENT_HEADER]);
  for (const { agent } of agents) {
    if (agent.authorizationHeader.mode === 'move') names.add(agent.authorizationHeader.header);
    for (const h of agentIdentityHeaders(i, agent)) names.add(h);
  }
  return [...new Set([...names].map((n) => n.toLowerCase()))].sort();
}

function planGateway(gateway: IngressGateway, index: number, agents: readonly AgentPlan[]): GatewayPlan {
  const longest = Math.max(DEFAULT_AGENT_TIMEOUT_SECONDS, ...agents.map((a) => a.agent.timeoutSeconds));
  const t = gateway.timeouts;
  return {
    gateway,
    index,
    agents,
    earlyRemovedHeaders: spoofableHeaders(gateway, agents),
    timeouts: {
      requestSeconds: t.requestSeconds ?? longest,
      streamIdleSeconds: t.streamIdleSeconds ?? Math.max(longest, ENVOY_STREAM_IDLE_DEFAULT_SECONDS),
      idleSeconds: t.idleSeconds ?? Math.max(longest, ENVOY_IDLE_DEFAULT_SECONDS),
    },
  };
}

/** model -> plan: decides, per agent, what is exposed where and which mechanism enforces it. */
export function planFleet(fleet: Fleet): FleetPlan {
  const egressGateways = planEgressGateways(fleet);
  const agents = fleet.agents.map((a, i) => planAgent(fleet, a, i, egressGateways));
  const gateways = fleet.gateways.map((g, i) => planGateway(g, i, agents.filter((a) => a.exposed && a.gateway === g)));
  const runtimeAgents = agents.filter((a) => a.mechanism === 'runtime');
  const namespaces = new Set([
    ...runtimeAgents.map((a) => a.agent.namespace),
    ...egressGateways.filter((e) => e.routes.some((r) => r.mechanism === 'runtime')).map((e) => e.gateway.namespace),
  ]);
  return {
    fleet,
    gateways,
    egressGateways,
    agents,
    runtime: { ref: fleet.runtime, agents: runtimeAgents, namespaces: [...namespaces].filter((ns) => ns !== fleet.runtime.namespace).sort() },
  };
}
