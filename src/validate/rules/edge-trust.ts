import { DEFAULT_IDENTITY_HEADERS, agentGateway } from '../../model/index.js';
import type { Finding, Rule } from '../rule.js';
import { agentRef } from '../rule.js';
import { forEachMethod } from './each.js';

export const edgeTrust: Rule = {
  code: 'PC016',
  severity: 'error',
  title: 'edge-trust that anyone could satisfy',
  check(fleet) {
    return forEachMethod(fleet, 'edgeTrust', (m, field, agentIndex): Finding[] => {
      const entity = agentRef(agentIndex);
      const found: Finding[] = [];
      if (m.trustedCidrs.length === 0 && !m.proofSecretName)
        found.push({
          entity,
          field,
          message: 'edge-trust with neither trustedCidrs nor a proof secret believes identity headers from any caller',
          hint: "set trustedCidrs to the edge's source ranges and/or proofSecretName to a value only the edge sends",
        });
      const identity = agentGateway(fleet, fleet.agents[agentIndex]!)?.identityHeaders ?? DEFAULT_IDENTITY_HEADERS;
      const canonical = new Set([identity.userId, identity.tenantId, identity.roles, identity.email]);
      for (const [k, header] of Object.entries(m.headers)) {
        if (canonical.has(header.toLowerCase()))
          found.push({
            entity,
            field: `${field}.headers.${k}`,
            message: `"${header}" is a canonical identity header, which the gateway removes before auth, so the edge's value never arrives`,
            hint: 'have the edge send its verified identity in its own headers (e.g. x-edge-user) and map them here',
          });
      }
      return found;
    });
  },
};
