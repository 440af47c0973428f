import type { Fleet } from '../model/index.js';
import type { EmittedObject } from './emitted.js';
import { fleetLabels } from './meta.js';
import type { FleetPlan } from './plan.js';

/**
 * EnvoyExtensionPolicies live in their agents' namespaces and point at the runtime Service in its own:
 * one ReferenceGrant beside the runtime lets exactly those namespaces reach exactly that Service.
 */
export function lowerRuntimeGrant(fleet: Fleet, plan: FleetPlan): EmittedObject[] {
  const namespaces = [...new Set(plan.runtime.agents.map((a) => a.agent.namespace))].filter((ns) => ns !== fleet.runtime.namespace).sort();
  if (namespaces.length === 0) return [];
  return [
    {
      owner: { kind: 'fleet' },
      id: 'runtime-reference-grant',
      kind: 'ReferenceGrant',
      props: {
        metadata: { name: `${fleet.runtime.name}-extension-policies`, namespace: fleet.runtime.namespace, labels: fleetLabels(fleet) },
        spec: {
          from: namespaces.map((namespace) => ({ group: 'gateway.envoyproxy.io', kind: 'EnvoyExtensionPolicy', namespace })),
          to: [{ group: '', kind: 'Service', name: fleet.runtime.name }],
        },
      },
    },
  ];
}
