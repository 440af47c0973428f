/**
 * The example fleet: Acme's agents behind one public ingress gateway.
 *
 *   support/support-bot        OIDC from the corporate IdP (Okta)       -> native jwt SecurityPolicy
 *   support/ticket-triage      per-caller API keys                       -> native apiKeyAuth SecurityPolicy
 *   research/research-assistant OIDC or an API key (any-of chain)        -> portcullis runtime
 *   research/partner-summarizer edge-trust, Authorization passed through -> portcullis runtime
 *   research/batch-indexer     no inbound auth: not exposed (acknowledged)
 *
 * `npm run synth` writes it to out/; examples/fleet.yaml is the same fleet for the YAML front end.
 */
import { fileURLToPath } from 'node:url';
import type { App } from 'cdk8s';
import { Agent, Auth, AuthorizationHeader, Duration, Fleet, IngressGateway, Listener, PortcullisApp } from '../src/index.js';

export function buildFleet(app: App): Fleet {
  const fleet = new Fleet(app, 'acme');

  const edge = new IngressGateway(fleet, 'public', {
    namespace: 'agents-edge',
    listeners: [Listener.https({ hostname: '*.agents.acme.example', certificateSecret: 'agents-acme-example-tls' })],
    frontProxyTimeout: Duration.seconds(300), // the cloud load balancer in front
  });

  const okta = {
    issuer: 'https://acme.okta.com/oauth2/default',
    audiences: ['api://acme-agents'],
    tenantIdClaim: 'tenant',
    emailClaim: 'email',
  };

  const supportBot = new Agent(fleet, 'support-bot', {
    namespace: 'support',
    image: 'ghcr.io/acme/support-bot:1.8.2',
    env: { LOG_LEVEL: 'info', KNOWLEDGE_BASE_URL: 'http://kb.support.svc.cluster.local' },
    auth: [Auth.oidc(okta)],
  });
  supportBot.exposeVia(edge, { hostnames: ['support.agents.acme.example'] });

  const triage = new Agent(fleet, 'ticket-triage', {
    namespace: 'support',
    image: 'ghcr.io/acme/ticket-triage:0.12.0',
    replicas: 3,
    timeout: Duration.seconds(30),
    auth: [Auth.apiKeys({ secretName: 'ticket-triage-api-keys' })],
  });
  triage.exposeVia(edge, { hostnames: ['triage.agents.acme.example'] });

  const research = new Agent(fleet, 'research-assistant', {
    namespace: 'research',
    image: 'ghcr.io/acme/research-assistant:2.3.0',
    timeout: Duration.seconds(240),
    resources: { cpu: { request: '500m', limit: '2' }, memory: { request: '1Gi', limit: '2Gi' } },
    auth: [Auth.oidc(okta), Auth.apiKeys({ secretName: 'research-assistant-api-keys', hashed: true })],
    authorizationHeader: AuthorizationHeader.moveTo('x-original-token'),
  });
  research.exposeVia(edge, { hostnames: ['research.agents.acme.example'] });

  const partner = new Agent(fleet, 'partner-summarizer', {
    namespace: 'research',
    image: 'ghcr.io/acme/partner-summarizer:1.0.4',
    auth: [
      Auth.edgeTrust({
        headers: { userId: 'x-edge-user', tenantId: 'x-edge-org' },
        trustedCidrs: ['10.40.0.0/16'],
        proofSecretName: 'partner-edge-proof',
      }),
    ],
    authorizationHeader: AuthorizationHeader.passthrough(),
  });
  partner.exposeVia(edge, { hostnames: ['partners.agents.acme.example'] });

  new Agent(fleet, 'batch-indexer', {
    namespace: 'research',
    image: 'ghcr.io/acme/batch-indexer:3.1.0',
    replicas: 1,
  });
  fleet.acknowledge('PC012', 'batch-indexer is driven by a CronJob inside the cluster and takes no inbound traffic', `${fleet.node.path}/batch-indexer`);

  return fleet;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const app = new PortcullisApp({ outdir: process.env.CDK8S_OUTDIR ?? 'out' });
  buildFleet(app);
  try {
    app.synth();
  } catch {
    process.exitCode = 1; // the diagnostics are already printed, one per line
  }
}
