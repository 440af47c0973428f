import { z } from 'zod';
import { HeaderNameField } from './names.js';
import { Tiers } from './quota.js';

/** A cloud region: part of the provider's hostname (bedrock-runtime.<region>.amazonaws.com, <region>-aiplatform.googleapis.com). */
const Region = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a region name: lowercase letters, digits and "-", e.g. us-east-1');

/** A key of a Kubernetes Secret: referenced by name, never by value. */
export const SecretKeyRef = z
  .object({
    secretName: z.string(),
    key: z.string().describe('Key inside the Secret.'),
    namespace: z.string().optional().describe('Default: the egress gateway namespace.'),
    referenceGrant: z
      .boolean()
      .default(false)
      .describe('Emit the ReferenceGrant that lets the egress namespace read a Secret kept in another namespace.'),
  })
  .strict();
export type SecretKeyRef = z.infer<typeof SecretKeyRef>;

/** Bring-your-own-key: the provider key chosen by the caller's verified tenant. */
export const PerTenantKeys = z
  .object({
    tenantHeader: HeaderNameField.default('x-tenant-id')
      .describe('Header carrying the verified tenant id on the agent\'s outbound call (the ingress sets it; the agent forwards it).'),
    keys: z.record(z.string(), SecretKeyRef).describe('Verified tenant id -> the key to inject.'),
    unknown: z
      .enum(['fallback', 'deny'])
      .optional()
      .describe('Unknown tenants: fallback to the provider credential, or deny with 403. Must be decided explicitly.'),
  })
  .strict();
export type PerTenantKeys = z.infer<typeof PerTenantKeys>;

const common = {
  name: z.string().describe('Provider name, unique in the fleet; also its path prefix on the egress gateway.'),
  credential: SecretKeyRef.describe('Where the real key is.'),
  perTenant: PerTenantKeys.optional(),
  models: z.array(z.string()).default([]).describe('Models this provider serves, for checking agents\' model globs.'),
};

export const Provider = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('openai'), ...common }).strict(),
  z.object({ kind: z.literal('anthropic'), ...common }).strict(),
  z
    .object({
      kind: z.literal('google'),
      ...common,
      via: z.enum(['header', 'query']).default('header').describe('Gemini API key in x-goog-api-key, or in the key query parameter.'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('azure-openai'),
      ...common,
      resource: z.string().describe('Azure OpenAI resource: <resource>.openai.azure.com.'),
      deployment: z
        .string()
        .optional()
        .describe('Deployment that serves the requests. AI Gateway sends every request to it (modelNameOverride); without AI Gateway the SDK names it in the path.'),
      apiVersion: z.string().default('2024-10-21'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('vertex-ai'),
      ...common,
      projectName: z.string().describe('GCP project id.'),
      region: Region.describe('Vertex AI region, e.g. europe-west4.'),
    })
    .strict()
    .describe('credential: a Secret key holding a GCP service account key file (JSON). Needs an ai-gateway egress gateway.'),
  z
    .object({
      kind: z.literal('bedrock'),
      ...common,
      region: Region.describe('AWS region, e.g. us-east-1.'),
    })
    .strict()
    .describe('credential: a Secret key holding an AWS shared credentials file.'),
  z
    .object({
      kind: z.literal('custom'),
      ...common,
      host: z.string(),
      port: z.number().int().min(1).max(65535).default(443),
      tls: z.boolean().default(true),
      header: HeaderNameField.optional().describe('Header the key goes in.'),
      queryParam: z.string().optional().describe('Query parameter the key goes in (instead of a header).'),
      prefix: z.string().default('').describe('Text before the key in the header value, e.g. "Bearer ".'),
      baseUrlEnv: z.string().optional().describe('Environment variable the agent SDK reads its base URL from.'),
      apiKeyEnv: z.string().optional().describe('Environment variable the agent SDK reads its key from (gets a placeholder).'),
    })
    .strict(),
]);
export type Provider = z.infer<typeof Provider>;
export type ProviderKind = Provider['kind'];

/** Gateway API allows 64 listeners: an egress gateway's own and one per agent calling through it. */
export const MAX_AGENTS_PER_EGRESS_GATEWAY = 63;
/** How many ports above an egress gateway's own port its agents' listeners are spread over. */
export const EGRESS_CLIENT_PORT_SPAN = 1000;

export const EgressGateway = z
  .object({
    name: z.string(),
    namespace: z.string(),
    gatewayClassName: z.string().default('eg'),
    serviceName: z.string().optional().describe('Fixed name of the proxies\' Service, so base URLs are known at synth. Default: the gateway name.'),
    port: z
      .number()
      .int()
      .min(1024)
      .max(65535 - 1 - EGRESS_CLIENT_PORT_SPAN)
      .default(8080)
      .describe("The gateway's own in-cluster HTTP port. Each agent calls a listener of its own among the 1,000 ports above it, which only its pods may reach."),
    target: z
      .enum(['envoy-gateway', 'ai-gateway'])
      .default('envoy-gateway')
      .describe('Lower provider routes to Envoy Gateway alone, or to Envoy AI Gateway (AIGatewayRoute, AIServiceBackend, BackendSecurityPolicy).'),
    providers: z.array(z.string()).min(1).describe('Names of the providers this gateway may reach; nothing else.'),
    rateLimitService: z.boolean().default(false).describe("Envoy Gateway's global rate limit service (Redis) is configured: token budgets can be enforced."),
    egressCidrs: z
      .array(z.string())
      .optional()
      .describe('Where the proxies may connect. Default: public addresses only (private, link-local and metadata ranges excluded).'),
  })
  .strict();
export type EgressGateway = z.infer<typeof EgressGateway>;

/** A budget of LLM tokens per verified identity, counted by AI Gateway from the provider's answers. */
export const TokenBudget = z
  .object({
    key: z
      .enum(['user', 'tenant', 'agent'])
      .describe('Whose tokens are counted: the verified user or tenant, as the agent forwards it, or the agent as a whole.'),
    tokens: z.number().int().min(1).max(4_294_967_295),
    per: z.enum(['hour', 'day', 'month']),
    count: z.enum(['input', 'output', 'total']).default('total'),
    tiers: Tiers.optional().describe(
      'Different budgets per value of an identity the agent forwards (a plan claim, say); any other value or none gets `tokens`.',
    ),
  })
  .strict();
export type TokenBudget = z.infer<typeof TokenBudget>;

/** An agent's permission to call a provider through an egress gateway. */
export const ProviderGrant = z
  .object({
    provider: z.string(),
    egressGateway: z.string().optional().describe('namespace/name or name. Default: the only egress gateway that allows the provider.'),
    models: z.array(z.string()).default([]).describe('Model globs the agent may use, e.g. claude-sonnet-4*. Empty: any model the provider serves.'),
    tokenBudget: TokenBudget.optional().describe('Tokens per identity per period, on an ai-gateway egress gateway with the rate limit service.'),
    requestLimit: z
      .object({
        key: z.enum(['user', 'tenant', 'agent']).describe('Whose calls are counted: the verified user or tenant, as the agent forwards it, or the agent as a whole.'),
        requests: z.number().int().min(1).max(4_294_967_295),
        per: z.enum(['second', 'minute', 'hour', 'day']),
        tiers: Tiers.optional().describe('Different limits per value of an identity the agent forwards; any other value or none gets `requests`.'),
      })
      .strict()
      .optional()
      .describe('Calls to the provider per identity per period, on an egress gateway with the rate limit service.'),
  })
  .strict();
export type ProviderGrant = z.infer<typeof ProviderGrant>;
