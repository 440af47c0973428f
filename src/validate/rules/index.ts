import type { Rule } from '../rule.js';
import { agentWithoutAuth } from './agent-without-auth.js';
import { apiKeyAuthorization } from './api-key-authorization.js';
import { controlPlaneNamespace } from './control-plane-namespace.js';
import { duplicateNames } from './duplicate-names.js';
import { edgeTrust } from './edge-trust.js';
import { egressGatewayCapacity } from './egress-gateway-capacity.js';
import { httpsListenerCertificates } from './https-listener-certificates.js';
import { identityHeaderMismatch } from './identity-header-mismatch.js';
import { identityHeaderNames } from './identity-header-names.js';
import { invalidNames } from './invalid-names.js';
import { issuerForm } from './issuer-form.js';
import { mtlsWithoutClientValidation } from './mtls-without-client-validation.js';
import { nativeArrayClaim } from './native-array-claim.js';
import { oidcAudiences } from './oidc-audiences.js';
import { plaintextListener } from './plaintext-listener.js';
import { secretInEnv } from './secret-in-env.js';
import { timeoutInFront } from './timeout-in-front.js';
import { unknownGateway } from './unknown-gateway.js';
import { egressAllowAll, injectionWithoutTls } from './egress-lockdown.js';
import { gcpNeedsAiGateway } from './gcp-needs-ai-gateway.js';
import { modelEnforcement } from './model-enforcement.js';
import { modelGlob } from './model-glob.js';
import { quotaContradiction } from './quota-contradiction.js';
import { quotaCredentialHeader } from './quota-credential-header.js';
import { quotaKey } from './quota-key.js';
import { quotaRateLimitService } from './quota-rate-limit-service.js';
import { quotaUncounted } from './quota-uncounted.js';
import { providerGrant } from './provider-grant.js';
import { providerKeyInEnv } from './provider-key-in-env.js';
import { crossNamespaceSecret, secretKeyName } from './secret-references.js';
import { tenantFallback } from './tenant-fallback.js';
import { tokenBudgetNeedsAiGateway } from './token-budget-needs-ai-gateway.js';

/** Every semantic rule, in code order. PC001 is schema validation, PC900+ are admission. */
export const RULES: readonly Rule[] = [
  controlPlaneNamespace,
  oidcAudiences,
  nativeArrayClaim,
  apiKeyAuthorization,
  identityHeaderMismatch,
  issuerForm,
  timeoutInFront,
  secretInEnv,
  duplicateNames,
  invalidNames,
  agentWithoutAuth,
  unknownGateway,
  plaintextListener,
  mtlsWithoutClientValidation,
  edgeTrust,
  httpsListenerCertificates,
  providerKeyInEnv,
  providerGrant,
  modelGlob,
  tenantFallback,
  egressAllowAll,
  injectionWithoutTls,
  crossNamespaceSecret,
  secretKeyName,
  modelEnforcement,
  gcpNeedsAiGateway,
  quotaKey,
  quotaContradiction,
  quotaRateLimitService,
  tokenBudgetNeedsAiGateway,
  quotaUncounted,
  egressGatewayCapacity,
  quotaCredentialHeader,
  identityHeaderNames,
];
