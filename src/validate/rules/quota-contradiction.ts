import { quotaTiers, type RequestQuota } from '../../model/index.js';
import type { Finding, Rule } from '../rule.js';
import { agentRef } from '../rule.js';

/** Every limit a quota can apply to one key value: the default and each tier's. */
const limitsOf = (q: RequestQuota): { requests: number; field: string; who: string }[] => [
  { requests: q.requests, field: 'requests', who: q.tiers ? 'a user outside the tiers' : 'a user' },
  ...quotaTiers(q).map(([value, requests]) => ({ requests, field: `tiers.limits.${value}`, who: `a user of tier ${value}` })),
];

export const quotaContradiction: Rule = {
  code: 'PC031',
  severity: 'warning',
  title: "a per-user limit larger than the tenant's, which can never bind",
  check(fleet) {
    const found: Finding[] = [];
    fleet.agents.forEach((agent, i) => {
      agent.quotas.forEach((u, ui) => {
        if (u.key !== 'user') return;
        for (const t of agent.quotas.filter((q) => q.key === 'tenant' && q.per === u.per)) {
          // the most any tenant may make in the period: a user limit above it can never bind
          const tenantMax = Math.max(...limitsOf(t).map((l) => l.requests));
          for (const l of limitsOf(u)) {
            if (l.requests <= tenantMax) continue;
            found.push({
              entity: agentRef(i),
              field: `quotas[${ui}].${l.field}`,
              message: `${l.who} may make ${l.requests} requests per ${u.per} but a whole tenant only ${tenantMax}, so this limit never applies`,
              hint: "lower the per-user limit below the tenant's, or drop it",
            });
          }
        }
      });
    });
    return found;
  },
};
