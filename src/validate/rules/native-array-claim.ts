import { DEFAULT_IDENTITY_HEADERS, WELL_KNOWN_ARRAY_CLAIMS, agentGateway, mappedClaims } from '../../model/index.js';
import type { Rule } from '../rule.js';
import { agentRef } from '../rule.js';
import { forEachMethod } from './each.js';

export const nativeArrayClaim: Rule = {
  code: 'PC004',
  severity: 'error',
  title: 'array-typed claim mapped to a header by the native JWT filter',
  check(fleet) {
    return forEachMethod(fleet, 'oidc', (m, field, agentIndex) => {
      const identity = agentGateway(fleet, fleet.agents[agentIndex]!)?.identityHeaders ?? DEFAULT_IDENTITY_HEADERS;
      return mappedClaims(m, identity)
        .filter(({ claim }) => WELL_KNOWN_ARRAY_CLAIMS.includes(claim) && !m.arrayClaims.includes(claim))
        .map(({ claim, header, field: f }) => ({
          entity: agentRef(agentIndex),
          field: `${field}.${f}`,
          message: `claim "${claim}" is an array in tokens of every major IdP and Envoy's jwt filter silently drops array claims, so ${header} would never be set`,
          hint: `add "${claim}" to ${field}.arrayClaims (portcullis then joins it with commas in its runtime), or map a scalar claim`,
        }));
    });
  },
};
