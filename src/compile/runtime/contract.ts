import { RUNTIME_API_VERSION, type RuntimeConfigInput } from '../../contract/index.js';
import { CREDENTIAL_HEADERS, effectiveIdentityHeaders, type AuthMethod, type IdentityHeaders, type RuntimeRef } from '../../model/index.js';
import { egressRouteName } from '../egress/envoy-gateway.js';
import { jwksUriFor } from '../jwks.js';
import { EGRESS_METADATA_NAMESPACE } from '../egress/routes.js';
import type { EgressGatewayPlan, ProviderRoutePlan } from '../egress/plan.js';
import type { AgentPlan, FleetPlan } from '../plan.js';

/** Where the runtime finds the Secrets it reads, and the path they are mounted at. */
export const SECRETS_ROOT = '/var/run/portcullis/secrets';

/**
 * The runtime runs in its own namespace and can mount only Secrets of that namespace: a Secret the
 * runtime reads for a method of namespace `ns` is named `<ns>.<name>` there, so names never collide.
 */
export function runtimeSecretName(namespace: string, name: string): string {
  return `${namespace}.${name}`;
}

type ContractMethod = NonNullable<RuntimeConfigInput['agents']>[string]['chain'][number];

function method(m: AuthMethod, agentNamespace: string, runtime: RuntimeRef, identity: IdentityHeaders): ContractMethod {
  const secret = (name: string) => ({ namespace: runtime.namespace, name: runtimeSecretName(agentNamespace, name) });
  const overrides = m.identityHeaders ? { identityHeaders: pick(effectiveIdentityHeaders(identity, m), Object.keys(m.identityHeaders)) } : {};
  switch (m.type) {
    case 'oidc': {
      // a known IdP's JWKS spares the runtime a discovery round trip; others are discovered
      const jwksUri = jwksUriFor(m);
      return {
        type: 'oidc',
        issuer: m.issuer,
        audiences: m.audiences,
        ...(jwksUri && { jwksUri }),
        ...(m.algorithms && { algorithms: m.algorithms }),
        clockSkewSeconds: m.clockSkewSeconds,
        claims: m.claims,
        arrayClaims: m.arrayClaims,
        ...overrides,
      };
    }
    case 'apiKey':
      return { type: 'apiKey', header: m.header.toLowerCase(), hashed: m.hashed, secret: secret(m.secretName), ...overrides };
    case 'bearer':
      return { type: 'bearer', secret: secret(m.secretName), clientId: m.clientId, ...overrides };
    case 'edgeTrust':
      return {
        type: 'edgeTrust',
        headers: Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, v.toLowerCase()])) as { userId: string },
        trustedCidrs: m.trustedCidrs,
        proofHeader: m.proofHeader.toLowerCase(),
        ...(m.proofSecretName && { proofSecret: secret(m.proofSecretName) }),
        ...overrides,
      };
    case 'mtls':
      return { type: 'mtls', identity: m.identity, ...overrides };
  }
}

function pick<T extends Record<string, string>>(o: T, keys: string[]): Partial<T> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Partial<T>;
}

function agentEntry(plan: AgentPlan, removeHeaders: readonly string[], runtime: RuntimeRef) {
  const a = plan.agent;
  const i = plan.identity;
  return {
    identityHeaders: { userId: i.userId, tenantId: i.tenantId, roles: i.roles, email: i.email, claimPrefix: i.claimPrefix },
    removeHeaders: [...removeHeaders],
    authorization: a.authorizationHeader.mode === 'move' ? { mode: 'move' as const, header: a.authorizationHeader.header.toLowerCase() } : { mode: a.authorizationHeader.mode },
    chain: a.auth.map((m) => method(m, a.namespace, runtime, i)),
  };
}

function egressEntry(plan: EgressGatewayPlan, route: ProviderRoutePlan, runtime: RuntimeRef) {
  const p = route.provider;
  const ref = (r: { secretName: string; key: string; namespace?: string | undefined }) => ({
    secret: { namespace: runtime.namespace, name: runtimeSecretName(r.namespace ?? plan.gateway.namespace, r.secretName) },
    key: r.key,
  });
  // on AI Gateway the runtime only picks the tenant's key and hands it over; AI Gateway injects it
  const inject = plan.gateway.target === 'ai-gateway' ? { dynamicMetadata: { namespace: EGRESS_METADATA_NAMESPACE, key: 'credential' } } : envoyGatewayInject(route);
  const needsDefault = !p.perTenant || p.perTenant.unknown === 'fallback';
  return {
    provider: p.kind,
    inject,
    ...(needsDefault && { key: ref(p.credential) }),
    ...(p.perTenant && {
      perTenant: {
        tenantHeader: p.perTenant.tenantHeader.toLowerCase(),
        keys: Object.fromEntries(Object.entries(p.perTenant.keys).map(([t, r]) => [t, ref(r)])),
        unknown: p.perTenant.unknown ?? 'deny',
      },
    }),
    // the runtime removes before it writes, so it clears every credential header the agent may have sent
    removeHeaders: [...CREDENTIAL_HEADERS],
  };
}

/** How the runtime injects a key on an Envoy Gateway egress route (where the route rewrites /<name> away). */
function envoyGatewayInject(route: ProviderRoutePlan) {
  const c = route.convention;
  switch (c.inject.type) {
    case 'header':
      return { header: c.inject.header, format: `${c.inject.prefix}{key}` };
    case 'query':
      return { queryParam: c.inject.param };
    case 'sigv4':
      return { sigv4: { region: c.inject.region, service: c.inject.service, host: c.host, stripPrefix: `/${route.provider.name}` } };
    case 'gcp-service-account':
      throw new Error(`internal: provider ${route.provider.name} needs an ai-gateway egress gateway (PC029)`);
  }
}

/**
 * The contract key of an egress route: its HTTPRoute on Envoy Gateway alone; on AI Gateway, the rule of the
 * HTTPRoute AI Gateway generates from the AIGatewayRoute (one rule per provider, in the same order).
 * AI Gateway's controller names that HTTPRoute like the AIGatewayRoute and copies rule i to rule i, only
 * appending a `route-not-found` rule at the end (ai-gateway internal/controller/ai_gateway_route.go
 * `newHTTPRoute`, and its `Test_newHTTPRoute`); Envoy Gateway names xDS routes by that index
 * (`httproute/<ns>/<name>/rule/<i>/match/<j>/...`), and AI Gateway's own extension server relies on it too.
 */
function egressRouteKey(plan: EgressGatewayPlan, route: ProviderRoutePlan, index: number): string {
  const ns = plan.gateway.namespace;
  return plan.gateway.target === 'ai-gateway' ? `${ns}/${plan.gateway.name}/rule/${index}` : `${ns}/${egressRouteName(plan, route)}`;
}

/**
 * The runtime contract for the whole fleet: every agent whose inbound auth the runtime serves, keyed by
 * its HTTPRoute, and every Envoy Gateway egress route whose credential the runtime injects. Secrets are
 * referenced by where they are mounted, never embedded.
 */
export function runtimeContract(plan: FleetPlan): RuntimeConfigInput {
  const runtime = plan.fleet.runtime;
  const removeFor = (a: AgentPlan) => plan.gateways.find((g) => g.gateway === a.gateway)?.earlyRemovedHeaders ?? [];
  const agents = Object.fromEntries(plan.runtime.agents.map((a) => [`${a.agent.namespace}/${a.agent.name}`, agentEntry(a, removeFor(a), runtime)]));
  const egress = Object.fromEntries(
    plan.egressGateways.flatMap((e) =>
      e.routes.flatMap((r, i) => (r.mechanism === 'runtime' ? [[egressRouteKey(e, r, i), egressEntry(e, r, runtime)] as const] : [])),
    ),
  );
  // an AI Gateway route carries every provider of its gateway: the rules the runtime has nothing to do for pass
  const passthroughRoutes = plan.egressGateways
    .filter((e) => e.gateway.target === 'ai-gateway' && e.routes.some((r) => r.mechanism === 'runtime'))
    .map((e) => `${e.gateway.namespace}/${e.gateway.name}`);
  return { apiVersion: RUNTIME_API_VERSION, secretsRoot: SECRETS_ROOT, agents, egress, ...(passthroughRoutes.length > 0 && { passthroughRoutes }) };
}

/** Every Secret the runtime mounts, as the contract references them. */
export function runtimeSecrets(contract: RuntimeConfigInput): { namespace: string; name: string }[] {
  const refs = new Map<string, { namespace: string; name: string }>();
  const add = (s: { namespace: string; name: string } | undefined) => s && refs.set(`${s.namespace}/${s.name}`, s);
  for (const a of Object.values(contract.agents ?? {}))
    for (const m of a.chain) {
      if (m.type === 'apiKey' || m.type === 'bearer') add(m.secret);
      if (m.type === 'edgeTrust') add(m.proofSecret);
    }
  for (const e of Object.values(contract.egress ?? {})) {
    add(e.key?.secret);
    for (const k of Object.values(e.perTenant?.keys ?? {})) add(k.secret);
  }
  return [...refs.values()].sort((a, b) => a.name.localeCompare(b.name));
}
