import { z } from 'zod';
import { HeaderNameField } from './names.js';
import { IdentityHeadersOverride } from './identity.js';

/** JWS algorithms the OIDC/JWT validator may accept. `none` and HMAC are never accepted for public-key issuers. */
export const JwtAlgorithm = z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']);
export type JwtAlgorithm = z.infer<typeof JwtAlgorithm>;
export const ALL_ASYMMETRIC_ALGORITHMS: readonly JwtAlgorithm[] = JwtAlgorithm.options;

/** A claim of the token, by name (a dotted path reaches into objects, e.g. realm_access.roles). */
const ClaimName = z.string().min(1, 'must name a claim, e.g. sub');

const identityHeaders = IdentityHeadersOverride.optional().describe(
  'Override of the gateway identity header names for this method only. Every method of one agent must resolve to the same names.',
);

export const OidcAuth = z
  .object({
    type: z.literal('oidc'),
    name: z.string().optional().describe('Provider name in emitted policies. Default: derived from the issuer host.'),
    issuer: z.string().describe('Exact `iss` value of the tokens, e.g. https://acme.okta.com/oauth2/default.'),
    audiences: z.array(z.string().min(1, 'an audience is never empty')).default([]).describe('Accepted `aud` values. Required on any shared issuer.'),
    jwksUri: z
      .string()
      .optional()
      .describe('JWKS endpoint. Default: derived for known IdPs, otherwise discovered at run time by the portcullis runtime.'),
    algorithms: z
      .array(JwtAlgorithm)
      .min(1)
      .optional()
      .describe('Allowed signing algorithms. Default: every asymmetric algorithm (what Envoy jwt_authn enforces).'),
    clockSkewSeconds: z.number().int().min(0).max(300).default(60).describe('Leeway for exp/nbf. Envoy enforces 60.'),
    claims: z
      .object({
        userId: ClaimName.default('sub'),
        tenantId: ClaimName.optional(),
        roles: ClaimName.optional(),
        email: ClaimName.optional(),
        extra: z
          .record(z.string(), ClaimName)
          .refine((extra) => new Set(Object.keys(extra).map((k) => k.toLowerCase())).size === Object.keys(extra).length, {
            message: 'two keys differ only in case: header names are case-insensitive, so both would be one header',
          })
          .overwrite((extra) => Object.fromEntries(Object.entries(extra).map(([k, v]) => [k.toLowerCase(), v])))
          .default({}).describe('x-claim-<key> header name -> claim.'),
      })
      .strict()
      .default({ userId: 'sub', extra: {} })
      .describe('Which claims become identity headers.'),
    arrayClaims: z
      .array(z.string())
      .default([])
      .describe('Claims that are arrays in this issuer\'s tokens; they are comma-joined by the runtime.'),
    identityHeaders,
  })
  .strict();

export const ApiKeyAuth = z
  .object({
    type: z.literal('apiKey'),
    secretName: z.string().describe('Secret in the agent namespace mapping client id -> key (or -> sha256 hash when hashed).'),
    header: HeaderNameField.default('x-api-key').describe('Header the key is read from.'),
    hashed: z
      .boolean()
      .default(false)
      .describe('Keys are stored as sha256 hashes with roles, scopes and expiry (served by the portcullis runtime).'),
    identityHeaders,
  })
  .strict();

export const BearerAuth = z
  .object({
    type: z.literal('bearer'),
    secretName: z.string().describe('Secret in the agent namespace whose values are the valid tokens (several for rotation).'),
    clientId: z.string().describe('Caller id set in the user id header when a shared token is accepted.'),
    identityHeaders,
  })
  .strict();

export const EdgeTrustAuth = z
  .object({
    type: z.literal('edgeTrust'),
    headers: z
      .object({
        userId: HeaderNameField,
        tenantId: HeaderNameField.optional(),
        roles: HeaderNameField.optional(),
        email: HeaderNameField.optional(),
      })
      .strict()
      .describe('Headers the upstream edge sets after it verified the caller, per identity field.'),
    trustedCidrs: z.array(z.string()).default([]).describe('Source addresses of the edge; requests from elsewhere are not trusted.'),
    proofSecretName: z
      .string()
      .optional()
      .describe('Secret holding a shared value the edge sends in the proof header, as a second factor.'),
    proofHeader: HeaderNameField.default('x-edge-proof'),
    identityHeaders,
  })
  .strict();

export const MtlsAuth = z
  .object({
    type: z.literal('mtls'),
    identity: z
      .enum(['uriSan', 'dnsSan', 'subject', 'none'])
      .default('uriSan')
      .describe('Which part of the verified client certificate becomes the user id. none: no identity header.'),
    identityHeaders,
  })
  .strict();

export const AuthMethod = z.discriminatedUnion('type', [OidcAuth, ApiKeyAuth, BearerAuth, EdgeTrustAuth, MtlsAuth]);
export type AuthMethod = z.infer<typeof AuthMethod>;
export type OidcAuth = z.infer<typeof OidcAuth>;
export type ApiKeyAuth = z.infer<typeof ApiKeyAuth>;
export type BearerAuth = z.infer<typeof BearerAuth>;
export type EdgeTrustAuth = z.infer<typeof EdgeTrustAuth>;
export type MtlsAuth = z.infer<typeof MtlsAuth>;
export type AuthMethodInput = z.input<typeof AuthMethod>;

/** What happens to the caller's Authorization header on the way to the agent. */
export const AuthorizationHeader = z
  .discriminatedUnion('mode', [
    z.object({ mode: z.literal('strip') }).strict(),
    z.object({ mode: z.literal('passthrough') }).strict(),
    z.object({ mode: z.literal('move'), header: HeaderNameField.describe('Header that receives the original value.') }).strict(),
  ])
  .default({ mode: 'strip' });
export type AuthorizationHeader = z.infer<typeof AuthorizationHeader>;
