import { PERIOD_SECONDS } from '../../model/index.js';
import type { Finding, Rule } from '../rule.js';
import { agentRef } from '../rule.js';

export const quotaContradiction: Rule = {
  code: 'PC031',
  severity: 'warning',
  title: "a per-user limit larger than the tenant's, which can never bind",
  check(fleet) {
    const found: Finding[] = [];
    fleet.agents.forEach((agent, i) => {
      const rate = (q: (typeof agent.quotas)[number]) => q.requests / PERIOD_SECONDS[q.per];
      agent.quotas.forEach((u, ui) => {
        if (u.key !== 'user') return;
        for (const t of agent.quotas.filter((q) => q.key === 'tenant' && q.per === u.per)) {
          if (rate(u) > rate(t))
            found.push({
              entity: agentRef(i),
              field: `quotas[${ui}].requests`,
              message: `a user may make ${u.requests} requests per ${u.per} but the whole tenant only ${t.requests}, so the per-user limit never applies`,
              hint: "lower the per-user limit below the tenant's, or drop it",
            });
        }
      });
    });
    return found;
  },
};
