import { mappedClaims, type OidcAuth } from '../../model/index.js';
import type * as eg from '../../imports/gateway.envoyproxy.io.js';
import type { AgentPlan } from '../plan.js';

/** Provider name: the method's, or the issuer's host and path as a DNS-ish slug. */
export function providerName(method: OidcAuth): string {
  if (method.name) return method.name;
  const url = new URL(method.issuer);
  return `${url.hostname}${url.pathname}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

/** SecurityPolicy jwt: issuer, audiences, remote JWKS, and claims overwritten into identity headers. */
export function jwtSpec(plan: AgentPlan, method: OidcAuth): eg.SecurityPolicySpecJwt {
  return {
    providers: [
      {
        name: providerName(method),
        issuer: method.issuer,
        audiences: [...method.audiences],
        remoteJwks: { uri: plan.jwksUri! },
        claimToHeaders: mappedClaims(method, plan.identity).map(({ claim, header }) => ({ claim, header })),
      },
    ],
  };
}
