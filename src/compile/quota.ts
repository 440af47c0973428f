import * as eg from '../imports/gateway.envoyproxy.io.js';
import { quotaHeader, quotaTiers, type Fleet, type IdentityHeaders, type RequestQuota } from '../model/index.js';
import type { EmittedObject } from './emitted.js';
import { agentLabels, routeTarget } from './meta.js';
import type { AgentPlan } from './plan.js';

type Rule = eg.BackendTrafficPolicySpecRateLimitGlobalRules;
type HeaderSelector = eg.BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsHeaders;
const { DISTINCT, EXACT, REGULAR_EXPRESSION } = eg.BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsHeadersType;

const UNIT: Record<string, eg.BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit> = {
  second: eg.BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit.SECOND,
  minute: eg.BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit.MINUTE,
  hour: eg.BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit.HOUR,
  day: eg.BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit.DAY,
};

/**
 * The global rate limit rules of one quota. Envoy Gateway ORs rules (a request is counted by every rule
 * that matches it) and ANDs the selectors of a rule; a selector on an absent header never matches, except
 * an inverted one (EG emits `header_value_match` with `expect_match: false`, which an absent header
 * satisfies). So, with K the key header and T the tier header:
 * - no tiers: one rule, each distinct K;
 * - a tier v: each distinct K whose T is exactly v;
 * - everyone else: each distinct K whose T is none of the tier values, absent T included;
 * - `unidentified`: one shared bucket for every request without K (an inverted match-anything on K).
 * docs/quotas.md cites the sources.
 */
export function quotaRules(q: RequestQuota, identity: IdentityHeaders): Rule[] {
  const key = quotaHeader(q.key, identity);
  const limit = (requests: number) => ({ requests, unit: UNIT[q.per]! });
  const rule = (headers: HeaderSelector[], requests: number): Rule => ({ clientSelectors: [{ headers }], limit: limit(requests) });
  const distinct: HeaderSelector = { name: key, type: DISTINCT };
  const tiers = quotaTiers(q);
  const rules: Rule[] = [];
  if (q.tiers && tiers.length > 0) {
    const by = quotaHeader(q.tiers.by, identity);
    for (const [value, requests] of tiers) rules.push(rule([distinct, { name: by, type: EXACT, value }], requests));
    rules.push(rule([distinct, ...tiers.map(([value]) => ({ name: by, type: EXACT, value, invert: true }))], q.requests));
  } else {
    rules.push(rule([distinct], q.requests));
  }
  if (q.unidentified !== undefined) rules.push(rule([{ name: key, type: REGULAR_EXPRESSION, value: '.*', invert: true }], q.unidentified));
  return rules;
}

/**
 * An exposed agent's request quotas: a BackendTrafficPolicy on its HTTPRoute with the global rate limit
 * rules of every quota. The rate limit filter runs after authentication (native filters and the runtime),
 * so it counts verified identities only.
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
          rateLimit: { global: { rules: a.quotas.flatMap((q) => quotaRules(q, plan.identity)) } },
        },
      },
    },
  ];
}
