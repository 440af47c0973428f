import { gatewayKey, resolveEgressGateway } from '../../model/index.js';
import type { Finding, Rule } from '../rule.js';
import { agentRef } from '../rule.js';

export const tokenBudgetNeedsAiGateway: Rule = {
  code: 'PC033',
  severity: 'error',
  title: 'a token budget on a route without AI Gateway, where nothing counts tokens',
  check(fleet) {
    const found: Finding[] = [];
    fleet.agents.forEach((agent, i) =>
      agent.providers.forEach((grant, gi) => {
        const egress = resolveEgressGateway(fleet, grant)?.gateway;
        if (grant.tokenBudget && egress && egress.target !== 'ai-gateway')
          found.push({
            entity: agentRef(i),
            field: `providers[${gi}].tokenBudget`,
            message: `egress gateway ${gatewayKey(egress)} runs on Envoy Gateway alone, which never reads the tokens a provider answers with, so the budget could not be counted`,
            hint: "grant the provider through an egress gateway with target 'ai-gateway' (it records token usage), or drop the budget",
          });
      }),
    );
    return found;
  },
};
