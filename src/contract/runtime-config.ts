import { z } from 'zod';

/**
 * The portcullis runtime contract: what the compiler knows at synth time, handed to the ext_proc runtime
 * as one JSON document (a ConfigMap in a cluster, a file in tests). Independent of Kubernetes and cdk8s:
 * the runtime imports this module and nothing else of portcullis.
 *
 * Secrets are referenced, never embedded: the runtime reads `${secretsRoot}/${namespace}/${name}/${key}`,
 * the layout of a Kubernetes Secret volume mounted at `${secretsRoot}/${namespace}/${name}`.
 */
export const RUNTIME_API_VERSION = 'portcullis.dev/runtime/v1';
export const DEFAULT_SECRETS_ROOT = '/var/run/portcullis/secrets';

/** Envoy Gateway's route names: `httproute/<namespace>/<name>/rule/<i>/match/<j>/<hostname>`. */
const ROUTE_NAME = /^httproute\/([^/]+)\/([^/]+)\/rule\/(\d+)(?:\/|$)/;

/**
 * The keys under which the runtime may find the route of a request, most specific first: a rule of an
 * HTTPRoute (`ns/name/rule/0`), then the HTTPRoute (`ns/name`). Empty for a name Envoy Gateway did not make.
 */
export function routeKeysOf(xdsRouteName: string): string[] {
  const m = ROUTE_NAME.exec(xdsRouteName);
  if (!m) return [];
  const route = `${m[1]}/${m[2]}`;
  return [`${route}/rule/${m[3]}`, route];
}

const dns1123 = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123Subdomain = '[a-z0-9]([-.a-z0-9]*[a-z0-9])?';
export const RouteKey = z
  .string()
  .regex(new RegExp(`^${dns1123}/${dns1123Subdomain}(/rule/\\d+)?$`), 'must be namespace/name or namespace/name/rule/<index> of an HTTPRoute')
  .describe('An HTTPRoute as namespace/name, or one of its rules as namespace/name/rule/<index>.');

/** A header name as Envoy hands it to ext_proc: lowercase, an HTTP token, not a pseudo-header. */
export const HeaderName = z
  .string()
  .regex(/^[a-z0-9!#$%&'*+.^_`|~-]+$/, 'must be a lowercase HTTP header name');

/** Headers that must never be set by the runtime: Envoy ignores or refuses changes to them. */
export const PROTECTED_HEADERS: readonly string[] = ['host', 'content-length', 'transfer-encoding', 'connection', 'te', 'upgrade'];
const SettableHeaderName = HeaderName.refine((h) => !PROTECTED_HEADERS.includes(h) && !h.startsWith('x-envoy-'), {
  message: `must not be host, a hop-by-hop header or x-envoy-* (Envoy ignores changes to them)`,
});

export const SecretRef = z
  .object({
    namespace: z.string().regex(new RegExp(`^${dns1123}$`)),
    name: z.string().regex(new RegExp(`^${dns1123Subdomain}$`)),
  })
  .strict()
  .describe('A Kubernetes Secret, mounted at ${secretsRoot}/<namespace>/<name>/ (one file per key).');
export type SecretRef = z.infer<typeof SecretRef>;

export const SecretKeyRef = z
  .object({
    secret: SecretRef,
    key: z.string().regex(/^[-._a-zA-Z0-9]+$/, 'must be a Secret data key'),
  })
  .strict()
  .describe('One key of a Secret: the file ${secretsRoot}/<namespace>/<name>/<key>.');
export type SecretKeyRef = z.infer<typeof SecretKeyRef>;

export const IdentityHeaders = z
  .object({
    userId: SettableHeaderName.default('x-user-id'),
    tenantId: SettableHeaderName.default('x-tenant-id'),
    roles: SettableHeaderName.default('x-user-roles'),
    email: SettableHeaderName.default('x-user-email'),
    claimPrefix: HeaderName.default('x-claim-').describe('Prefix of extra claim headers; every inbound header with it is removed.'),
  })
  .strict();
export type IdentityHeaders = z.infer<typeof IdentityHeaders>;

const IdentityHeadersOverride = z
  .object({
    userId: SettableHeaderName.optional(),
    tenantId: SettableHeaderName.optional(),
    roles: SettableHeaderName.optional(),
    email: SettableHeaderName.optional(),
  })
  .strict()
  .optional()
  .describe("Header names that replace the agent's identity headers for this method only.");

export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export const JwtAlgorithm = z.enum(ASYMMETRIC_ALGORITHMS).describe('Asymmetric JWS algorithms only: none and HMAC are never accepted.');

const httpsOrLoopbackUrl = z
  .string()
  .url()
  .refine((u) => u.startsWith('https://') || /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/.test(u), {
    message: 'must be an https URL (plain http only on loopback, for tests)',
  });

export const OidcMethod = z
  .object({
    type: z.literal('oidc'),
    issuer: httpsOrLoopbackUrl.describe('Exact `iss` of accepted tokens.'),
    audiences: z.array(z.string().min(1)).default([]).describe('Accepted `aud` values; empty accepts any (the compiler warns).'),
    jwksUri: httpsOrLoopbackUrl.optional().describe('JWKS endpoint. Default: jwks_uri of ${issuer}/.well-known/openid-configuration.'),
    algorithms: z.array(JwtAlgorithm).min(1).default([...ASYMMETRIC_ALGORITHMS]),
    clockSkewSeconds: z.number().int().min(0).max(300).default(60),
    claims: z
      .object({
        userId: z.string().min(1).default('sub'),
        tenantId: z.string().min(1).optional(),
        roles: z.string().min(1).optional(),
        email: z.string().min(1).optional(),
        extra: z.record(z.string().regex(/^[a-z0-9-]+$/), z.string().min(1)).default({}).describe('<claimPrefix><name> header -> claim.'),
      })
      .strict()
      .default({ userId: 'sub', extra: {} })
      .describe('Claim names (a dotted path reaches into objects, e.g. realm_access.roles).'),
    arrayClaims: z.array(z.string()).default([]).describe('Claims known to be arrays; any array claim is comma-joined.'),
    identityHeaders: IdentityHeadersOverride,
  })
  .strict();

export const ApiKeyMethod = z
  .object({
    type: z.literal('apiKey'),
    header: HeaderName.default('x-api-key').describe('Header carrying the key; for authorization, a "Bearer " scheme is stripped.'),
    hashed: z
      .boolean()
      .default(false)
      .describe(
        'false: each Secret file <clientId> holds the key. true: each file <clientId> holds JSON ' +
          '{sha256 (hex of the key), roles?, scopes?, tenant?, expiresAt? (RFC 3339)}.',
      ),
    secret: SecretRef,
    identityHeaders: IdentityHeadersOverride,
  })
  .strict();

export const BearerMethod = z
  .object({
    type: z.literal('bearer'),
    secret: SecretRef.describe('Every file of the Secret is a currently valid token (several at once during rotation).'),
    clientId: z.string().min(1).describe('Caller id set in the user id header.'),
    identityHeaders: IdentityHeadersOverride,
  })
  .strict();

const Cidr = z.string().refine((c) => parseCidr(c) !== undefined, { message: 'must be a CIDR such as 10.0.0.0/8 or fd00::/8' });

export const EdgeTrustMethod = z
  .object({
    type: z.literal('edgeTrust'),
    headers: z
      .object({
        userId: HeaderName,
        tenantId: HeaderName.optional(),
        roles: HeaderName.optional(),
        email: HeaderName.optional(),
      })
      .strict()
      .describe('Headers the edge sets after verifying the caller.'),
    trustedCidrs: z.array(Cidr).default([]).describe('Source addresses of the edge (Envoy attribute source.address).'),
    proofHeader: HeaderName.default('x-edge-proof'),
    proofSecret: SecretRef.optional().describe('Every file of the Secret is an accepted proof value.'),
    identityHeaders: IdentityHeadersOverride,
  })
  .strict()
  .refine((m) => m.trustedCidrs.length > 0 || m.proofSecret !== undefined, {
    message: 'edge-trust needs trustedCidrs or proofSecret: otherwise any caller could claim any identity',
    path: ['trustedCidrs'],
  });

export const MtlsMethod = z
  .object({
    type: z.literal('mtls'),
    identity: z
      .enum(['uriSan', 'dnsSan', 'subject', 'none'])
      .default('uriSan')
      .describe('Part of the verified client certificate (from x-forwarded-client-cert) that becomes the user id.'),
    identityHeaders: IdentityHeadersOverride,
  })
  .strict();

export const AuthMethod = z.discriminatedUnion('type', [OidcMethod, ApiKeyMethod, BearerMethod, EdgeTrustMethod, MtlsMethod]);
export type AuthMethod = z.infer<typeof AuthMethod>;
export type OidcMethod = z.infer<typeof OidcMethod>;
export type ApiKeyMethod = z.infer<typeof ApiKeyMethod>;
export type BearerMethod = z.infer<typeof BearerMethod>;
export type EdgeTrustMethod = z.infer<typeof EdgeTrustMethod>;
export type MtlsMethod = z.infer<typeof MtlsMethod>;

export const AuthorizationMode = z
  .union([
    z.object({ mode: z.literal('strip') }).strict(),
    z.object({ mode: z.literal('passthrough') }).strict(),
    z.object({ mode: z.literal('move'), header: SettableHeaderName }).strict(),
  ])
  .default({ mode: 'strip' });

export const AgentConfig = z
  .object({
    identityHeaders: IdentityHeaders.prefault({}),
    removeHeaders: z.array(HeaderName).default([]).describe('Spoofable headers removed from every request before verified ones are set.'),
    authorization: AuthorizationMode.describe("What happens to the caller's Authorization header once accepted."),
    chain: z.array(AuthMethod).min(1).describe('Ordered; the first method to accept wins.'),
    require: z
      .object({
        roles: z.array(z.string().min(1)).min(1).optional().describe('The caller must hold at least one of these roles.'),
        scopes: z.array(z.string().min(1)).min(1).optional().describe('The caller must hold every one of these scopes.'),
      })
      .strict()
      .optional()
      .describe('Authorization after authentication: unmet gives 403.'),
  })
  .strict();
export type AgentConfig = z.infer<typeof AgentConfig>;

/** Credential headers a provider must never see from an agent; the runtime removes them on egress. */
export const FOREIGN_CREDENTIAL_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'cookie',
  'x-amz-security-token',
  'x-amz-date',
  'x-amz-content-sha256',
  'x-aigw-api-key',
  'x-aigw-anthropic-api-key',
  'x-aigw-azure-api-key',
];

export const Inject = z.union([
  z
    .object({
      header: SettableHeaderName,
      format: z.string().includes('{key}').default('{key}').describe('Header value; {key} is replaced by the key, e.g. "Bearer {key}".'),
    })
    .strict(),
  z.object({ queryParam: z.string().regex(/^[-._~a-zA-Z0-9]+$/) }).strict(),
  z
    .object({
      sigv4: z
        .object({
          region: z.string().regex(/^[a-z0-9-]+$/),
          service: z.string().regex(/^[a-z0-9-]+$/).describe('Signing name, e.g. bedrock.'),
          host: z.string().min(1).describe('Host the request reaches upstream, e.g. bedrock-runtime.us-east-1.amazonaws.com: it is signed.'),
          stripPrefix: z
            .string()
            .regex(/^\/[^?#]*[^/?#]$/)
            .optional()
            .describe('Path prefix the route rewrites away after ext_proc (e.g. /bedrock): the path is signed as it leaves.'),
        })
        .strict(),
    })
    .strict()
    .describe('AWS SigV4 over the buffered body. The key file is an AWS credentials file ([default] aws_access_key_id, aws_secret_access_key, aws_session_token?).'),
  z
    .object({
      dynamicMetadata: z
        .object({
          namespace: z.string().regex(/^[a-z0-9.]+$/).refine((n) => !n.startsWith('envoy.filters.http'), 'must not be an Envoy filter namespace'),
          key: z.string().min(1),
        })
        .strict(),
    })
    .strict()
    .describe('Hand the key to the next filter as dynamic metadata (Envoy AI Gateway credentialOverride.fromDynamicMetadata), not as a header.'),
]);
export type Inject = z.infer<typeof Inject>;

export const EgressRoute = z
  .object({
    provider: z.enum(['openai', 'anthropic', 'google', 'azure-openai', 'vertex-ai', 'bedrock', 'custom']),
    inject: Inject,
    key: SecretKeyRef.optional().describe('The key used when no per-tenant key applies.'),
    perTenant: z
      .object({
        tenantHeader: HeaderName.default('x-tenant-id'),
        keys: z.record(z.string().min(1), SecretKeyRef),
        unknown: z.enum(['fallback', 'deny']).default('deny').describe('A tenant without its own key: use `key`, or answer 403.'),
      })
      .strict()
      .optional(),
    removeHeaders: z
      .array(HeaderName)
      .default([...FOREIGN_CREDENTIAL_HEADERS])
      .describe('Foreign credential headers removed before the provider credential is set.'),
  })
  .strict()
  .refine((r) => r.key !== undefined || (r.perTenant !== undefined && r.perTenant.unknown === 'deny'), {
    message: 'needs a key, unless every tenant has its own (perTenant.unknown: deny)',
    path: ['key'],
  });
export type EgressRoute = z.infer<typeof EgressRoute>;

export const RuntimeConfig = z
  .object({
    apiVersion: z.literal(RUNTIME_API_VERSION),
    secretsRoot: z.string().min(1).default(DEFAULT_SECRETS_ROOT),
    reloadCheckSeconds: z.number().int().min(1).max(3600).default(10).describe('Period of the config and secret change check (besides fs.watch).'),
    jwks: z
      .object({
        refreshSeconds: z.number().int().min(1).default(300).describe('Keys older than this are refreshed in the background.'),
        staleSeconds: z.number().int().min(0).default(3600).describe('How long keys stay usable while the JWKS endpoint fails.'),
        fetchTimeoutMs: z.number().int().min(1).default(3000),
        waitMs: z.number().int().min(1).default(250).describe('How long a request waits for keys it does not have yet.'),
        verifiedTokenCacheEntries: z
          .number()
          .int()
          .min(0)
          .default(10_000)
          .describe('Tokens whose signature was verified, kept per method (exp/nbf still checked on each use); 0 disables.'),
      })
      .strict()
      .default({ refreshSeconds: 300, staleSeconds: 3600, fetchTimeoutMs: 3000, waitMs: 250, verifiedTokenCacheEntries: 10_000 }),
    maxCredentialBytes: z.number().int().min(256).default(16_384).describe('Longer credential headers are refused unparsed.'),
    agents: z.record(RouteKey, AgentConfig).default({}).describe("Inbound routes: an agent's HTTPRoute -> its chain."),
    egress: z.record(RouteKey, EgressRoute).default({}).describe("Egress gateway routes -> the provider credential they carry."),
    passthroughRoutes: z.array(RouteKey).default([]).describe('Routes the runtime lets through unchanged; every other unknown route is refused.'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Map<string, string>();
    const claim = (key: string, where: string) => {
      const prior = seen.get(key);
      if (prior) ctx.addIssue({ code: 'custom', path: [where, key], message: `route ${key} is also listed in ${prior}` });
      else seen.set(key, where);
    };
    for (const k of Object.keys(c.agents)) claim(k, 'agents');
    for (const k of Object.keys(c.egress)) claim(k, 'egress');
    for (const k of c.passthroughRoutes) claim(k, 'passthroughRoutes');
  });
export type RuntimeConfig = z.infer<typeof RuntimeConfig>;
export type RuntimeConfigInput = z.input<typeof RuntimeConfig>;

export type ParseResult = { readonly ok: true; readonly config: RuntimeConfig } | { readonly ok: false; readonly errors: readonly string[] };

/** Parses a contract document; an unknown apiVersion is refused before anything else is looked at. */
export function parseRuntimeConfig(input: unknown): ParseResult {
  const version = typeof input === 'object' && input !== null ? (input as { apiVersion?: unknown }).apiVersion : undefined;
  if (version !== RUNTIME_API_VERSION) {
    return {
      ok: false,
      errors: [`apiVersion: unknown contract version ${JSON.stringify(version)}; this runtime understands ${RUNTIME_API_VERSION} only`],
    };
  }
  const parsed = RuntimeConfig.safeParse(input);
  if (parsed.success) return { ok: true, config: parsed.data };
  return { ok: false, errors: parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`) };
}

/** The JSON Schema of the contract (what the compiler writes, defaults optional). */
export function runtimeConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(RuntimeConfig, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

/** `10.0.0.0/8` -> its parts; undefined when it is not a CIDR. */
export function parseCidr(cidr: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const m = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(cidr);
  if (!m) return undefined;
  const address = m[1]!;
  const prefix = Number(m[2]);
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (v4) return v4.slice(1).every((o) => Number(o) <= 255) && prefix <= 32 ? { address, prefix, family: 'ipv4' } : undefined;
  if (address.includes(':') && /^[0-9a-fA-F:]+$/.test(address) && prefix <= 128 && (address.match(/::/g) ?? []).length <= 1)
    return { address, prefix, family: 'ipv6' };
  return undefined;
}
