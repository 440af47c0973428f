import type { Fleet } from '../model/index.js';
import type { EmittedObject } from './emitted.js';
import { fleetLabels } from './meta.js';
import type { FleetPlan } from './plan.js';

/**
 * EnvoyExtensionPolicies live in their agents' namespaces and point at the runtime Service in its own:
 * a ReferenceGrant beside the runtime per such namespace lets exactly those namespaces reach exactly that
 * Service. One per namespace, not one listing them all: a grant admits at most 16 `from` entries.
 */
export function lowerRuntimeGrant(fleet: Fleet, plan: FleetPlan): EmittedObject[] {
  return plan.runtime.namespaces.map((namespace) => ({
    owner: { kind: 'fleet' },
    id: `runtime-grant-${namespace}`,
    kind: 'ReferenceGrant',
    props: {
      metadata: { name: `${fleet.runtime.name}-from-${namespace}`, namespace: fleet.runtime.namespace, labels: fleetLabels(fleet) },
      spec: {
        from: [{ group: 'gateway.envoyproxy.io', kind: 'EnvoyExtensionPolicy', namespace }],
        to: [{ group: '', kind: 'Service', name: fleet.runtime.name }],
      },
    },
  }));
}
