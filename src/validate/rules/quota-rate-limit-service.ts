import { agentGateway, gatewayKey, resolveEgressGateway } from '../../model/index.js';
import type { Finding, Rule } from '../rule.js';
import { agentRef } from '../rule.js';

export const quotaRateLimitService: Rule = {
  code: 'PC032',
  severity: 'error',
  title: "quotas or token budgets on a gateway without Envoy Gateway's rate limit service",
  check(fleet) {
    const found: Finding[] = [];
    fleet.agents.forEach((agent, i) => {
      agent.providers.forEach((grant, gi) => {
        const limited = grant.tokenBudget ? 'tokenBudget' : grant.requestLimit ? 'requestLimit' : undefined;
        const egress = limited && resolveEgressGateway(fleet, grant)?.gateway;
        if (egress && !egress.rateLimitService)
          found.push({
            entity: agentRef(i),
            field: `providers[${gi}].${limited}`,
            message: `egress gateway ${gatewayKey(egress)} does not declare Envoy Gateway's rate limit service; without it the budget policy is not accepted and every call to the provider answers 500`,
            hint: 'configure EnvoyGateway.rateLimit (backend Redis), then set rateLimitService: true on the egress gateway',
          });
      });
      const gateway = agentGateway(fleet, agent);
      if (agent.quotas.length === 0 || !gateway || gateway.rateLimitService) return;
      found.push({
        entity: agentRef(i),
        field: 'quotas',
        message: `gateway ${gateway.namespace}/${gateway.name} does not declare Envoy Gateway's rate limit service; without it the quota policy is not accepted and every request to the agent answers 500`,
        hint: 'configure EnvoyGateway.rateLimit (backend Redis) in the Envoy Gateway installation, then set rateLimitService: true on the gateway',
      });
    });
    return found;
  },
};
