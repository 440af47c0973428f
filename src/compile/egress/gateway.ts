import * as eg from '../../imports/gateway.envoyproxy.io.js';
import * as gwapi from '../../imports/gateway.networking.k8s.io.js';
import type { Fleet } from '../../model/index.js';
import type { EmittedObject } from '../emitted.js';
import { fleetLabels } from '../meta.js';
import { runtimePodSelector } from '../runtime/workload.js';
import { AGENT_HEADER } from '../plan.js';
import type { EgressClient, EgressGatewayPlan } from './plan.js';

/** Where egress proxies may connect by default: public addresses, never cluster, private or metadata ranges. */
export const PUBLIC_ONLY = { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'] };

export function egressLabels(fleet: Fleet, plan: EgressGatewayPlan): Record<string, string> {
  return { ...fleetLabels(fleet), 'portcullis.dev/egress-gateway': plan.gateway.name };
}

/** Labels Envoy Gateway puts on the proxy pods of a Gateway. */
export function proxyPodLabels(plan: EgressGatewayPlan): Record<string, string> {
  return { 'gateway.envoyproxy.io/owning-gateway-name': plan.gateway.name, 'gateway.envoyproxy.io/owning-gateway-namespace': plan.gateway.namespace };
}

/** Envoy Gateway's xDS server (the proxies' configuration) and its rate limit service, in its namespace. */
export const EG_XDS_PORT = 18000;
export const EG_RATE_LIMIT_PORT = 8081;
/** Where the proxies serve Prometheus stats (no credentials there). */
export const PROXY_STATS_PORT = 19001;

/**
 * The egress Gateway (its own in-cluster HTTP listener and one per agent calling through it; routes only
 * from its own namespace), the ClientTrafficPolicies that stamp each agent's listener with its name, the
 * EnvoyProxy that pins its Service name so agents' base URLs are known at synth, and a NetworkPolicy on
 * its proxies:
 * - in: each agent granted a provider through it, on its own listener's port only (any other pod would
 *   have the keys injected for it, or pass for that agent), and Prometheus on the stats port;
 * - out: DNS, the providers' ports on public addresses only, Envoy Gateway's xDS server (and its rate
 *   limit service when budgets need it), and the portcullis runtime when a route injects through it.
 * Traffic from the node (kubelet probes) is always allowed by Kubernetes.
 */
export function lowerEgressGateway(fleet: Fleet, plan: EgressGatewayPlan): EmittedObject[] {
  const g = plan.gateway;
  const owner = { kind: 'egressGateway', index: plan.index } as const;
  const labels = egressLabels(fleet, plan);
  const ports = [...new Set(plan.routes.map((r) => r.convention.port))].sort((a, b) => a - b);
  const cidrs = g.egressCidrs ? g.egressCidrs.map((cidr) => ({ cidr })) : [PUBLIC_ONLY];
  return [
    {
      owner,
      id: 'envoy-proxy',
      kind: 'EnvoyProxy',
      props: {
        metadata: { name: g.name, namespace: g.namespace, labels },
        spec: {
          provider: {
            type: eg.EnvoyProxySpecProviderType.KUBERNETES,
            kubernetes: { envoyService: { name: plan.serviceName, type: eg.EnvoyProxySpecProviderKubernetesEnvoyServiceType.CLUSTER_IP } },
          },
        },
      },
    },
    {
      owner,
      id: 'gateway',
      kind: 'Gateway',
      props: {
        metadata: { name: g.name, namespace: g.namespace, labels },
        spec: {
          gatewayClassName: g.gatewayClassName,
          infrastructure: { parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: g.name } },
          listeners: [
            { name: 'http', port: g.port },
            ...plan.clients.map((c) => ({ name: c.listener, port: c.port })),
          ].map((l) => ({ ...l, protocol: 'HTTP', allowedRoutes: { namespaces: { from: gwapi.GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } } })),
        },
      },
    },
    // who is calling: set from the listener, never taken from the request
    callerHeaderPolicy(plan, labels, undefined),
    ...plan.clients.map((c) => callerHeaderPolicy(plan, labels, c)),
    {
      owner,
      id: 'proxy-network-policy',
      kind: 'Plain',
      props: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: `${g.namespace}-${g.name}-egress`, namespace: fleet.envoyGatewayNamespace, labels },
        spec: {
          podSelector: { matchLabels: proxyPodLabels(plan) },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [
            ...plan.clients.map((a) => ({
              from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': a.namespace } }, podSelector: { matchLabels: { 'portcullis.dev/agent': a.name } } }],
              ports: [{ protocol: 'TCP', port: a.port }],
            })),
            { ports: [{ protocol: 'TCP', port: PROXY_STATS_PORT }] },
          ],
          egress: [
            dnsRule(),
            { to: cidrs.map((ipBlock) => ({ ipBlock })), ports: ports.map((port) => ({ protocol: 'TCP', port })) },
            {
              to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': fleet.envoyGatewayNamespace } } }],
              ports: [EG_XDS_PORT, ...(g.rateLimitService ? [EG_RATE_LIMIT_PORT] : [])].map((port) => ({ protocol: 'TCP', port })),
            },
            ...(plan.routes.some((r) => r.mechanism === 'runtime')
              ? [
                  {
                    to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': fleet.runtime.namespace } }, podSelector: { matchLabels: runtimePodSelector(fleet) } }],
                    ports: [{ protocol: 'TCP', port: fleet.runtime.port }],
                  },
                ]
              : []),
          ],
        },
      },
    },
  ];
}

/**
 * AI Gateway's header for the model the request body names. Its router filter sets it, and routes, model
 * allow-lists and token budgets match on it. A value the agent sent itself goes before any filter runs: AI
 * Gateway releases before envoyproxy/ai-gateway#2410 appended theirs to it, which leaves two values.
 */
export const AI_GATEWAY_MODEL_HEADER = 'x-ai-eg-model';

/**
 * A ClientTrafficPolicy that says which agent a request comes from, in AGENT_HEADER, before routing and
 * every filter. On an agent's own listener it is set to `<namespace>/<name>`: only that agent's pods may
 * reach its port (the proxies' NetworkPolicy), so the value is the network's word, not the agent's. On the
 * gateway's own listener, which no agent is allowed to reach, it is removed. A listener-level policy takes
 * precedence over the Gateway-level one. On AI Gateway, AI_GATEWAY_MODEL_HEADER is removed on every listener.
 */
function callerHeaderPolicy(plan: EgressGatewayPlan, labels: Record<string, string>, client: EgressClient | undefined): EmittedObject {
  const g = plan.gateway;
  const remove = [...(client ? [] : [AGENT_HEADER]), ...(g.target === 'ai-gateway' ? [AI_GATEWAY_MODEL_HEADER] : [])];
  return {
    owner: { kind: 'egressGateway', index: plan.index },
    id: client ? `caller-${client.listener}` : 'caller',
    kind: 'ClientTrafficPolicy',
    props: {
      metadata: { name: client ? `${g.name}.${client.listener}` : g.name, namespace: g.namespace, labels },
      spec: {
        targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: g.name, ...(client && { sectionName: client.listener }) }],
        headers: {
          earlyRequestHeaders: {
            ...(client && { set: [{ name: AGENT_HEADER, value: `${client.namespace}/${client.name}` }] }),
            ...(remove.length > 0 && { remove }),
          },
        },
      },
    },
  };
}

/** Egress to the cluster DNS (kube-dns / CoreDNS in kube-system). */
export function dnsRule(): Record<string, unknown> {
  return {
    to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
    ports: [
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ],
  };
}
