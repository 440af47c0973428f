import { gatewayKey } from '../../model/index.js';
import type { EntityRef, Finding, Rule } from '../rule.js';
import { agentRef, gatewayRef } from '../rule.js';

function duplicates<T>(items: readonly T[], key: (t: T) => string, ref: (i: number) => EntityRef, what: string): Finding[] {
  const first = new Map<string, number>();
  const found: Finding[] = [];
  items.forEach((item, i) => {
    const k = key(item);
    const j = first.get(k);
    if (j === undefined) first.set(k, i);
    else
      found.push({
        entity: ref(i),
        field: 'name',
        message: `${what} "${k}" is declared twice (also at index ${j}), so their objects would overwrite each other`,
        hint: `give each ${what} a unique namespace/name`,
      });
  });
  return found;
}

export const duplicateNames: Rule = {
  code: 'PC010',
  severity: 'error',
  title: 'duplicate agent, gateway or listener names',
  check(fleet) {
    const listenerDupes = fleet.gateways.flatMap((g, gi) => {
      const seen = new Set<string>();
      return g.listeners.flatMap((l, li) => {
        if (!seen.has(l.name)) {
          seen.add(l.name);
          return [];
        }
        return [{ entity: gatewayRef(gi), field: `listeners[${li}].name`, message: `listener "${l.name}" is declared twice`, hint: 'give each listener a unique name' }];
      });
    });
    return [
      ...duplicates(fleet.agents, gatewayKey, agentRef, 'agent'),
      ...duplicates(fleet.gateways, gatewayKey, gatewayRef, 'gateway'),
      ...duplicates(fleet.egressGateways, gatewayKey, (index) => ({ kind: 'egressGateway', index }), 'egress gateway'),
      ...duplicates(fleet.providers, (p) => p.name, (index) => ({ kind: 'provider', index }), 'provider'),
      ...listenerDupes,
    ];
  },
};
