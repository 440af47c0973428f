import { effectiveIdentityHeaders, type ApiKeyAuth } from '../../model/index.js';
import type * as eg from '../../imports/gateway.envoyproxy.io.js';
import type { AgentPlan } from '../plan.js';

/**
 * SecurityPolicy apiKeyAuth: keys from a Secret (client id -> key), the client id forwarded in the user
 * id header, and the key itself removed before the agent sees it.
 */
export function apiKeySpec(plan: AgentPlan, method: ApiKeyAuth): eg.SecurityPolicySpecApiKeyAuth {
  return {
    credentialRefs: [{ group: '', kind: 'Secret', name: method.secretName }],
    extractFrom: [{ headers: [method.header] }],
    forwardClientIdHeader: effectiveIdentityHeaders(plan.identity, method).userId,
    sanitize: true,
  };
}
