import * as gwapi from '../imports/gateway.networking.k8s.io.js';
import type { Fleet } from '../model/index.js';
import type { EmittedObject } from './emitted.js';
import { GATEWAY_API_GROUP, agentLabels, seconds } from './meta.js';
import { AGENT_HEADER, type AgentPlan } from './plan.js';

/**
 * The agent's HTTPRoute: attached to its gateway's listeners, timeout pinned to the agent's, a header
 * naming the agent, and the caller's Authorization removed unless the agent takes it as it is. The route
 * filter runs in the router, after every auth filter, so the token is validated first, then dropped.
 */
export function lowerRoute(fleet: Fleet, plan: AgentPlan): EmittedObject {
  const { agent, gateway } = plan;
  const expose = agent.expose!;
  const removeAuthorization = agent.authorizationHeader.mode !== 'passthrough';
  return {
    owner: { kind: 'agent', index: plan.index },
    id: 'route',
    kind: 'HTTPRoute',
    props: {
      metadata: { name: agent.name, namespace: agent.namespace, labels: agentLabels(fleet, agent) },
      spec: {
        parentRefs: plan.listeners.map((l) => ({
          group: GATEWAY_API_GROUP,
          kind: 'Gateway',
          name: gateway!.name,
          namespace: gateway!.namespace,
          sectionName: l.name,
        })),
        ...(expose.hostnames.length > 0 && { hostnames: [...expose.hostnames] }),
        rules: [
          {
            matches: [{ path: { type: gwapi.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: expose.pathPrefix } }],
            filters: [
              {
                type: gwapi.HttpRouteSpecRulesFiltersType.REQUEST_HEADER_MODIFIER,
                requestHeaderModifier: {
                  set: [{ name: AGENT_HEADER, value: `${agent.namespace}/${agent.name}` }],
                  ...(removeAuthorization && { remove: ['authorization'] }),
                },
              },
            ],
            backendRefs: [{ group: '', kind: 'Service', name: agent.name, port: agent.port }],
            timeouts: { request: seconds(agent.timeoutSeconds), backendRequest: seconds(agent.timeoutSeconds) },
          },
        ],
      },
    },
  };
}
