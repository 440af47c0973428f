import { gatewayKey, resolveEgressGateway } from '../../model/index.js';
import type { Finding, Rule } from '../rule.js';
import { agentRef } from '../rule.js';

/**
 * Model allow-lists are enforced by the egress gateway's provider routes. On AI Gateway each agent's
 * models are matched from its own listener; on Envoy Gateway alone the routes go by path and never read
 * the model from the body, so a list there is not enforced.
 */
export const modelEnforcement: Rule = {
  code: 'PC028',
  severity: 'warning',
  title: 'a model allow-list the egress gateway cannot enforce as written',
  check(fleet) {
    const found: Finding[] = [];
    fleet.agents.forEach((agent, i) => {
      agent.providers.forEach((grant, gi) => {
        const g = resolveEgressGateway(fleet, grant)?.gateway;
        if (!g || grant.models.length === 0 || g.target !== 'envoy-gateway') return;
        found.push({
          entity: agentRef(i),
          field: `providers[${gi}].models`,
          message: `egress gateway ${gatewayKey(g)} runs on Envoy Gateway alone, which routes by path and never reads the model from the body, so ${JSON.stringify(grant.models)} is not enforced`,
          hint: 'use an egress gateway with target ai-gateway for model allow-lists, or drop models here',
        });
      });
    });
    return found;
  },
};
