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

/** A name listed twice in one list of an entity: each repeat, with the index of its first listing. */
function repeats(names: readonly string[], entity: EntityRef, field: (i: number) => string, what: string, hint: string): Finding[] {
  const first = new Map<string, number>();
  return names.flatMap((name, i) => {
    const j = first.get(name);
    if (j === undefined) {
      first.set(name, i);
      return [];
    }
    return [{ entity, field: field(i), message: `${what} "${name}" is listed twice (also at index ${j})`, hint }];
  });
}

export const duplicateNames: Rule = {
  code: 'PC010',
  severity: 'error',
  title: 'duplicate agent, gateway, listener or provider names, or a provider listed twice',
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
      ...fleet.egressGateways.flatMap((g, index) =>
        repeats(g.providers, { kind: 'egressGateway', index }, (i) => `providers[${i}]`, 'provider', 'list each provider once'),
      ),
      ...fleet.agents.flatMap((a, index) =>
        repeats(
          a.providers.map((p) => p.provider),
          agentRef(index),
          (i) => `providers[${i}].provider`,
          'provider',
          'grant each provider once, with every model, budget and limit in that one grant',
        ),
      ),
    ];
  },
};
