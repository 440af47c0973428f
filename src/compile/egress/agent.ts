import { PLACEHOLDER_KEY, type Fleet } from '../../model/index.js';
import type { EmittedObject } from '../emitted.js';
import { agentLabels } from '../meta.js';
import type { AgentPlan } from '../plan.js';
import { dnsRule, proxyPodLabels } from './gateway.js';
import type { GrantPlan } from './plan.js';

/**
 * What the official SDKs read, for each granted provider: the base URL of the egress gateway route and a
 * placeholder where the key would go. On AI Gateway every provider but Anthropic is reached through its
 * OpenAI-compatible API, so agents use the OpenAI SDK there.
 */
export function providerEnv(grants: readonly GrantPlan[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { provider, gateway, client } of grants) {
    const c = gateway.routes.find((r) => r.provider === provider)!.convention;
    if (gateway.gateway.target === 'ai-gateway') {
      const anthropic = provider.kind === 'anthropic';
      env[anthropic ? 'ANTHROPIC_BASE_URL' : 'OPENAI_BASE_URL'] = `${client.baseUrl}${anthropic ? '/anthropic' : '/v1'}`;
      env[anthropic ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY'] = PLACEHOLDER_KEY;
      continue;
    }
    for (const name of c.baseUrlEnv) env[name] = `${client.baseUrl}/${provider.name}${c.sdkBasePath}`;
    for (const name of c.apiKeyEnv) env[name] = PLACEHOLDER_KEY;
    Object.assign(env, c.extraEnv);
  }
  return env;
}

/**
 * Default-deny egress for the agent's pods: DNS, and the proxies of the egress gateways it was granted,
 * on its own listener's port. Nothing else; a provider is never reachable directly.
 */
export function lowerAgentNetworkPolicy(fleet: Fleet, plan: AgentPlan): EmittedObject {
  const a = plan.agent;
  const gateways = [...new Map(plan.grants.map((g) => [g.gateway.index, g])).values()].sort((x, y) => x.gateway.index - y.gateway.index);
  return {
    owner: { kind: 'agent', index: plan.index },
    id: 'network-policy',
    kind: 'Plain',
    props: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `${a.name}-egress`, namespace: a.namespace, labels: agentLabels(fleet, a) },
      spec: {
        podSelector: { matchLabels: { 'portcullis.dev/agent': a.name } },
        policyTypes: ['Egress'],
        egress: [
          dnsRule(),
          ...gateways.map((g) => ({
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': fleet.envoyGatewayNamespace } }, podSelector: { matchLabels: proxyPodLabels(g.gateway) } }],
            ports: [{ protocol: 'TCP', port: g.client.port }],
          })),
          ...a.inClusterEgress.map((e) => ({
            to: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': e.namespace } },
                ...(Object.keys(e.podLabels).length > 0 && { podSelector: { matchLabels: e.podLabels } }),
              },
            ],
            ports: [{ protocol: 'TCP', port: e.port }],
          })),
        ],
      },
    },
  };
}
