import * as aigw from '../../imports/aigateway.envoyproxy.io.js';
import * as eg from '../../imports/gateway.envoyproxy.io.js';
import { DEFAULT_IDENTITY_HEADERS, agentGateway, globsRegex, resolveEgressGateway, type Fleet, type TokenBudget } from '../../model/index.js';
import type { EmittedObject } from '../emitted.js';
import { egressLabels } from './gateway.js';
import type { EgressGatewayPlan } from './plan.js';

/** The AI Gateway cost metadata key and type per counted kind of token. */
const COST: Record<TokenBudget['count'], { key: string; type: aigw.AiGatewayRouteV1Beta1SpecLlmRequestCostsType }> = {
  input: { key: 'llm_input_token', type: aigw.AiGatewayRouteV1Beta1SpecLlmRequestCostsType.INPUT_TOKEN },
  output: { key: 'llm_output_token', type: aigw.AiGatewayRouteV1Beta1SpecLlmRequestCostsType.OUTPUT_TOKEN },
  total: { key: 'llm_total_token', type: aigw.AiGatewayRouteV1Beta1SpecLlmRequestCostsType.TOTAL_TOKEN },
};
const UNIT: Record<TokenBudget['per'], eg.BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit> = {
  hour: eg.BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit.HOUR,
  day: eg.BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit.DAY,
  month: eg.BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit.MONTH,
};

export interface BudgetRule {
  readonly provider: string;
  readonly budget: TokenBudget;
  /** The identity header the agent forwards, counted distinctly. */
  readonly header: string;
  readonly models: readonly string[];
}

/** Every token budget granted through an AI Gateway egress gateway, in grant order. */
export function budgetRules(fleet: Fleet, plan: EgressGatewayPlan): BudgetRule[] {
  return fleet.agents.flatMap((agent) => {
    const identity = agentGateway(fleet, agent)?.identityHeaders ?? DEFAULT_IDENTITY_HEADERS;
    return agent.providers.flatMap((g) => {
      if (!g.tokenBudget || resolveEgressGateway(fleet, g)?.gateway !== plan.gateway) return [];
      const route = plan.routes.find((r) => r.provider.name === g.provider);
      if (!route) return [];
      const header = g.tokenBudget.key === 'user' ? identity.userId : identity.tenantId;
      return [{ provider: g.provider, budget: g.tokenBudget, header, models: g.models.length > 0 ? g.models : route.provider.models }];
    });
  });
}

/** The cost entries the AIGatewayRoute must record for these budgets. */
export function llmRequestCosts(rules: readonly BudgetRule[]): aigw.AiGatewayRouteV1Beta1SpecLlmRequestCosts[] {
  const kinds = [...new Set(rules.map((r) => r.budget.count))].sort();
  return kinds.map((k) => ({ metadataKey: COST[k].key, type: COST[k].type }));
}

/**
 * Token budgets: a BackendTrafficPolicy on the HTTPRoute AI Gateway generates, one global rule per budget,
 * counting each distinct identity among requests for the provider's models. The request costs 0 (checked
 * before the call: an exhausted budget is refused); the answer is charged with the tokens AI Gateway
 * recorded in its metadata.
 */
export function lowerBudgets(fleet: Fleet, plan: EgressGatewayPlan, rules: readonly BudgetRule[]): EmittedObject[] {
  if (rules.length === 0) return [];
  const g = plan.gateway;
  return [
    {
      owner: { kind: 'egressGateway', index: plan.index },
      id: 'token-budgets',
      kind: 'BackendTrafficPolicy',
      props: {
        metadata: { name: `${g.name}-token-budgets`, namespace: g.namespace, labels: egressLabels(fleet, plan) },
        spec: {
          targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: g.name }],
          rateLimit: {
            global: {
              rules: rules.map((r) => ({
                clientSelectors: [
                  {
                    headers: [
                      { name: r.header, type: eg.BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsHeadersType.DISTINCT },
                      { name: 'x-ai-eg-model', type: eg.BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsHeadersType.REGULAR_EXPRESSION, value: globsRegex(r.models) },
                    ],
                  },
                ],
                limit: { requests: r.budget.tokens, unit: UNIT[r.budget.per] },
                cost: {
                  request: { from: eg.BackendTrafficPolicySpecRateLimitGlobalRulesCostRequestFrom.NUMBER, number: 0 },
                  response: {
                    from: eg.BackendTrafficPolicySpecRateLimitGlobalRulesCostResponseFrom.METADATA,
                    metadata: { namespace: 'io.envoy.ai_gateway', key: COST[r.budget.count].key },
                  },
                },
              })),
            },
          },
        },
      },
    },
  ];
}
