import type { Provider } from './egress.js';

/** How a provider is reached and authenticated, as its official SDKs and API expect. */
export interface ProviderConvention {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** Where the key goes: a header (with a value prefix), a query parameter, or an AWS SigV4 signature. */
  readonly inject:
    | { readonly type: 'header'; readonly header: string; readonly prefix: string }
    | { readonly type: 'query'; readonly param: string }
    | { readonly type: 'sigv4'; readonly region: string; readonly service: string }
    | { readonly type: 'gcp-service-account' };
  /** Environment variables the official SDKs read their base URL from. */
  readonly baseUrlEnv: readonly string[];
  /** Path the SDK expects after the base URL it is given (e.g. OpenAI's base URL ends in /v1). */
  readonly sdkBasePath: string;
  /** Environment variables the official SDKs read the key from: the agent gets a placeholder there. */
  readonly apiKeyEnv: readonly string[];
  /** Plain environment variables the SDK needs besides (region, API version). */
  readonly extraEnv: Readonly<Record<string, string>>;
  /** Envoy AI Gateway: the AIServiceBackend schema and the BackendSecurityPolicy type. */
  readonly aiGateway: { readonly schema: string; readonly prefix?: string; readonly version?: string; readonly auth: string };
}

/** The value agents get instead of a key: obviously not one, and never accepted by a provider. */
export const PLACEHOLDER_KEY = 'portcullis-injected-by-proxy';

/** Every header a caller can put a credential in; all but the injected one are removed on provider routes. */
export const CREDENTIAL_HEADERS: readonly string[] = [
  'authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'cookie',
  'proxy-authorization',
  'x-amz-security-token',
  'x-aigw-api-key',
  'x-aigw-anthropic-api-key',
  'x-aigw-azure-api-key',
];

export function conventionOf(p: Provider): ProviderConvention {
  switch (p.kind) {
    case 'openai':
      return {
        host: 'api.openai.com',
        port: 443,
        tls: true,
        inject: { type: 'header', header: 'authorization', prefix: 'Bearer ' },
        baseUrlEnv: ['OPENAI_BASE_URL'],
        sdkBasePath: '/v1',
        apiKeyEnv: ['OPENAI_API_KEY'],
        extraEnv: {},
        aiGateway: { schema: 'OpenAI', prefix: '/v1', auth: 'APIKey' },
      };
    case 'anthropic':
      return {
        host: 'api.anthropic.com',
        port: 443,
        tls: true,
        inject: { type: 'header', header: 'x-api-key', prefix: '' },
        baseUrlEnv: ['ANTHROPIC_BASE_URL'],
        sdkBasePath: '',
        apiKeyEnv: ['ANTHROPIC_API_KEY'],
        extraEnv: {},
        aiGateway: { schema: 'Anthropic', auth: 'AnthropicAPIKey' },
      };
    case 'google':
      return {
        host: 'generativelanguage.googleapis.com',
        port: 443,
        tls: true,
        inject: p.via === 'query' ? { type: 'query', param: 'key' } : { type: 'header', header: 'x-goog-api-key', prefix: '' },
        baseUrlEnv: ['GOOGLE_GEMINI_BASE_URL'],
        sdkBasePath: '',
        apiKeyEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
        extraEnv: {},
        // the Gemini API's OpenAI-compatible endpoint takes the same key as a bearer token
        aiGateway: { schema: 'OpenAI', prefix: '/v1beta/openai', auth: 'APIKey' },
      };
    case 'azure-openai':
      return {
        host: `${p.resource}.openai.azure.com`,
        port: 443,
        tls: true,
        inject: { type: 'header', header: 'api-key', prefix: '' },
        baseUrlEnv: ['AZURE_OPENAI_ENDPOINT'],
        sdkBasePath: '',
        apiKeyEnv: ['AZURE_OPENAI_API_KEY'],
        extraEnv: { OPENAI_API_VERSION: p.apiVersion },
        aiGateway: { schema: 'AzureOpenAI', version: p.apiVersion, auth: 'AzureAPIKey' },
      };
    case 'vertex-ai':
      return {
        host: `${p.region}-aiplatform.googleapis.com`,
        port: 443,
        tls: true,
        // OAuth access tokens minted from the service account: only AI Gateway's GCPCredentials does that
        inject: { type: 'gcp-service-account' },
        baseUrlEnv: ['GOOGLE_VERTEX_BASE_URL'],
        sdkBasePath: '',
        apiKeyEnv: [],
        extraEnv: { GOOGLE_CLOUD_PROJECT: p.projectName, GOOGLE_CLOUD_LOCATION: p.region, GOOGLE_GENAI_USE_VERTEXAI: 'true' },
        aiGateway: { schema: 'GCPVertexAI', auth: 'GCPCredentials' },
      };
    case 'bedrock':
      return {
        host: `bedrock-runtime.${p.region}.amazonaws.com`,
        port: 443,
        tls: true,
        inject: { type: 'sigv4', region: p.region, service: 'bedrock' },
        baseUrlEnv: ['AWS_ENDPOINT_URL_BEDROCK_RUNTIME'],
        sdkBasePath: '',
        // the SDK signs with placeholders; the gateway signs again with the real credentials
        apiKeyEnv: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
        extraEnv: { AWS_REGION: p.region },
        aiGateway: { schema: 'AWSBedrock', auth: 'AWSCredentials' },
      };
    case 'custom':
      return {
        host: p.host,
        port: p.port,
        tls: p.tls,
        inject: p.queryParam ? { type: 'query', param: p.queryParam } : { type: 'header', header: (p.header ?? 'authorization').toLowerCase(), prefix: p.prefix },
        baseUrlEnv: p.baseUrlEnv ? [p.baseUrlEnv] : [],
        sdkBasePath: '',
        apiKeyEnv: p.apiKeyEnv ? [p.apiKeyEnv] : [],
        extraEnv: {},
        aiGateway: { schema: 'OpenAI', prefix: '/v1', auth: 'APIKey' },
      };
  }
}

/** Names of every environment variable that, in some SDK, holds a provider key. */
export const PROVIDER_KEY_ENV: readonly string[] = [
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'GEMINI_API_KEY',
  'GOOGLE_API_KEY',
  'AZURE_OPENAI_API_KEY',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'MISTRAL_API_KEY',
  'COHERE_API_KEY',
  'GROQ_API_KEY',
];
