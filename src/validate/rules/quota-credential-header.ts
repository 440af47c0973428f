import { DEFAULT_IDENTITY_HEADERS, agentGateway, callerCredentialHeaders, conventionOf, quotaHeader, type QuotaKey } from '../../model/index.js';
import type { Finding, Rule } from '../rule.js';
import { agentRef } from '../rule.js';

/**
 * A rate limit counts each distinct value of its key header (and picks a tier by the value of its tier
 * header): Envoy sends those values to the rate limit service as descriptors, which keys its Redis
 * counters by them. Keyed on a credential header, every caller's credential would be copied there. On a
 * provider route the credential headers are also gone (or hold the provider key) by the time a token
 * budget is charged, at the end of the call (docs/quotas.md, "What the provider sees").
 */
export const quotaCredentialHeader: Rule = {
  code: 'PC036',
  severity: 'error',
  title: 'a quota, token budget or call limit keyed or tiered on a credential header',
  check(fleet) {
    const found: Finding[] = [];
    fleet.agents.forEach((agent, i) => {
      const identity = agentGateway(fleet, agent)?.identityHeaders ?? DEFAULT_IDENTITY_HEADERS;
      const credentials = callerCredentialHeaders(agent);
      /** `provider`: a limit on calls to that provider; `tokens`: a token budget, charged when the call ends. */
      const check = (key: QuotaKey | 'agent' | undefined, field: string, provider?: string, tokens = false) => {
        if (key === undefined || key === 'agent') return;
        const header = quotaHeader(key, identity);
        const p = provider === undefined ? undefined : fleet.providers.find((x) => x.name === provider);
        const inject = p && conventionOf(p).inject;
        if (!credentials.has(header) && !(inject?.type === 'header' && inject.header === header)) return;
        found.push({
          entity: agentRef(i),
          field,
          message:
            `${header} carries credentials: the limit would send each caller's ${header} to the rate limit service, which keeps it as a Redis key` +
            (tokens ? `; and the gateway removes it, or writes the provider key into it, before the call leaves, so when the call ends its tokens would be charged to no caller's budget` : ''),
          hint: provider !== undefined
            ? 'key it on user, tenant or agent, and tier it on an identity the agent forwards (a mapped claim header such as x-claim-plan)'
            : 'key it on the verified identity: user, tenant, or a mapped claim header such as x-claim-plan',
        });
      };
      agent.quotas.forEach((q, qi) => {
        check(q.key, `quotas[${qi}].key`);
        check(q.tiers?.by, `quotas[${qi}].tiers.by`);
      });
      agent.providers.forEach((g, gi) => {
        for (const [limit, name] of [
          [g.tokenBudget, 'tokenBudget'],
          [g.requestLimit, 'requestLimit'],
        ] as const) {
          const tokens = name === 'tokenBudget';
          check(limit?.key, `providers[${gi}].${name}.key`, g.provider, tokens);
          check(limit?.tiers?.by, `providers[${gi}].${name}.tiers.by`, g.provider, tokens);
        }
      });
    });
    return found;
  },
};
