import { gatewayKey, resolveEgressGateway } from '../../model/index.js';
import type { Finding, Rule } from '../rule.js';
import { agentRef } from '../rule.js';

/**
 * Model allow-lists are enforced by the egress gateway's provider routes, which every agent on the gateway
 * shares: on Envoy Gateway alone they do not read the body at all, and on AI Gateway they admit the union
 * of the models granted to every agent sharing the gateway and provider. (The gateway does know the calling
 * agent, from its listener; per-agent route matches on it are not emitted yet.)
 */
export const modelEnforcement: Rule = {
  code: 'PC028',
  severity: 'warning',
  title: 'a model allow-list the egress gateway cannot enforce as written',
  check(fleet) {
    const found: Finding[] = [];
    fleet.agents.forEach((agent, i) => {
      agent.providers.forEach((grant, gi) => {
        const resolved = resolveEgressGateway(fleet, grant);
        if (!resolved || grant.models.length === 0) return;
        const g = resolved.gateway;
        if (g.target === 'envoy-gateway') {
          found.push({
            entity: agentRef(i),
            field: `providers[${gi}].models`,
            message: `egress gateway ${gatewayKey(g)} runs on Envoy Gateway alone, which routes by path and never reads the model from the body, so ${JSON.stringify(grant.models)} is not enforced`,
            hint: 'use an egress gateway with target ai-gateway for model allow-lists, or drop models here',
          });
          return;
        }
        const others = fleet.agents.flatMap((a, j) =>
          j === i ? [] : a.providers.filter((o) => o.provider === grant.provider && resolveEgressGateway(fleet, o)?.gateway === g).map((o) => ({ a, o })),
        );
        const differing = others.filter(({ o }) => JSON.stringify([...o.models].sort()) !== JSON.stringify([...grant.models].sort()));
        if (differing.length > 0)
          found.push({
            entity: agentRef(i),
            field: `providers[${gi}].models`,
            message: `agents sharing egress gateway ${gatewayKey(g)} for "${grant.provider}" have different model lists (${differing.map(({ a }) => `${a.namespace}/${a.name}`).join(', ')}), and the gateway admits their union for all of them`,
            hint: 'give agents with different model lists their own egress gateway, or align the lists',
          });
      });
    });
    return found;
  },
};
