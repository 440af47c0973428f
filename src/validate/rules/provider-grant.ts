import { gatewayKey, resolveEgressGateway, findProvider } from '../../model/index.js';
import type { Finding, Rule } from '../rule.js';
import { agentRef } from '../rule.js';

export const providerGrant: Rule = {
  code: 'PC021',
  severity: 'error',
  title: 'a provider an agent uses that no egress gateway of its allows',
  check(fleet) {
    const found: Finding[] = [];
    fleet.agents.forEach((agent, i) => {
      agent.providers.forEach((grant, gi) => {
        const field = `providers[${gi}]`;
        if (!findProvider(fleet, grant.provider)) {
          found.push({
            entity: agentRef(i),
            field: `${field}.provider`,
            message: `no provider is named "${grant.provider}" (declared: ${fleet.providers.map((p) => p.name).join(', ') || 'none'})`,
            hint: 'declare the provider and allow it on an egress gateway',
          });
          return;
        }
        const resolved = resolveEgressGateway(fleet, grant);
        if (!resolved) {
          const allowing = fleet.egressGateways.filter((g) => g.providers.includes(grant.provider)).map(gatewayKey);
          found.push({
            entity: agentRef(i),
            field: grant.egressGateway ? `${field}.egressGateway` : field,
            message: grant.egressGateway
              ? `no single egress gateway matches "${grant.egressGateway}"`
              : allowing.length === 0
                ? `no egress gateway allows provider "${grant.provider}", so the agent could never reach it`
                : `several egress gateways allow provider "${grant.provider}" (${allowing.join(', ')})`,
            hint: allowing.length > 1 ? 'name one with egressGateway (allowProvider(p, { via }))' : `add "${grant.provider}" to an egress gateway's providers`,
          });
        } else if (!resolved.gateway.providers.includes(grant.provider)) {
          found.push({
            entity: agentRef(i),
            field: `${field}.egressGateway`,
            message: `egress gateway ${gatewayKey(resolved.gateway)} does not allow provider "${grant.provider}" (it allows: ${resolved.gateway.providers.join(', ')})`,
            hint: `add "${grant.provider}" to that gateway's providers, or go through one that allows it`,
          });
        }
      });
    });
    return found;
  },
};
