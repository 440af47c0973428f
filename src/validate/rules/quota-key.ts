import { DEFAULT_IDENTITY_HEADERS, agentGateway, effectiveIdentityHeaders, identityFieldsSet, quotaHeader } from '../../model/index.js';
import type { Finding, Rule } from '../rule.js';
import { agentRef } from '../rule.js';

export const quotaKey: Rule = {
  code: 'PC030',
  severity: 'error',
  title: 'a quota keyed on a header no auth path of the agent sets',
  check(fleet) {
    const found: Finding[] = [];
    fleet.agents.forEach((agent, i) => {
      const identity = agentGateway(fleet, agent)?.identityHeaders ?? DEFAULT_IDENTITY_HEADERS;
      const set = new Set(
        agent.auth.flatMap((m) => {
          const headers = effectiveIdentityHeaders(identity, m);
          return [...identityFieldsSet(m).map((f) => headers[f]), ...(m.type === 'oidc' ? Object.keys(m.claims.extra).map((k) => `${identity.claimPrefix}${k}`) : [])];
        }),
      );
      agent.quotas.forEach((q, qi) => {
        const header = quotaHeader(q.key, identity);
        if (!set.has(header))
          found.push({
            entity: agentRef(i),
            field: `quotas[${qi}].key`,
            message: `no auth method of the agent sets ${header}, so the rate limit finds no value to count and never applies`,
            hint: 'key the quota on a header an auth method sets (map the claim, or use user), or add the mapping',
          });
      });
    });
    return found;
  },
};
