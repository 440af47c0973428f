import { MAX_AGENTS_PER_EGRESS_GATEWAY, resolveEgressGateway } from '../../model/index.js';
import type { Finding, Rule } from '../rule.js';

export const egressGatewayCapacity: Rule = {
  code: 'PC035',
  severity: 'error',
  title: 'more agents through one egress gateway than it can give listeners of their own',
  check(fleet) {
    return fleet.egressGateways.flatMap((g, i): Finding[] => {
      const agents = fleet.agents.filter((a) => a.providers.some((p) => resolveEgressGateway(fleet, p)?.gateway === g));
      return agents.length <= MAX_AGENTS_PER_EGRESS_GATEWAY
        ? []
        : [
            {
              entity: { kind: 'egressGateway', index: i },
              field: 'name',
              message: `egress gateway ${g.namespace}/${g.name} has ${agents.length} agents calling through it, but each needs a listener of its own and a Gateway has at most ${MAX_AGENTS_PER_EGRESS_GATEWAY + 1} (its own included)`,
              hint: `spread the agents over more egress gateways, at most ${MAX_AGENTS_PER_EGRESS_GATEWAY} each (an agent picks one with allowProvider's via / egressGateway)`,
            },
          ];
    });
  },
};
