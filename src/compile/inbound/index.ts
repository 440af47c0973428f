import type { Fleet } from '../../model/index.js';
import type { EmittedObject } from '../emitted.js';
import { agentLabels, routeTarget } from '../meta.js';
import type { AgentPlan } from '../plan.js';
import { apiKeySpec } from './api-key.js';
import { jwtSpec } from './jwt.js';
import { runtimeExtProc } from './runtime.js';

/**
 * The policy that enforces an exposed agent's inbound auth, chosen by the plan: a SecurityPolicy for a
 * single native method, an EnvoyExtensionPolicy to the runtime otherwise. Native mTLS needs nothing per
 * route: the gateway's ClientTrafficPolicy rejects clients without a valid certificate.
 */
export function lowerInbound(fleet: Fleet, plan: AgentPlan): EmittedObject[] {
  const { agent } = plan;
  const metadata = { name: agent.name, namespace: agent.namespace, labels: agentLabels(fleet, agent) };
  const owner = { kind: 'agent', index: plan.index } as const;
  const method = agent.auth[0]!;
  switch (plan.mechanism) {
    case 'native-jwt':
      if (method.type !== 'oidc') break;
      return [{ owner, id: 'security-policy', kind: 'SecurityPolicy', props: { metadata, spec: { targetRefs: [routeTarget(agent)], jwt: jwtSpec(plan, method) } } }];
    case 'native-api-key':
      if (method.type !== 'apiKey') break;
      return [{ owner, id: 'security-policy', kind: 'SecurityPolicy', props: { metadata, spec: { targetRefs: [routeTarget(agent)], apiKeyAuth: apiKeySpec(plan, method) } } }];
    case 'runtime':
      return [
        {
          owner,
          id: 'extension-policy',
          kind: 'EnvoyExtensionPolicy',
          props: { metadata, spec: { targetRefs: [routeTarget(agent)], extProc: [runtimeExtProc(fleet.runtime, { attributes: inboundAttributes(plan) })] } },
        },
      ];
    case 'native-mtls':
    case 'none':
      return [];
  }
  throw new Error(`internal: plan chose ${plan.mechanism} for a ${method.type} method`);
}

/** The route name identifies the agent; edge-trust with source ranges also needs the peer address. */
function inboundAttributes(plan: AgentPlan): string[] {
  const needsSource = plan.agent.auth.some((m) => m.type === 'edgeTrust' && m.trustedCidrs.length > 0);
  return ['xds.route_name', ...(needsSource ? ['source.address'] : [])];
}
