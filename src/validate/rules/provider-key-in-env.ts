import { PLACEHOLDER_KEY, PROVIDER_KEY_ENV, conventionOf, findProvider } from '../../model/index.js';
import type { Finding, Rule } from '../rule.js';
import { agentRef } from '../rule.js';

export const providerKeyInEnv: Rule = {
  code: 'PC020',
  severity: 'error',
  title: 'a provider key, or a provider variable portcullis owns, in an agent environment',
  check(fleet) {
    const providerSecrets = new Set(
      fleet.providers.flatMap((p) => [p.credential.secretName, ...Object.values(p.perTenant?.keys ?? {}).map((k) => k.secretName)]),
    );
    const found: Finding[] = [];
    fleet.agents.forEach((agent, i) => {
      const owned = new Set(
        agent.providers.flatMap((g) => {
          const p = findProvider(fleet, g.provider);
          if (!p) return [];
          const c = conventionOf(p);
          return [...c.baseUrlEnv, ...c.apiKeyEnv];
        }),
      );
      for (const [name, value] of Object.entries(agent.env)) {
        if (PROVIDER_KEY_ENV.includes(name) && value !== PLACEHOLDER_KEY)
          found.push({
            entity: agentRef(i),
            field: `env.${name}`,
            message: `variable ${name} would hand the agent a provider key, which a prompt can make it leak`,
            hint: 'remove it: grant the provider with allowProvider and the egress gateway injects the key',
          });
        else if (owned.has(name))
          found.push({
            entity: agentRef(i),
            field: `env.${name}`,
            message: `variable ${name} is set by portcullis for the granted provider; a value given here would point the SDK elsewhere`,
            hint: `remove ${name} from env`,
          });
      }
      for (const [name, ref] of Object.entries(agent.secretEnv)) {
        if (providerSecrets.has(ref.secretName) || PROVIDER_KEY_ENV.includes(name))
          found.push({
            entity: agentRef(i),
            field: `secretEnv.${name}`,
            message: `variable ${name} mounts Secret "${ref.secretName}" into the agent, ${providerSecrets.has(ref.secretName) ? 'which holds a provider key' : 'under a provider key variable'}`,
            hint: 'remove it: provider keys stay with the egress gateway, which injects them on the way out',
          });
      }
    });
    return found;
  },
};
