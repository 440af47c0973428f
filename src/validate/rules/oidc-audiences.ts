import type { Rule } from '../rule.js';
import { agentRef } from '../rule.js';
import { forEachMethod } from './each.js';

export const oidcAudiences: Rule = {
  code: 'PC003',
  severity: 'error',
  title: 'JWT provider without audiences',
  check(fleet) {
    return forEachMethod(fleet, 'oidc', (m, field, agentIndex) =>
      m.audiences.length > 0
        ? []
        : [
            {
              entity: agentRef(agentIndex),
              field: `${field}.audiences`,
              message: `no audience on a shared issuer accepts tokens minted for any other client of ${m.issuer}, got []`,
              hint: "set audiences to this gateway's client id or API identifier",
            },
          ],
    );
  },
};
