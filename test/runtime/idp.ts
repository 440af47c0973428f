import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import Provider from 'oidc-provider';

export const RESOURCE = 'https://agents.example.com';
export const CLIENT_ID = 'support-bot-caller';
const CLIENT_SECRET = 'idp-client-secret-not-a-runtime-secret';

export interface TestIdp {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly kid: string;
  readonly privateKey: CryptoKeyLike;
  readonly publicJwk: JWK;
  /** A real access token from the token endpoint (client_credentials, RS256 JWT, aud = RESOURCE). */
  token(): Promise<string>;
  /** A token signed with the IdP's own key, for crafted claims. */
  sign(claims: JWTPayload, options?: { kid?: string; alg?: string; key?: CryptoKeyLike }): Promise<string>;
  /** Stops answering (the JWKS endpoint goes down). */
  stop(): Promise<void>;
  /** How many times the JWKS was fetched. */
  jwksFetches(): number;
}
type CryptoKeyLike = Parameters<SignJWT['sign']>[0];

/**
 * A real OpenID provider (oidc-provider 9) on 127.0.0.1: the client_credentials grant with resource
 * indicators, whose resource server takes JWT access tokens, so it mints RS256 JWTs with aud = RESOURCE.
 * Extra claims (roles as an array, tenant, email) exercise claim mapping.
 */
export async function startIdp(extraClaims: Record<string, unknown> = { roles: ['agent-user', 'reader'], tenant: 'acme', email: 'caller@acme.example' }): Promise<TestIdp> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = 'test-key-1';
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  let jwksFetches = 0;
  let handler: ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) | undefined;
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/jwks')) jwksFetches++;
    handler!(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
      },
    ],
    jwks: { keys: [privateJwk] },
    ttl: { ClientCredentials: 600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'agents:invoke', audience: RESOURCE, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
      },
    },
    extraTokenClaims: () => extraClaims,
  });
  handler = provider.callback();
  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    kid,
    privateKey,
    publicJwk,
    async token() {
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'agents:invoke', resource: RESOURCE }),
      });
      const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
      if (!body.access_token) throw new Error(`token endpoint: ${res.status} ${body.error} ${body.error_description}`);
      return body.access_token;
    },
    async sign(claims, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: issuer, aud: RESOURCE, sub: CLIENT_ID, iat: now, exp: now + 300, ...claims })
        .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? kid, typ: 'at+jwt' })
        .sign(options.key ?? privateKey);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    jwksFetches: () => jwksFetches,
  };
}
