/**
 * The example fleet: Acme's agents behind one public ingress gateway.
 *
 *   support/support-bot        OIDC from the corporate IdP (Okta)       -> native jwt SecurityPolicy
 *   support/ticket-triage      per-caller API keys                       -> native apiKeyAuth SecurityPolicy
 *   research/research-assistant OIDC or an API key (any-of chain)        -> portcullis runtime
 *   research/partner-summarizer edge-trust, Authorization passed through -> portcullis runtime
 *   research/batch-indexer     no inbound auth: not exposed (acknowledged)
 *
 * Egress: agents hold no provider key. They call providers through two egress gateways that inject the
 * keys: `llm` lowered to Envoy Gateway alone (OpenAI, Anthropic, Bedrock with SigV4 in the runtime), and
 * `llm-ai` lowered to Envoy AI Gateway (OpenAI with per-tenant keys, bring-your-own-key).
 *
 * `npm run synth` writes it to out/; examples/fleet.yaml is the same fleet for the YAML front end.
 */
import { fileURLToPath } from 'node:url';
import type { App } from 'cdk8s';
import { Agent, Auth, AuthorizationHeader, Duration, EgressGateway, Fleet, IngressGateway, Listener, PortcullisApp, Provider } from '../src/index.js';

export function buildFleet(app: App): Fleet {
  const fleet = new Fleet(app, 'acme');

  const edge = new IngressGateway(fleet, 'public', {
    namespace: 'agents-edge',
    listeners: [Listener.https({ hostname: '*.agents.acme.example', certificateSecret: 'agents-acme-example-tls' })],
    frontProxyTimeout: Duration.seconds(300), // the cloud load balancer in front
    rateLimitService: true, // EnvoyGateway.rateLimit with Redis is configured in this cluster
  });

  const openai = Provider.openai({ credential: { secretName: 'openai-api-key', key: 'credential' }, models: ['gpt-4.1', 'gpt-4.1-mini', 'o3'] });
  const anthropic = Provider.anthropic({
    credential: { secretName: 'anthropic-api-key', key: 'credential' },
    models: ['claude-sonnet-4-5', 'claude-haiku-4-5'],
  });
  const bedrock = Provider.bedrock({ region: 'eu-central-1', credential: { secretName: 'bedrock-aws-credentials', key: 'credentials' } });
  new EgressGateway(fleet, 'llm', { namespace: 'agents-egress', providers: [openai, anthropic, bedrock], rateLimitService: true });

  const tenantOpenai = Provider.openai({
    name: 'openai-byok',
    credential: { secretName: 'openai-byok-default', key: 'apiKey' },
    perTenant: {
      keys: {
        globex: { secretName: 'openai-byok-globex', key: 'apiKey' },
        initech: { secretName: 'openai-byok-initech', key: 'apiKey' },
      },
      unknown: 'deny',
    },
    models: ['gpt-4.1', 'gpt-4.1-mini'],
  });
  const llmAi = new EgressGateway(fleet, 'llm-ai', { namespace: 'agents-egress', target: 'ai-gateway', providers: [tenantOpenai], rateLimitService: true });

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
    inClusterEgress: [{ namespace: 'support', podLabels: { 'app.kubernetes.io/name': 'kb' }, port: 80 }],
    auth: [Auth.oidc({ ...okta, extraClaims: { plan: 'plan' } })],
    quotas: [
      // the plan claim picks the tier; callers on any other plan, or none, get 60
      { key: 'user', requests: 60, per: 'minute', tiers: { by: { header: 'x-claim-plan' }, limits: { pro: 300 } } },
      { key: 'tenant', requests: 600, per: 'minute' },
    ],
  });
  supportBot.allowProvider(anthropic);
  supportBot.exposeVia(edge, { hostnames: ['support.agents.acme.example'] });

  const triage = new Agent(fleet, 'ticket-triage', {
    namespace: 'support',
    image: 'ghcr.io/acme/ticket-triage:0.12.0',
    replicas: 3,
    timeout: Duration.seconds(30),
    auth: [Auth.apiKeys({ secretName: 'ticket-triage-api-keys' })],
  });
  triage.exposeVia(edge, { hostnames: ['triage.agents.acme.example'] });
  triage.allowProvider(bedrock);

  const research = new Agent(fleet, 'research-assistant', {
    namespace: 'research',
    image: 'ghcr.io/acme/research-assistant:2.3.0',
    timeout: Duration.seconds(240),
    resources: { cpu: { request: '500m', limit: '2' }, memory: { request: '1Gi', limit: '2Gi' } },
    auth: [Auth.oidc(okta), Auth.apiKeys({ secretName: 'research-assistant-api-keys', hashed: true })],
    authorizationHeader: AuthorizationHeader.moveTo('x-original-token'),
    // tokens and keys without a tenant share one small allowance instead of escaping the quota
    quotas: [{ key: 'tenant', requests: 1200, per: 'minute', unidentified: 120 }],
  });
  research.exposeVia(edge, { hostnames: ['research.agents.acme.example'] });
  research.allowProvider(openai, { requestLimit: { key: 'user', requests: 120, per: 'minute' } });
  research.allowProvider(anthropic);

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
  partner.allowProvider(tenantOpenai, {
    via: llmAi,
    models: ['gpt-4.1-mini'],
    // globex pays for a larger budget
    tokenBudget: { key: 'tenant', tokens: 2_000_000, per: 'month', tiers: { by: 'tenant', limits: { globex: 10_000_000 } } },
  });

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
