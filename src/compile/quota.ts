import * as eg from '../imports/gateway.envoyproxy.io.js';
import { quotaHeader, quotaTiers, type Fleet, type IdentityHeaders, type RequestQuota } from '../model/index.js';
import type { EmittedObject } from './emitted.js';
import { agentLabels, routeTarget } from './meta.js';
import type { AgentPlan } from './plan.js';

type Rule = eg.BackendTrafficPolicySpecRateLimitGlobalRules;
type HeaderSelector = eg.BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsHeaders;
const { DISTINCT, EXACT, REGULAR_EXPRESSION } = eg.BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsHeadersType;

/** A limit's period as a rate limit rule's unit (quotas, budgets and call limits). */
export const UNIT: Record<string, eg.BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit> = {
  second: eg.BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit.SECOND,
  minute: eg.BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit.MINUTE,
  hour: eg.BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit.HOUR,
  day: eg.BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit.DAY,
  month: eg.BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit.MONTH,
};

/** The header selectors of one rate limit rule and the limit it enforces. */
export interface SelectorSet {
  readonly headers: HeaderSelector[];
  readonly limit: number;
}

/**
 * The selector sets that count each distinct value of the key header, tiered. Envoy Gateway ORs rules (a
 * request is counted by every rule that matches it) and ANDs the selectors of a rule; a selector on an
 * absent header never matches, except an inverted one (EG emits `header_value_match` with
 * `expect_match: false`, which an absent header satisfies). So, with K the key header and T the tier one:
 * - no tiers: each distinct K;
 * - a tier v: each distinct K whose T is exactly v;
 * - everyone else: each distinct K whose T is none of the tier values, absent T included.
 * docs/quotas.md cites the sources.
 */
export function tieredSelectors(key: string, tiers: { by: string; limits: [value: string, limit: number][] } | undefined, limit: number): SelectorSet[] {
  const distinct: HeaderSelector = { name: key, type: DISTINCT };
  if (!tiers || tiers.limits.length === 0) return [{ headers: [distinct], limit }];
  return [
    ...tiers.limits.map(([value, n]) => ({ headers: [distinct, { name: tiers.by, type: EXACT, value }], limit: n })),
    { headers: [distinct, ...tiers.limits.map(([value]) => ({ name: tiers.by, type: EXACT, value, invert: true }))], limit },
  ];
}

/** Every request without the key header, in one shared bucket: an inverted match-anything (absent ≠ empty). */
function withoutHeader(key: string): HeaderSelector {
  return { name: key, type: REGULAR_EXPRESSION, value: '.*', invert: true };
}

/** The global rate limit rules of one quota: tiered per distinct key, plus the `unidentified` bucket. */
export function quotaRules(q: RequestQuota, identity: IdentityHeaders): Rule[] {
  const key = quotaHeader(q.key, identity);
  const unit = UNIT[q.per]!;
  const tiers = q.tiers && { by: quotaHeader(q.tiers.by, identity), limits: quotaTiers(q) };
  const sets = [...tieredSelectors(key, tiers, q.requests), ...(q.unidentified !== undefined ? [{ headers: [withoutHeader(key)], limit: q.unidentified }] : [])];
  return sets.map((s) => ({ clientSelectors: [{ headers: s.headers }], limit: { requests: s.limit, unit } }));
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
