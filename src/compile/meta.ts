import type { Agent, Fleet, IngressGateway } from '../model/index.js';

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'portcullis' } as const;

export function agentLabels(fleet: Fleet, agent: Agent): Record<string, string> {
  return { ...MANAGED_BY, 'app.kubernetes.io/part-of': fleet.name, 'portcullis.dev/agent': agent.name };
}

export function gatewayLabels(fleet: Fleet, gateway: IngressGateway): Record<string, string> {
  return { ...MANAGED_BY, 'app.kubernetes.io/part-of': fleet.name, 'portcullis.dev/gateway': gateway.name };
}

export function fleetLabels(fleet: Fleet): Record<string, string> {
  return { ...MANAGED_BY, 'app.kubernetes.io/part-of': fleet.name };
}

/** Gateway API / Envoy Gateway duration string. */
export function seconds(n: number): string {
  return `${n}s`;
}

/** A policy targetRef at an agent's HTTPRoute (same namespace, same name as the agent). */
export function routeTarget(agent: Agent) {
  return { group: GATEWAY_API_GROUP, kind: 'HTTPRoute', name: agent.name };
}
