import type { Rule } from '../rule.js';
import { agentRef } from '../rule.js';
import { forEachMethod } from './each.js';

export const apiKeyAuthorization: Rule = {
  code: 'PC005',
  severity: 'error',
  title: 'native API keys read from the Authorization header',
  check(fleet) {
    return forEachMethod(fleet, 'apiKey', (m, field, agentIndex) =>
      m.hashed || m.header.toLowerCase() !== 'authorization'
        ? []
        : [
            {
              entity: agentRef(agentIndex),
              field: `${field}.header`,
              message: `keys read from "${m.header}" by Envoy's api_key_auth are compared with the whole header value, so every stored key would need the "Bearer " prefix`,
              hint: 'read keys from a dedicated header such as x-api-key, or set hashed: true so the runtime strips the scheme',
            },
          ],
    );
  },
};
