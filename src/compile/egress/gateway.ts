import * as eg from '../../imports/gateway.envoyproxy.io.js';
import * as gwapi from '../../imports/gateway.networking.k8s.io.js';
import type { Fleet } from '../../model/index.js';
import type { EmittedObject } from '../emitted.js';
import { fleetLabels } from '../meta.js';
import type { EgressGatewayPlan } from './plan.js';

/** Where egress proxies may connect by default: public addresses, never cluster, private or metadata ranges. */
export const PUBLIC_ONLY = { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'] };

export function egressLabels(fleet: Fleet, plan: EgressGatewayPlan): Record<string, string> {
  return { ...fleetLabels(fleet), 'portcullis.dev/egress-gateway': plan.gateway.name };
}

/** Labels Envoy Gateway puts on the proxy pods of a Gateway. */
export function proxyPodLabels(plan: EgressGatewayPlan): Record<string, string> {
  return { 'gateway.envoyproxy.io/owning-gateway-name': plan.gateway.name, 'gateway.envoyproxy.io/owning-gateway-namespace': plan.gateway.namespace };
}

/**
 * The egress Gateway (one in-cluster HTTP listener; routes only from its own namespace), the EnvoyProxy
 * that pins its Service name so agents' base URLs are known at synth, and a NetworkPolicy that lets its
 * proxies reach DNS and the providers' ports on public addresses only.
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
          listeners: [{ name: 'http', protocol: 'HTTP', port: g.port, allowedRoutes: { namespaces: { from: gwapi.GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } } }],
        },
      },
    },
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
          policyTypes: ['Egress'],
          egress: [dnsRule(), { to: cidrs.map((ipBlock) => ({ ipBlock })), ports: ports.map((port) => ({ protocol: 'TCP', port })) }],
        },
      },
    },
  ];
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
