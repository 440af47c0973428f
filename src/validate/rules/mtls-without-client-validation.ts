import { agentGateway } from '../../model/index.js';
import type { Rule } from '../rule.js';
import { agentRef } from '../rule.js';
import { forEachMethod } from './each.js';

export const mtlsWithoutClientValidation: Rule = {
  code: 'PC015',
  severity: 'error',
  title: 'mTLS auth on a gateway that does not validate client certificates',
  check(fleet) {
    return forEachMethod(fleet, 'mtls', (_m, field, agentIndex) => {
      const gateway = agentGateway(fleet, fleet.agents[agentIndex]!);
      if (!gateway || gateway.clientValidation) return [];
      return [
        {
          entity: agentRef(agentIndex),
          field,
          message: `gateway ${gateway.namespace}/${gateway.name} does not validate client certificates, so no verified certificate ever reaches this method`,
          hint: 'set clientValidation (CA bundle) on the gateway',
        },
      ];
    });
  },
};
