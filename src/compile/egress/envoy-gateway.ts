import * as eg from '../../imports/gateway.envoyproxy.io.js';
import * as gwapi from '../../imports/gateway.networking.k8s.io.js';
import type { Fleet } from '../../model/index.js';
import type { EmittedObject } from '../emitted.js';
import { GATEWAY_API_GROUP } from '../meta.js';
import { AGENT_HEADER } from '../plan.js';
import { egressLabels } from './gateway.js';
import type { EgressGatewayPlan, ProviderRoutePlan } from './plan.js';
import { backend, upstreamRemovedHeaders, injectedHeader, runtimeOnRoute } from './routes.js';

export function egressRouteName(plan: EgressGatewayPlan, route: ProviderRoutePlan): string {
  return `${plan.gateway.name}-${route.provider.name}`;
}

/**
 * Envoy Gateway alone: per provider, an HTTPRoute under /<provider>/ rewritten to the provider's host and
 * root, foreign credential headers removed, and the key injected by an HTTPRouteFilter credentialInjection
 * with overwrite on (its default, off, would let a key the agent sent win). Query-parameter keys, SigV4
 * and per-tenant keys are done by the runtime on the same route instead. A SecurityPolicy admits only the
 * agents granted the provider.
 */
export function lowerEnvoyGatewayRoute(fleet: Fleet, plan: EgressGatewayPlan, route: ProviderRoutePlan): EmittedObject[] {
  const owner = { kind: 'egressGateway', index: plan.index } as const;
  const g = plan.gateway;
  const p = route.provider;
  const name = egressRouteName(plan, route);
  const labels = egressLabels(fleet, plan);
  const header = injectedHeader(route);
  const injector: EmittedObject | undefined =
    route.mechanism === 'credential-injector' && header
      ? {
          owner,
          id: `${p.name}-credential`,
          kind: 'HTTPRouteFilter',
          props: {
            metadata: { name: `${p.name}-credential`, namespace: g.namespace, labels },
            spec: {
              credentialInjection: {
                header,
                overwrite: true,
                credential: { valueRef: { group: '', kind: 'Secret', name: p.credential.secretName, ...(p.credential.namespace && { namespace: p.credential.namespace }) } },
              },
            },
          },
        }
      : undefined;
  const filters: gwapi.HttpRouteSpecRulesFilters[] = [
    {
      type: gwapi.HttpRouteSpecRulesFiltersType.URL_REWRITE,
      urlRewrite: { hostname: route.convention.host, path: { type: gwapi.HttpRouteSpecRulesFiltersUrlRewritePathType.REPLACE_PREFIX_MATCH, replacePrefixMatch: '/' } },
    },
    { type: gwapi.HttpRouteSpecRulesFiltersType.REQUEST_HEADER_MODIFIER, requestHeaderModifier: { remove: upstreamRemovedHeaders(fleet, plan, route) } },
    ...(injector
      ? [{ type: gwapi.HttpRouteSpecRulesFiltersType.EXTENSION_REF, extensionRef: { group: 'gateway.envoyproxy.io', kind: 'HTTPRouteFilter', name: `${p.name}-credential` } }]
      : []),
  ];
  const httpRoute: EmittedObject = {
    owner,
    id: `${p.name}-route`,
    kind: 'HTTPRoute',
    props: {
      metadata: { name, namespace: g.namespace, labels },
      spec: {
        parentRefs: [{ group: GATEWAY_API_GROUP, kind: 'Gateway', name: g.name }], // every listener: one per agent
        rules: [
          {
            matches: [{ path: { type: gwapi.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: `/${p.name}` } }],
            filters,
            backendRefs: [{ group: 'gateway.envoyproxy.io', kind: 'Backend', name: p.name }],
          },
        ],
      },
    },
  };
  // only the agents granted the provider, told apart by their listeners; everyone else gets a 403. (Route
  // matches per agent cannot do it: a URL rewrite with replacePrefixMatch allows exactly one match per rule.)
  const grant: EmittedObject = {
    owner,
    id: `${p.name}-grant`,
    kind: 'SecurityPolicy',
    props: {
      metadata: { name, namespace: g.namespace, labels },
      spec: {
        targetRefs: [{ group: GATEWAY_API_GROUP, kind: 'HTTPRoute', name }],
        authorization: {
          defaultAction: eg.SecurityPolicySpecAuthorizationDefaultAction.DENY,
          rules: [
            {
              name: 'granted-agents',
              action: eg.SecurityPolicySpecAuthorizationRulesAction.ALLOW,
              principal: { headers: [{ name: AGENT_HEADER, values: route.grantees.map((a) => `${a.namespace}/${a.name}`) }] },
            },
          ],
        },
      },
    },
  };
  return [
    backend(fleet, plan, route),
    ...(injector ? [injector] : []),
    httpRoute,
    grant,
    ...(route.mechanism === 'runtime' ? [runtimeOnRoute(fleet, plan, [route], name, `${p.name}-extension-policy`)] : []),
  ];
}
