import { createHash } from 'node:crypto';
import {
  EGRESS_CLIENT_PORT_SPAN,
  conventionOf,
  findProvider,
  resolveEgressGateway,
  type Agent,
  type EgressGateway,
  type Fleet,
  type Provider,
  type ProviderConvention,
} from '../../model/index.js';

/** How one provider's key is put on requests through one egress gateway. */
export type InjectionMechanism =
  | 'credential-injector' // Envoy Gateway HTTPRouteFilter credentialInjection, overwrite on
  | 'backend-security-policy' // Envoy AI Gateway BackendSecurityPolicy on the AIServiceBackend
  | 'runtime'; // the portcullis runtime (ext_proc)

export interface ProviderRoutePlan {
  readonly provider: Provider;
  readonly convention: ProviderConvention;
  readonly mechanism: InjectionMechanism;
  readonly runtimeReasons: readonly string[];
  /** The agents granted this provider through this gateway (by namespace/name), each with its model globs. */
  readonly grantees: readonly Grantee[];
}

/** An agent allowed a provider: only its calls (told apart by its listener) match the provider's route. */
export interface Grantee {
  readonly namespace: string;
  readonly name: string;
  /** Model globs it may use; empty: any model the provider serves. */
  readonly models: readonly string[];
}

/**
 * An agent calling through an egress gateway, on a listener of its own: only its pods may reach that port
 * (NetworkPolicy), and the gateway stamps every request on it with the agent's name, so budgets and
 * limits can tell agents apart without trusting what an agent says about itself.
 */
export interface EgressClient {
  readonly namespace: string;
  readonly name: string;
  /** The Gateway listener: `<namespace>.<name>`. */
  readonly listener: string;
  readonly port: number;
  /** Base URL the agent calls: the fixed Service of the gateway's proxies, on its own port. */
  readonly baseUrl: string;
}

export interface EgressGatewayPlan {
  readonly gateway: EgressGateway;
  readonly index: number;
  readonly serviceName: string;
  readonly routes: readonly ProviderRoutePlan[];
  /** The agents granted a provider through this gateway, by namespace/name. */
  readonly clients: readonly EgressClient[];
}

/** An agent's grant, resolved: which provider, through which gateway, on which of its listeners. */
export interface GrantPlan {
  readonly provider: Provider;
  readonly gateway: EgressGatewayPlan;
  readonly client: EgressClient;
}

/** A stable spread of agent names over ports: the first 32 bits of their SHA-256. */
const spread = (key: string) => createHash('sha256').update(key).digest().readUInt32BE(0);

/** Agents in a stable order: by namespace/name. */
const byAgent = (x: { namespace: string; name: string }, y: { namespace: string; name: string }) =>
  x.namespace === y.namespace ? (x.name < y.name ? -1 : x.name > y.name ? 1 : 0) : x.namespace < y.namespace ? -1 : 1;

/**
 * Each agent's port: the gateway's port + 1 + a hash of namespace/name within EGRESS_CLIENT_PORT_SPAN, the next
 * free one on a collision (agents taken in name order). Adding or removing an agent leaves the others'
 * ports, hence their base URLs and pods, alone, unless it collided with them.
 */
function clientPorts(gateway: EgressGateway, names: readonly string[]): Map<string, number> {
  const taken = new Set<number>();
  const ports = new Map<string, number>();
  for (const key of names) {
    let offset = spread(key) % EGRESS_CLIENT_PORT_SPAN;
    while (taken.has(offset)) offset = (offset + 1) % EGRESS_CLIENT_PORT_SPAN;
    taken.add(offset);
    ports.set(key, gateway.port + 1 + offset);
  }
  return ports;
}

function runtimeReasons(p: Provider, c: ProviderConvention, target: EgressGateway['target']): string[] {
  const reasons: string[] = [];
  if (p.perTenant) reasons.push('per-tenant keys chosen from the verified tenant header');
  if (target === 'envoy-gateway') {
    if (c.inject.type === 'query') reasons.push(`key injected into the ${c.inject.param} query parameter (the credential injector sets headers only)`);
    if (c.inject.type === 'sigv4') reasons.push('AWS SigV4 signature over the buffered body');
    if (c.inject.type === 'gcp-service-account') reasons.push('GCP service account tokens (refused by PC029: only AI Gateway mints them)');
  } else if (p.kind === 'custom' && !(c.inject.type === 'header' && c.inject.header === 'authorization' && c.inject.prefix === 'Bearer ')) {
    reasons.push('a custom credential format that no BackendSecurityPolicy type produces');
  }
  return reasons;
}

/** The gateway's providers that some agent is granted through it: a provider nobody may call gets no route. */
function planRoutes(fleet: Fleet, gateway: EgressGateway): ProviderRoutePlan[] {
  return gateway.providers.flatMap((name) => {
    const provider = findProvider(fleet, name);
    const grantees = fleet.agents
      .flatMap((a) => a.providers.filter((g) => g.provider === name && resolveEgressGateway(fleet, g)?.gateway === gateway).map((g) => ({ namespace: a.namespace, name: a.name, models: g.models })))
      .sort(byAgent);
    if (!provider || grantees.length === 0) return [];
    const convention = conventionOf(provider);
    const reasons = runtimeReasons(provider, convention, gateway.target);
    return [
      {
        provider,
        convention,
        mechanism: reasons.length > 0 ? 'runtime' : gateway.target === 'ai-gateway' ? 'backend-security-policy' : 'credential-injector',
        runtimeReasons: reasons,
        grantees,
      },
    ];
  });
}

export function planEgressGateways(fleet: Fleet): EgressGatewayPlan[] {
  return fleet.egressGateways.map((gateway, index) => {
    const serviceName = gateway.serviceName ?? gateway.name;
    const routes = planRoutes(fleet, gateway);
    // the agents calling through it: every grantee of its routes, once
    const agents = [...new Map(routes.flatMap((r) => r.grantees).map(({ namespace, name }) => [`${namespace}/${name}`, { namespace, name }])).values()].sort(byAgent);
    const ports = clientPorts(gateway, agents.map((a) => `${a.namespace}/${a.name}`));
    return {
      gateway,
      index,
      serviceName,
      routes,
      clients: agents.map((a) => {
        const port = ports.get(`${a.namespace}/${a.name}`)!;
        return { ...a, listener: `${a.namespace}.${a.name}`, port, baseUrl: `http://${serviceName}.${fleet.envoyGatewayNamespace}.svc.cluster.local:${port}` };
      }),
    };
  });
}

export function planGrants(fleet: Fleet, agent: Agent, egress: readonly EgressGatewayPlan[]): GrantPlan[] {
  return agent.providers.flatMap((grant) => {
    const provider = findProvider(fleet, grant.provider);
    const resolved = resolveEgressGateway(fleet, grant);
    if (!provider || !resolved) return [];
    const gateway = egress[resolved.index]!;
    const client = gateway.clients.find((c) => c.namespace === agent.namespace && c.name === agent.name)!;
    return [{ provider, gateway, client }];
  });
}
