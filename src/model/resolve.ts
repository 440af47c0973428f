import type { AuthMethod } from './auth.js';
import type { Agent } from './agent.js';
import type { EgressGateway, Provider, ProviderGrant } from './egress.js';
import type { Fleet } from './fleet.js';
import type { IngressGateway } from './gateway.js';
import { IDENTITY_FIELDS, IdentityHeaders as IdentityHeadersSchema, type IdentityField, type IdentityHeaders } from './identity.js';
import { CREDENTIAL_HEADERS } from './provider-conventions.js';

/** Pure look-ups over a parsed fleet, shared by the semantic rules and the compiler. */

export function gatewayKey(g: { namespace: string; name: string }): string {
  return `${g.namespace}/${g.name}`;
}

/**
 * Resolves an agent's `expose.gateway` reference: `namespace/name`, or a bare name when it is unique.
 * Returns undefined when the reference matches no gateway or is ambiguous.
 */
export function resolveGateway(fleet: Fleet, ref: string): { gateway: IngressGateway; index: number } | undefined {
  const matches = fleet.gateways
    .map((gateway, index) => ({ gateway, index }))
    .filter(({ gateway }) => (ref.includes('/') ? gatewayKey(gateway) === ref : gateway.name === ref));
  return matches.length === 1 ? matches[0] : undefined;
}

/** The gateway an agent is exposed on, if it asks to be and the reference resolves. */
export function agentGateway(fleet: Fleet, agent: Agent): IngressGateway | undefined {
  return agent.expose ? resolveGateway(fleet, agent.expose.gateway)?.gateway : undefined;
}

/** Identity fields a method sets when it accepts a request. */
export function identityFieldsSet(method: AuthMethod): IdentityField[] {
  switch (method.type) {
    case 'oidc':
      return IDENTITY_FIELDS.filter((f) => f === 'userId' || method.claims[f] !== undefined);
    case 'apiKey':
      return method.hashed ? ['userId', 'tenantId', 'roles'] : ['userId'];
    case 'bearer':
      return ['userId'];
    case 'edgeTrust':
      return IDENTITY_FIELDS.filter((f) => method.headers[f] !== undefined);
    case 'mtls':
      return method.identity === 'none' ? [] : ['userId'];
  }
}

/** The header names a method writes the identity into: the gateway's, overridden per method. */
export function effectiveIdentityHeaders(gateway: IdentityHeaders, method: AuthMethod): Record<IdentityField, string> {
  const o = method.identityHeaders ?? {};
  return {
    userId: o.userId ?? gateway.userId,
    tenantId: o.tenantId ?? gateway.tenantId,
    roles: o.roles ?? gateway.roles,
    email: o.email ?? gateway.email,
  };
}

/** The headers a method writes when it accepts a request: its identity fields and, for OIDC, the mapped extra claims. */
export function headersSetBy(identity: IdentityHeaders, method: AuthMethod): Set<string> {
  const headers = effectiveIdentityHeaders(identity, method);
  return new Set([
    ...identityFieldsSet(method).map((f) => headers[f]),
    ...(method.type === 'oidc' ? Object.keys(method.claims.extra).map((k) => `${identity.claimPrefix}${k}`) : []),
  ]);
}

/** The default identity headers when an agent is not exposed on any gateway. */
export const DEFAULT_IDENTITY_HEADERS: IdentityHeaders = IdentityHeadersSchema.parse({});

/** Claims that are arrays in the tokens of every major IdP; Envoy's jwt filter cannot map them. */
export const WELL_KNOWN_ARRAY_CLAIMS: readonly string[] = ['roles', 'groups', 'amr', 'aud', 'scp', 'permissions', 'entitlements', 'wids'];

/** Every claim an OIDC method maps to a header, with the header field it feeds. */
export function mappedClaims(method: Extract<AuthMethod, { type: 'oidc' }>, identity: IdentityHeaders): { claim: string; header: string; field: string }[] {
  const headers = effectiveIdentityHeaders(identity, method);
  const out: { claim: string; header: string; field: string }[] = [];
  for (const f of IDENTITY_FIELDS) {
    const claim = method.claims[f];
    if (claim !== undefined) out.push({ claim, header: headers[f], field: `claims.${f}` });
  }
  for (const [key, claim] of Object.entries(method.claims.extra).sort(([a], [b]) => a.localeCompare(b))) {
    out.push({ claim, header: `${identity.claimPrefix}${key}`, field: `claims.extra.${key}` });
  }
  return out;
}

export function findProvider(fleet: Fleet, name: string): Provider | undefined {
  return fleet.providers.find((p) => p.name === name);
}

/**
 * The egress gateway an agent's provider grant goes through: the one it names (namespace/name or a
 * unique name), else the only egress gateway that allows that provider. Undefined when none or ambiguous.
 */
export function resolveEgressGateway(fleet: Fleet, grant: ProviderGrant): { gateway: EgressGateway; index: number } | undefined {
  const all = fleet.egressGateways.map((gateway, index) => ({ gateway, index }));
  const matches = grant.egressGateway
    ? all.filter(({ gateway }) => (grant.egressGateway!.includes('/') ? gatewayKey(gateway) === grant.egressGateway : gateway.name === grant.egressGateway))
    : all.filter(({ gateway }) => gateway.providers.includes(grant.provider));
  return matches.length === 1 ? matches[0] : undefined;
}

/** A header one of an agent's auth methods reads a caller's credential from, and where it is declared. */
export interface CredentialSource {
  readonly header: string;
  /** Field path inside the agent, e.g. `auth[1].header`. */
  readonly field: string;
  /** What it is, for a message: `the API key header of auth[1]`. */
  readonly what: string;
}

/** The headers an agent's own auth methods read credentials from: API key headers, edge proof headers. */
export function credentialSources(agent: Agent): CredentialSource[] {
  return agent.auth.flatMap((m, i): CredentialSource[] => {
    if (m.type === 'apiKey') return [{ header: m.header, field: `auth[${i}].header`, what: `the API key header of auth[${i}]` }];
    if (m.type === 'edgeTrust' && m.proofSecretName) return [{ header: m.proofHeader, field: `auth[${i}].proofHeader`, what: `the proof header of auth[${i}]` }];
    return [];
  });
}

/** The headers an agent's callers put credentials in: the usual ones, those its auth methods read, and the one Authorization is moved to. */
export function callerCredentialHeaders(agent: Agent): Set<string> {
  const headers = new Set([...CREDENTIAL_HEADERS, ...credentialSources(agent).map((s) => s.header)]);
  if (agent.authorizationHeader.mode === 'move') headers.add(agent.authorizationHeader.header);
  return headers;
}
