import { DEFAULT_IDENTITY_HEADERS, agentGateway, effectiveIdentityHeaders, identityFieldsSet } from '../../model/index.js';
import type { Finding, Rule } from '../rule.js';
import { agentRef } from '../rule.js';

export const identityHeaderMismatch: Rule = {
  code: 'PC006',
  severity: 'error',
  title: 'identity header names differ between the auth paths of one agent',
  check(fleet) {
    const found: Finding[] = [];
    fleet.agents.forEach((agent, agentIndex) => {
      const identity = agentGateway(fleet, agent)?.identityHeaders ?? DEFAULT_IDENTITY_HEADERS;
      const firstSeen = new Map<string, { header: string; method: number }>();
      agent.auth.forEach((method, i) => {
        const headers = effectiveIdentityHeaders(identity, method);
        for (const f of identityFieldsSet(method)) {
          const seen = firstSeen.get(f);
          if (!seen) firstSeen.set(f, { header: headers[f], method: i });
          else if (seen.header !== headers[f])
            found.push({
              entity: agentRef(agentIndex),
              field: `auth[${i}].identityHeaders.${f}`,
              message: `${f} goes to "${headers[f]}" here but to "${seen.header}" from auth[${seen.method}], so quotas and metering split one caller in two`,
              hint: `use one header name for ${f} on every auth path (drop the per-method override, or set it on the gateway's identityHeaders)`,
            });
        }
      });
    });
    return found;
  },
};
