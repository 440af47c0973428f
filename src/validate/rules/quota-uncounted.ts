import { DEFAULT_IDENTITY_HEADERS, agentGateway, headersSetBy, quotaHeader } from '../../model/index.js';
import type { Finding, Rule } from '../rule.js';
import { agentRef } from '../rule.js';

export const quotaUncounted: Rule = {
  code: 'PC034',
  severity: 'warning',
  title: 'callers of some auth method escape a quota: the method sets no value for its key',
  check(fleet) {
    const found: Finding[] = [];
    fleet.agents.forEach((agent, i) => {
      const identity = agentGateway(fleet, agent)?.identityHeaders ?? DEFAULT_IDENTITY_HEADERS;
      const sets = agent.auth.map((m) => headersSetBy(identity, m));
      agent.quotas.forEach((q, qi) => {
        const header = quotaHeader(q.key, identity);
        const missing = agent.auth.flatMap((m, mi) => (sets[mi]!.has(header) ? [] : [`auth[${mi}] (${m.type})`]));
        // none sets it at all is PC030; a declared unidentified limit covers these callers
        if (missing.length === 0 || missing.length === agent.auth.length || q.unidentified !== undefined) return;
        found.push({
          entity: agentRef(i),
          field: `quotas[${qi}]`,
          message: `${missing.join(' and ')} sets no ${header}, so the callers it accepts are not counted by this quota`,
          hint: `add unidentified: <requests> to cap them together, or key the quota on a header every auth method sets`,
        });
      });
    });
    return found;
  },
};
