/**
 * The benchmark fleet: a deterministic shape (no randomness) for N agents, as plain data. It is built two
 * ways, each in a module of its own so a worker process loads only what its mode needs:
 *
 *   - build-portcullis.ts: the L2 constructs (Fleet, IngressGateway, Agent, Auth, Listener), lowered by portcullis.
 *   - build-plain.ts: the same Kubernetes objects written by hand with plain cdk8s.
 *
 * Shape for N agents:
 *   - max(1, N/50) ingress gateways in agents-edge, one HTTPS listener each (*.gwG.agents.acme.example)
 *   - agents spread over max(1, N/10) namespaces (team-NNN), round-robin; gateway by contiguous block of agents
 *   - auth by index mod 10: 0-3 OIDC (native jwt), 4-6 API keys (native), 7-8 OIDC-or-API-key chain
 *     (runtime), 9 edge-trust (runtime); every agent exposed with its own hostname
 */

export const FLEET_NAME = 'bench';
const EDGE_NAMESPACE = 'agents-edge';
export const FRONT_PROXY_TIMEOUT_SECONDS = 300;
export const RUNTIME = { name: 'portcullis-runtime', namespace: 'portcullis-system', port: 9002 };

export type AuthKind = 'oidc' | 'apiKey' | 'chain' | 'edgeTrust';

export interface Idp {
  readonly issuer: string;
  readonly audiences: string[];
  readonly providerName: string;
  readonly jwksUri: string;
  readonly tenantIdClaim?: string;
  readonly emailClaim?: string;
  readonly extraClaims: Record<string, string>;
}

export const IDPS: readonly Idp[] = [
  {
    issuer: 'https://acme.okta.com/oauth2/default',
    audiences: ['api://acme-agents'],
    providerName: 'acme-okta-com-oauth2-default',
    jwksUri: 'https://acme.okta.com/oauth2/default/v1/keys',
    tenantIdClaim: 'tenant',
    emailClaim: 'email',
    extraClaims: {},
  },
  {
    issuer: 'https://acme.eu.auth0.com/',
    audiences: ['https://agents.acme.example'],
    providerName: 'acme-eu-auth0-com',
    jwksUri: 'https://acme.eu.auth0.com/.well-known/jwks.json',
    emailClaim: 'email',
    extraClaims: { org: 'org_id' },
  },
];

export interface GatewaySpec {
  readonly name: string;
  readonly namespace: string;
  readonly domain: string;
  readonly certificateSecret: string;
}

export interface AgentSpec {
  readonly name: string;
  readonly namespace: string;
  readonly gateway: number;
  readonly hostname: string;
  readonly image: string;
  readonly replicas: number;
  readonly timeoutSeconds: number;
  readonly env: Record<string, string>;
  readonly resources?: { cpu: { request: string; limit: string }; memory: { request: string; limit: string } };
  readonly auth: AuthKind;
  readonly idp: number;
}

export interface FleetShape {
  readonly gateways: GatewaySpec[];
  readonly agents: AgentSpec[];
}

const AUTH_BY_DIGIT: readonly AuthKind[] = ['oidc', 'oidc', 'oidc', 'oidc', 'apiKey', 'apiKey', 'apiKey', 'chain', 'chain', 'edgeTrust'];
const TIMEOUTS = [30, 60, 100, 240];

export function fleetShape(size: number): FleetShape {
  const gatewayCount = Math.max(1, Math.floor(size / 50));
  const namespaceCount = Math.max(1, Math.round(size / 10));
  const perGateway = Math.ceil(size / gatewayCount);
  const gateways = Array.from({ length: gatewayCount }, (_, g): GatewaySpec => ({
    name: `public-${g}`,
    namespace: EDGE_NAMESPACE,
    domain: `gw${g}.agents.acme.example`,
    certificateSecret: `gw${g}-agents-acme-example-tls`,
  }));
  const agents = Array.from({ length: size }, (_, i): AgentSpec => {
    const auth = AUTH_BY_DIGIT[i % 10]!;
    const name = `agent-${String(i).padStart(4, '0')}`;
    const namespace = `team-${String(i % namespaceCount).padStart(3, '0')}`;
    const gateway = Math.min(gatewayCount - 1, Math.floor(i / perGateway));
    return {
      name,
      namespace,
      gateway,
      hostname: `${name}.${gateways[gateway]!.domain}`,
      image: `ghcr.io/acme/${name}:1.${i % 7}.${i % 13}`,
      replicas: 1 + (i % 3),
      timeoutSeconds: TIMEOUTS[i % TIMEOUTS.length]!,
      env: { LOG_LEVEL: i % 2 === 0 ? 'info' : 'debug', KNOWLEDGE_BASE_URL: `http://kb.${namespace}.svc.cluster.local` },
      ...(i % 5 === 0 && { resources: { cpu: { request: '500m', limit: '2' }, memory: { request: '1Gi', limit: '2Gi' } } }),
      auth,
      idp: Math.floor(i / 10) % IDPS.length,
    };
  });
  return { gateways, agents };
}

/** Namespaces with agents whose auth runs in the portcullis runtime (chain, edge-trust), sorted. */
export function runtimeNamespaces(shape: FleetShape): string[] {
  return [...new Set(shape.agents.filter((a) => a.auth === 'chain' || a.auth === 'edgeTrust').map((a) => a.namespace))].sort();
}

/** Objects both builders emit: 6 per agent, 2 per gateway, 1 ReferenceGrant per runtime namespace. */
export function expectedObjectCount(shape: FleetShape): number {
  return shape.agents.length * 6 + shape.gateways.length * 2 + runtimeNamespaces(shape).length;
}
