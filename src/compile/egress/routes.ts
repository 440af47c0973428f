import { CREDENTIAL_HEADERS, DEFAULT_IDENTITY_HEADERS, agentGateway, type Fleet } from '../../model/index.js';
import type { EmittedObject } from '../emitted.js';
import { runtimeExtProc } from '../inbound/runtime.js';
import { AGENT_HEADER, agentIdentityHeaders } from '../plan.js';
import { budgetRules, headersReadWhenDone } from './budgets.js';
import type { EgressGatewayPlan, ProviderRoutePlan } from './plan.js';
import { egressLabels } from './gateway.js';

/** The header a route injects the key into, if it injects into a header. */
export function injectedHeader(route: ProviderRoutePlan): string | undefined {
  return route.convention.inject.type === 'header' ? route.convention.inject.header : undefined;
}

/** Headers the injection itself writes: the key's header, or the headers of an AWS SigV4 signature. */
export function injectedHeaders(route: ProviderRoutePlan): string[] {
  switch (route.convention.inject.type) {
    case 'header':
      return [route.convention.inject.header];
    case 'sigv4':
      return ['authorization', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token'];
    case 'gcp-service-account':
      return ['authorization'];
    case 'query':
      return [];
  }
}

/**
 * Credential hygiene: every credential header a caller may send, except the ones the injection writes,
 * is removed before the request leaves for the provider. A route-level removal (HTTPRoute, AI Gateway
 * headerMutation) is applied after the credential injector and the runtime have written their headers,
 * so removing those would delete the key or the signature. (The runtime itself removes every credential
 * header before it writes: its contract's removeHeaders is the whole list.)
 */
export function foreignCredentialHeaders(route: ProviderRoutePlan): string[] {
  const kept = injectedHeaders(route);
  return CREDENTIAL_HEADERS.filter((h) => !kept.includes(h));
}

/**
 * Headers removed before a request leaves for the provider: the foreign credential headers, and who
 * called (the provider has no business knowing): the caller stamp the gateway put on the request, and the
 * identity headers its grantees forward (user, tenant, roles, email, each method's own, the claim headers,
 * the per-tenant key header).
 *
 * Except the identity headers a token budget on this provider reads when the call ends. Envoy charges a
 * response cost from the rate limit filter's onDestroy, building the descriptors from the request's header
 * map, which the route-level removal (the router's finalizeRequestHeaders) and AI Gateway's header mutator
 * (an upstream filter, handed that same map) edit in place before the request is sent: a header removed
 * here is absent then, the rule's descriptor is not built, and the tokens are never charged. Those
 * headers, the caller stamp among them, do reach the provider. (Credential headers always go.)
 */
export function upstreamRemovedHeaders(fleet: Fleet, plan: EgressGatewayPlan, route: ProviderRoutePlan): string[] {
  const caller = [AGENT_HEADER, ...(route.provider.perTenant ? [route.provider.perTenant.tenantHeader] : [])];
  for (const g of route.grantees) {
    // grantees are taken from the fleet's agents (egress/plan.ts)
    const agent = fleet.agents.find((a) => a.namespace === g.namespace && a.name === g.name)!;
    caller.push(...agentIdentityHeaders(agentGateway(fleet, agent)?.identityHeaders ?? DEFAULT_IDENTITY_HEADERS, agent));
  }
  const readWhenDone = new Set(budgetRules(fleet, plan).flatMap((r) => (r.provider === route.provider.name ? headersReadWhenDone(r) : [])));
  const credentials = foreignCredentialHeaders(route);
  const removed = new Set(caller.map((h) => h.toLowerCase()).filter((h) => !readWhenDone.has(h) && !credentials.includes(h)));
  return [...credentials, ...[...removed].sort()];
}

/** The provider's upstream: an Envoy Gateway Backend at its host, TLS verified against the system CAs. */
export function backend(fleet: Fleet, plan: EgressGatewayPlan, route: ProviderRoutePlan): EmittedObject {
  const c = route.convention;
  return {
    owner: { kind: 'egressGateway', index: plan.index },
    id: `${route.provider.name}-backend`,
    kind: 'Backend',
    props: {
      metadata: { name: route.provider.name, namespace: plan.gateway.namespace, labels: egressLabels(fleet, plan) },
      spec: {
        endpoints: [{ fqdn: { hostname: c.host, port: c.port } }],
        ...(c.tls && { tls: { sni: c.host, wellKnownCaCertificates: 'System' } }),
      },
    },
  };
}

/** The runtime on an egress HTTPRoute, for what neither an Envoy filter nor an AI Gateway policy can do for these providers. */
export function runtimeOnRoute(fleet: Fleet, plan: EgressGatewayPlan, routes: readonly ProviderRoutePlan[], routeName: string, id: string): EmittedObject {
  return {
    owner: { kind: 'egressGateway', index: plan.index },
    id,
    kind: 'EnvoyExtensionPolicy',
    props: {
      metadata: { name: routeName, namespace: plan.gateway.namespace, labels: egressLabels(fleet, plan) },
      spec: {
        targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: routeName }],
        extProc: [
          runtimeExtProc(fleet.runtime, {
            attributes: ['xds.route_name'],
            bufferBody: routes.some((r) => r.convention.inject.type === 'sigv4'),
            ...(plan.gateway.target === 'ai-gateway' && routes.some((r) => r.provider.perTenant) && { writableNamespaces: [EGRESS_METADATA_NAMESPACE] }),
          }),
        ],
      },
    },
  };
}

/** Dynamic metadata namespace in which the runtime hands AI Gateway a per-tenant key. */
export const EGRESS_METADATA_NAMESPACE = 'io.portcullis.egress';
