import type { Fleet } from '../../model/index.js';
import type { EmittedObject } from '../emitted.js';
import { fleetLabels } from '../meta.js';
import type { EgressGatewayPlan } from './plan.js';

/**
 * ReferenceGrants for provider Secrets kept outside the egress namespace, where the user asked for them
 * (referenceGrant: true; PC026 refuses the reference otherwise). One per Secret and egress namespace,
 * naming the Secret: the grant opens exactly that Secret.
 */
export function lowerSecretGrants(fleet: Fleet, egress: readonly EgressGatewayPlan[]): EmittedObject[] {
  const grants = new Map<string, EmittedObject>();
  for (const plan of egress) {
    const from = plan.gateway.target === 'ai-gateway' ? { group: 'aigateway.envoyproxy.io', kind: 'BackendSecurityPolicy' } : { group: 'gateway.envoyproxy.io', kind: 'HTTPRouteFilter' };
    for (const route of plan.routes) {
      const p = route.provider;
      for (const ref of [p.credential, ...Object.values(p.perTenant?.keys ?? {})]) {
        if (!ref.referenceGrant || !ref.namespace || ref.namespace === plan.gateway.namespace) continue;
        const name = `${ref.secretName}-from-${plan.gateway.namespace}`;
        grants.set(`${ref.namespace}/${name}`, {
          owner: { kind: 'fleet' },
          id: `secret-grant-${ref.namespace}-${name}`,
          kind: 'ReferenceGrant',
          props: {
            metadata: { name, namespace: ref.namespace, labels: fleetLabels(fleet) },
            spec: { from: [{ ...from, namespace: plan.gateway.namespace }], to: [{ group: '', kind: 'Secret', name: ref.secretName }] },
          },
        });
      }
    }
  }
  return [...grants.values()];
}
