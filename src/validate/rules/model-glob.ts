import { findProvider, globSource } from '../../model/index.js';
import type { Finding, Rule } from '../rule.js';
import { agentRef } from '../rule.js';

export function globMatches(glob: string, model: string): boolean {
  return new RegExp(`^${globSource(glob)}$`).test(model);
}

export const modelGlob: Rule = {
  code: 'PC022',
  severity: 'error',
  title: 'a model glob that matches no model the provider declares',
  check(fleet) {
    const found: Finding[] = [];
    fleet.agents.forEach((agent, i) => {
      agent.providers.forEach((grant, gi) => {
        const p = findProvider(fleet, grant.provider);
        if (!p || p.models.length === 0) return;
        grant.models.forEach((glob, mi) => {
          if (!p.models.some((m) => globMatches(glob, m)))
            found.push({
              entity: agentRef(i),
              field: `providers[${gi}].models[${mi}]`,
              message: `"${glob}" matches none of the models provider "${p.name}" declares (${p.models.join(', ')}), so every call would be refused`,
              hint: 'fix the glob, or add the model to the provider',
            });
        });
      });
    });
    return found;
  },
};
