import * as aigw from '../../imports/aigateway.envoyproxy.io.js';
import * as eg from '../../imports/gateway.envoyproxy.io.js';
import { DEFAULT_IDENTITY_HEADERS, agentGateway, globsRegex, quotaHeader, quotaTiers, resolveEgressGateway, type Fleet, type Tiers, type TokenBudget } from '../../model/index.js';
import { AGENT_HEADER } from '../plan.js';
import { UNIT, tieredSelectors } from '../quota.js';
import type { EmittedObject } from '../emitted.js';
import { AI_GATEWAY_MODEL_HEADER, egressLabels } from './gateway.js';
import type { EgressGatewayPlan } from './plan.js';

/** The AI Gateway cost metadata key and type per counted kind of token. */
const COST: Record<TokenBudget['count'], { key: string; type: aigw.AiGatewayRouteV1Beta1SpecLlmRequestCostsType }> = {
  input: { key: 'llm_input_token', type: aigw.AiGatewayRouteV1Beta1SpecLlmRequestCostsType.INPUT_TOKEN },
  output: { key: 'llm_output_token', type: aigw.AiGatewayRouteV1Beta1SpecLlmRequestCostsType.OUTPUT_TOKEN },
  total: { key: 'llm_total_token', type: aigw.AiGatewayRouteV1Beta1SpecLlmRequestCostsType.TOTAL_TOKEN },
};

/** A limit on one provider route: tokens (charged from AI Gateway's cost metadata) or calls. */
export interface BudgetRule {
  /** The agent it was granted to, `<namespace>/<name>`: only that agent's calls are counted. */
  readonly agent: string;
  readonly provider: string;
  readonly budget: TokenBudget | { readonly calls: number; readonly per: 'second' | 'minute' | 'hour' | 'day' };
  /** The identity header the agent forwards, counted distinctly. */
  readonly header: string;
  /** The header whose value picks a tier, and each tier value's limit. */
  readonly tiers?: { readonly by: string; readonly limits: [value: string, limit: number][] };
  readonly models: readonly string[];
}

/** Every token budget and call limit granted through an egress gateway, in grant order. */
export function budgetRules(fleet: Fleet, plan: EgressGatewayPlan): BudgetRule[] {
  return fleet.agents.flatMap((agent) => {
    const identity = agentGateway(fleet, agent)?.identityHeaders ?? DEFAULT_IDENTITY_HEADERS;
    const header = (key: 'user' | 'tenant' | 'agent') => (key === 'agent' ? AGENT_HEADER : quotaHeader(key, identity));
    const who = `${agent.namespace}/${agent.name}`;
    const tiersOf = (l: { tiers?: Tiers | undefined }) => l.tiers && { tiers: { by: quotaHeader(l.tiers.by, identity), limits: quotaTiers(l) } };
    return agent.providers.flatMap((g) => {
      const route = plan.routes.find((r) => r.provider.name === g.provider);
      if (!route || resolveEgressGateway(fleet, g)?.gateway !== plan.gateway) return [];
      const models = g.models.length > 0 ? g.models : route.provider.models;
      return [
        ...(g.tokenBudget ? [{ agent: who, provider: g.provider, budget: g.tokenBudget, header: header(g.tokenBudget.key), ...tiersOf(g.tokenBudget), models }] : []),
        ...(g.requestLimit
          ? [{ agent: who, provider: g.provider, budget: { calls: g.requestLimit.requests, per: g.requestLimit.per }, header: header(g.requestLimit.key), ...tiersOf(g.requestLimit), models }]
          : []),
      ];
    });
  });
}

const isTokens = (b: BudgetRule['budget']): b is TokenBudget => 'tokens' in b;

/**
 * The request headers a rule reads when the call ends (a token budget, charged with the tokens AI Gateway
 * recorded): its selectors are evaluated again then, on the request's headers as they were sent upstream.
 * x-ai-eg-model is AI Gateway's own: set by its router filter, never removed after (the agent's own goes early).
 */
export function headersReadWhenDone(rule: BudgetRule): string[] {
  return isTokens(rule.budget) ? [AGENT_HEADER, rule.header, ...(rule.tiers ? [rule.tiers.by] : [])].map((h) => h.toLowerCase()) : [];
}

/** The cost entries the AIGatewayRoute must record for these budgets. */
export function llmRequestCosts(rules: readonly BudgetRule[]): aigw.AiGatewayRouteV1Beta1SpecLlmRequestCosts[] {
  const kinds = [...new Set(rules.flatMap((r) => (isTokens(r.budget) ? [r.budget.count] : [])))].sort();
  return kinds.map((k) => ({ metadataKey: COST[k].key, type: COST[k].type }));
}

/**
 * Token budgets and call limits on an egress gateway's provider routes, one global rule each (per tier),
 * counting each distinct identity among the calls of the agent it was granted to: the gateway stamps each
 * request with its agent from the listener it arrived on (AGENT_HEADER). On AI Gateway the policy targets
 * the HTTPRoute it generates and a rule is scoped to the provider by its models (x-ai-eg-model); a token
 * rule costs 0 on the request (checked before the call) and is charged with the tokens AI Gateway recorded.
 * On Envoy Gateway alone each provider has its own route.
 */
export function lowerBudgets(fleet: Fleet, plan: EgressGatewayPlan, rules: readonly BudgetRule[]): EmittedObject[] {
  const g = plan.gateway;
  const ai = g.target === 'ai-gateway';
  const rule = (r: BudgetRule) =>
    tieredSelectors(r.header, r.tiers, isTokens(r.budget) ? r.budget.tokens : r.budget.calls).map((set) => ({
      clientSelectors: [
        {
          headers: [
            { name: AGENT_HEADER, type: eg.BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsHeadersType.EXACT, value: r.agent },
            ...set.headers,
            ...(ai ? [{ name: AI_GATEWAY_MODEL_HEADER, type: eg.BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsHeadersType.REGULAR_EXPRESSION, value: globsRegex(r.models) }] : []),
          ],
        },
      ],
      limit: { requests: set.limit, unit: UNIT[r.budget.per]! },
      ...(isTokens(r.budget) && {
        cost: {
          request: { from: eg.BackendTrafficPolicySpecRateLimitGlobalRulesCostRequestFrom.NUMBER, number: 0 },
          response: { from: eg.BackendTrafficPolicySpecRateLimitGlobalRulesCostResponseFrom.METADATA, metadata: { namespace: 'io.envoy.ai_gateway', key: COST[r.budget.count].key } },
        },
      }),
    }));
  const policy = (name: string, route: string, selected: readonly BudgetRule[]): EmittedObject => ({
    owner: { kind: 'egressGateway', index: plan.index },
    id: `limits-${route}`,
    kind: 'BackendTrafficPolicy',
    props: {
      metadata: { name, namespace: g.namespace, labels: egressLabels(fleet, plan) },
      spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: route }], rateLimit: { global: { rules: selected.flatMap(rule) } } },
    },
  });
  if (rules.length === 0) return [];
  if (ai) return [policy(`${g.name}-limits`, g.name, rules)];
  const providers = [...new Set(rules.map((r) => r.provider))];
  return providers.map((p) => policy(`${g.name}-${p}-limits`, `${g.name}-${p}`, rules.filter((r) => r.provider === p)));
}
