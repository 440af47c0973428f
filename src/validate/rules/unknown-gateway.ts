import { gatewayKey, resolveGateway } from '../../model/index.js';
import type { Finding, Rule } from '../rule.js';
import { agentRef } from '../rule.js';

export const unknownGateway: Rule = {
  code: 'PC013',
  severity: 'error',
  title: 'agent exposed on a gateway or listener that is not declared',
  check(fleet) {
    const known = fleet.gateways.map(gatewayKey).sort();
    const found: Finding[] = [];
    fleet.agents.forEach((agent, i) => {
      if (!agent.expose) return;
      const resolved = resolveGateway(fleet, agent.expose.gateway);
      if (!resolved) {
        found.push({
          entity: agentRef(i),
          field: 'expose.gateway',
          message: `no single ingress gateway matches "${agent.expose.gateway}" (declared: ${known.join(', ') || 'none'})`,
          hint: 'name a declared gateway as namespace/name',
        });
        return;
      }
      const names = resolved.gateway.listeners.map((l) => l.name);
      (agent.expose.listeners ?? []).forEach((l, li) => {
        if (!names.includes(l))
          found.push({
            entity: agentRef(i),
            field: `expose.listeners[${li}]`,
            message: `gateway ${gatewayKey(resolved.gateway)} has no listener "${l}" (it has: ${names.join(', ')})`,
            hint: 'use one of its listener names, or leave listeners unset to attach to every HTTPS listener',
          });
      });
    });
    return found;
  },
};
