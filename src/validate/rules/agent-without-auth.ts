import type { Rule } from '../rule.js';
import { agentRef } from '../rule.js';

export const agentWithoutAuth: Rule = {
  code: 'PC012',
  severity: 'warning',
  title: 'agent without inbound auth is not exposed',
  check(fleet) {
    return fleet.agents.flatMap((agent, i) =>
      agent.auth.length > 0
        ? []
        : [
            {
              entity: agentRef(i),
              field: 'auth',
              message: `agent ${agent.namespace}/${agent.name} has no inbound auth, so no route is emitted and no gateway reaches it`,
              hint: 'add an auth method (oidc, apiKey, bearer, edgeTrust or mtls), or acknowledge PC012 if it is internal on purpose',
            },
          ],
    );
  },
};
