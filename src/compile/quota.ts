import * as eg from '../imports/gateway.envoyproxy.io.js';
import { quotaHeader, type Fleet } from '../model/index.js';
import type { EmittedObject } from './emitted.js';
import { agentLabels, routeTarget } from './meta.js';
import type { AgentPlan } from './plan.js';

const UNIT: Record<string, eg.BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit> = {
  second: eg.BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit.SECOND,
  minute: eg.BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit.MINUTE,
  hour: eg.BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit.HOUR,
  day: eg.BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit.DAY,
};

/**
 * An exposed agent's request quotas: a BackendTrafficPolicy on its HTTPRoute with one global rate limit
 * rule per quota, counting each distinct value of the identity header. The rate limit filter runs after
 * authentication (native filters and the runtime), so it counts verified identities only.
 */
export function lowerQuotas(fleet: Fleet, plan: AgentPlan): EmittedObject[] {
  const a = plan.agent;
  if (!plan.exposed || a.quotas.length === 0) return [];
  return [
    {
      owner: { kind: 'agent', index: plan.index },
      id: 'quota',
      kind: 'BackendTrafficPolicy',
      props: {
        metadata: { name: a.name, namespace: a.namespace, labels: agentLabels(fleet, a) },
        spec: {
          targetRefs: [routeTarget(a)],
          rateLimit: {
            global: {
              rules: a.quotas.map((q) => ({
                clientSelectors: [{ headers: [{ name: quotaHeader(q.key, plan.identity), type: eg.BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsHeadersType.DISTINCT }] }],
                limit: { requests: q.requests, unit: UNIT[q.per]! },
              })),
            },
          },
        },
      },
    },
  ];
}
