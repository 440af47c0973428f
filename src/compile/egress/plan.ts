import {
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
  /** Model globs the agents on this gateway may use with this provider; empty: any. */
  readonly models: readonly string[];
}

export interface EgressGatewayPlan {
  readonly gateway: EgressGateway;
  readonly index: number;
  readonly serviceName: string;
  /** Base URL agents call: the fixed Service of the gateway's proxies, in the Envoy Gateway namespace. */
  readonly baseUrl: string;
  readonly routes: readonly ProviderRoutePlan[];
}

/** An agent's grant, resolved: which provider, through which gateway. */
export interface GrantPlan {
  readonly provider: Provider;
  readonly gateway: EgressGatewayPlan;
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

function planRoutes(fleet: Fleet, gateway: EgressGateway): ProviderRoutePlan[] {
  return gateway.providers.flatMap((name) => {
    const provider = findProvider(fleet, name);
    if (!provider) return [];
    const convention = conventionOf(provider);
    const reasons = runtimeReasons(provider, convention, gateway.target);
    const grants = fleet.agents.flatMap((a) => a.providers.filter((g) => g.provider === name && resolveEgressGateway(fleet, g)?.gateway === gateway));
    const anyModel = grants.some((g) => g.models.length === 0);
    const models = anyModel ? [] : [...new Set(grants.flatMap((g) => g.models))].sort();
    return [
      {
        provider,
        convention,
        mechanism: reasons.length > 0 ? 'runtime' : gateway.target === 'ai-gateway' ? 'backend-security-policy' : 'credential-injector',
        runtimeReasons: reasons,
        models,
      },
    ];
  });
}

export function planEgressGateways(fleet: Fleet): EgressGatewayPlan[] {
  return fleet.egressGateways.map((gateway, index) => {
    const serviceName = gateway.serviceName ?? gateway.name;
    return {
      gateway,
      index,
      serviceName,
      baseUrl: `http://${serviceName}.${fleet.envoyGatewayNamespace}.svc.cluster.local:${gateway.port}`,
      routes: planRoutes(fleet, gateway),
    };
  });
}

/** The agents granted a provider through this egress gateway, as namespace/name pairs in a stable order. */
export function egressClients(fleet: Fleet, gateway: EgressGateway): { namespace: string; name: string }[] {
  return fleet.agents
    .filter((a) => a.providers.some((g) => resolveEgressGateway(fleet, g)?.gateway === gateway))
    .map(({ namespace, name }) => ({ namespace, name }))
    .sort((x, y) => (`${x.namespace}/${x.name}` < `${y.namespace}/${y.name}` ? -1 : 1));
}

export function planGrants(fleet: Fleet, agent: Agent, egress: readonly EgressGatewayPlan[]): GrantPlan[] {
  return agent.providers.flatMap((grant) => {
    const provider = findProvider(fleet, grant.provider);
    const resolved = resolveEgressGateway(fleet, grant);
    return provider && resolved ? [{ provider, gateway: egress[resolved.index]! }] : [];
  });
}
