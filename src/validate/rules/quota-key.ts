import { DEFAULT_IDENTITY_HEADERS, agentGateway, callerCredentialHeaders, headersSetBy, quotaHeader, type QuotaKey } from '../../model/index.js';
import type { Finding, Rule } from '../rule.js';
import { agentRef } from '../rule.js';

export const quotaKey: Rule = {
  code: 'PC030',
  severity: 'error',
  title: 'a quota keyed (or tiered) on a header no auth path of the agent sets',
  check(fleet) {
    const found: Finding[] = [];
    fleet.agents.forEach((agent, i) => {
      const identity = agentGateway(fleet, agent)?.identityHeaders ?? DEFAULT_IDENTITY_HEADERS;
      const set = new Set(agent.auth.flatMap((m) => [...headersSetBy(identity, m)]));
      // a credential header is PC036's
      const credentials = callerCredentialHeaders(agent);
      const check = (key: QuotaKey, field: string, consequence: string) => {
        const header = quotaHeader(key, identity);
        if (!set.has(header) && !credentials.has(header))
          found.push({
            entity: agentRef(i),
            field,
            message: `no auth method of the agent sets ${header}, so ${consequence}`,
            hint: 'use a header an auth method sets (map the claim, or use user), or add the mapping',
          });
      };
      agent.quotas.forEach((q, qi) => {
        check(q.key, `quotas[${qi}].key`, 'the rate limit finds no value to count and never applies');
        if (q.tiers) check(q.tiers.by, `quotas[${qi}].tiers.by`, 'no caller ever reaches a tier and everyone gets the default limit');
      });
    });
    return found;
  },
};
