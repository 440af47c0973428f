import { FOREIGN_CREDENTIAL_HEADERS, routeKeysOf, type RuntimeConfig, type SecretRef } from '../contract/index.js';
import { buildEgress, type EgressRuntime } from './egress.js';
import { buildAgent, type AgentRuntime } from './inbound.js';
import type { JwksRegistry, JwksSource } from './jwks.js';
import { XFCC } from './methods/mtls.js';
import { SecretReader } from './secrets.js';

export type RouteHandler =
  | { readonly kind: 'agent'; readonly key: string; readonly agent: AgentRuntime }
  | { readonly kind: 'egress'; readonly key: string; readonly egress: EgressRuntime }
  | { readonly kind: 'passthrough'; readonly key: string };

/**
 * Everything a request needs, built once per load (key tables, CIDR matchers, JWKS sources, signers)
 * and swapped in whole. A stream keeps the snapshot it started with, so a reload or a key rotation
 * never changes the rules under a request in flight.
 */
export interface Snapshot {
  readonly generation: number;
  readonly config: RuntimeConfig;
  readonly routes: ReadonlyMap<string, RouteHandler>;
  /** Secrets this snapshot read, to notice when they change. */
  readonly secretRefs: readonly SecretRef[];
  /** Header names whose values never reach a log. */
  readonly sensitiveHeaders: ReadonlySet<string>;
  /** Query parameters whose values never reach a log. */
  readonly sensitiveQueryParams: ReadonlySet<string>;
  readonly jwksSources: ReadonlySet<JwksSource>;
  /** xDS route names already looked up, with their handler (null: none). */
  readonly resolvedRoutes: Map<string, RouteHandler | null>;
}

/** How many xDS route names a snapshot remembers; Envoy's route table is far smaller. */
const RESOLVED_ROUTES = 4096;

/** Never logged: every credential header of the contract, plus cookies set and the client certificate. */
export const ALWAYS_SENSITIVE = [...FOREIGN_CREDENTIAL_HEADERS, 'set-cookie', XFCC];

/** The handler of an xDS route name (its rule's, else its route's); parsed once per name and snapshot. */
export function lookupRoute(snapshot: Snapshot, xdsRouteName: string | undefined): RouteHandler | undefined {
  if (!xdsRouteName) return undefined;
  const known = snapshot.resolvedRoutes.get(xdsRouteName);
  if (known !== undefined) return known ?? undefined;
  let handler: RouteHandler | undefined;
  for (const k of routeKeysOf(xdsRouteName)) {
    handler = snapshot.routes.get(k);
    if (handler) break;
  }
  if (snapshot.resolvedRoutes.size < RESOLVED_ROUTES) snapshot.resolvedRoutes.set(xdsRouteName, handler ?? null);
  return handler;
}

/** Builds a snapshot or throws an Error whose message says what is wrong and where. */
export function buildSnapshot(config: RuntimeConfig, jwks: JwksRegistry, generation: number): Snapshot {
  const secrets = new SecretReader(config.secretsRoot);
  const routes = new Map<string, RouteHandler>();
  const usedJwks = new Set<JwksSource>();
  const secretRefs = new Map<string, SecretRef>();
  const sensitive = new Set<string>(ALWAYS_SENSITIVE);
  const sensitiveQuery = new Set<string>();
  const addRef = (ref: SecretRef) => secretRefs.set(`${ref.namespace}/${ref.name}`, ref);

  for (const [key, agent] of Object.entries(config.agents)) {
    routes.set(key, { kind: 'agent', key, agent: buildAgent(key, agent, config, secrets, jwks, usedJwks) });
    for (const m of agent.chain) {
      if (m.type === 'apiKey') {
        addRef(m.secret);
        sensitive.add(m.header);
      } else if (m.type === 'bearer') addRef(m.secret);
      else if (m.type === 'edgeTrust') {
        if (m.proofSecret) addRef(m.proofSecret);
        sensitive.add(m.proofHeader);
      }
    }
    if (agent.authorization.mode === 'move') sensitive.add(agent.authorization.header);
  }
  for (const [key, route] of Object.entries(config.egress)) {
    routes.set(key, { kind: 'egress', key, egress: buildEgress(key, route, config, secrets) });
    if (route.key) addRef(route.key.secret);
    for (const ref of Object.values(route.perTenant?.keys ?? {})) addRef(ref.secret);
    for (const h of route.removeHeaders) sensitive.add(h);
    if ('header' in route.inject) sensitive.add(route.inject.header);
    if ('queryParam' in route.inject) sensitiveQuery.add(route.inject.queryParam);
  }
  for (const key of config.passthroughRoutes) routes.set(key, { kind: 'passthrough', key });
  return {
    generation,
    config,
    routes,
    secretRefs: [...secretRefs.values()],
    sensitiveHeaders: sensitive,
    sensitiveQueryParams: sensitiveQuery,
    jwksSources: usedJwks,
    resolvedRoutes: new Map(),
  };
}
