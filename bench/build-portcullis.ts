/** The benchmark fleet written with portcullis's L2 constructs. */
import { Duration, type App } from 'cdk8s';
import { Agent, Auth, AuthorizationHeader, Fleet, IngressGateway, Listener } from '../src/index.js';
import { FLEET_NAME, FRONT_PROXY_TIMEOUT_SECONDS, IDPS, type AgentSpec, type FleetShape, type Idp } from './fleet-shape.js';

function oidc(idp: Idp): Auth {
  return Auth.oidc({
    issuer: idp.issuer,
    audiences: idp.audiences,
    ...(idp.tenantIdClaim && { tenantIdClaim: idp.tenantIdClaim }),
    ...(idp.emailClaim && { emailClaim: idp.emailClaim }),
    extraClaims: idp.extraClaims,
  });
}

function portcullisAuth(a: AgentSpec): { auth: Auth[]; authorizationHeader?: AuthorizationHeader } {
  const idp = IDPS[a.idp]!;
  switch (a.auth) {
    case 'oidc':
      return { auth: [oidc(idp)] };
    case 'apiKey':
      return { auth: [Auth.apiKeys({ secretName: `${a.name}-api-keys` })] };
    case 'chain':
      return { auth: [oidc(idp), Auth.apiKeys({ secretName: `${a.name}-api-keys` })], authorizationHeader: AuthorizationHeader.moveTo('x-original-token') };
    case 'edgeTrust':
      return {
        auth: [Auth.edgeTrust({ headers: { userId: 'x-edge-user', tenantId: 'x-edge-org' }, trustedCidrs: ['10.40.0.0/16'], proofSecretName: 'partner-edge-proof' })],
        authorizationHeader: AuthorizationHeader.passthrough(),
      };
  }
}

export function buildPortcullis(app: App, shape: FleetShape): Fleet {
  const fleet = new Fleet(app, FLEET_NAME);
  const gateways = shape.gateways.map(
    (g) =>
      new IngressGateway(fleet, g.name, {
        namespace: g.namespace,
        listeners: [Listener.https({ hostname: `*.${g.domain}`, certificateSecret: g.certificateSecret })],
        frontProxyTimeout: Duration.seconds(FRONT_PROXY_TIMEOUT_SECONDS),
      }),
  );
  for (const a of shape.agents) {
    const agent = new Agent(fleet, a.name, {
      namespace: a.namespace,
      image: a.image,
      replicas: a.replicas,
      timeout: Duration.seconds(a.timeoutSeconds),
      env: a.env,
      ...(a.resources && { resources: a.resources }),
      ...portcullisAuth(a),
    });
    agent.exposeVia(gateways[a.gateway]!, { hostnames: [a.hostname] });
  }
  return fleet;
}
