import type { Duration } from 'cdk8s';
import type { AuthMethodInput, IdentityHeadersOverride, JwtAlgorithm } from '../model/index.js';

export interface OidcProps {
  /** Exact `iss` of the tokens, e.g. `https://acme.okta.com/oauth2/default` (Auth0 issuers end with a slash). */
  readonly issuer: string;
  /** Accepted `aud` values. Required: on a shared issuer, no audience accepts tokens minted for any client. */
  readonly audiences: string[];
  /** JWKS endpoint. @default - derived for Okta, Auth0, Keycloak, Google and Entra ID; otherwise discovered at run time by the runtime */
  readonly jwksUri?: string;
  /** Allowed signing algorithms. @default - every asymmetric algorithm; `none` and HMAC are never accepted */
  readonly algorithms?: JwtAlgorithm[];
  /** Leeway for `exp` and `nbf`. @default Duration.seconds(60) */
  readonly clockSkew?: Duration;
  /** Claim holding the caller id. @default "sub" */
  readonly userIdClaim?: string;
  /** Claim holding the tenant id. @default - no tenant header */
  readonly tenantIdClaim?: string;
  /** Claim holding the roles. @default - no roles header */
  readonly rolesClaim?: string;
  /** Claim holding the email address. @default - no email header */
  readonly emailClaim?: string;
  /** Extra claims mapped to `x-claim-<key>` headers: key -> claim. @default {} */
  readonly extraClaims?: Record<string, string>;
  /** Claims that are arrays in this issuer's tokens; the runtime joins them with commas. @default [] */
  readonly arrayClaims?: string[];
  /** Provider name in emitted policies. @default - derived from the issuer host and path */
  readonly name?: string;
  /** Override of the gateway's identity header names for this method. @default - the gateway's */
  readonly identityHeaders?: IdentityHeadersOverride;
}

export interface ApiKeysProps {
  /** Secret in the agent's namespace: client id -> key (or -> sha256 hex of the key when `hashed`). */
  readonly secretName: string;
  /** Header the key is read from. @default "x-api-key" */
  readonly header?: string;
  /** Keys stored as sha256 hashes with roles, scopes and expiry; served by the portcullis runtime. @default false */
  readonly hashed?: boolean;
  /** Override of the gateway's identity header names for this method. @default - the gateway's */
  readonly identityHeaders?: IdentityHeadersOverride;
}

export interface BearerProps {
  /** Secret in the agent's namespace whose values are the valid tokens; several may be valid during rotation. */
  readonly secretName: string;
  /** Caller id set in the user id header when the shared token is accepted. */
  readonly clientId: string;
  /** @default - the gateway's identity headers */
  readonly identityHeaders?: IdentityHeadersOverride;
}

export interface EdgeTrustProps {
  /** Headers in which the upstream edge passes the identity it verified, per field. userId is required. */
  readonly headers: { readonly userId: string; readonly tenantId?: string; readonly roles?: string; readonly email?: string };
  /** Source ranges of the edge. @default - none; then proofSecretName is required */
  readonly trustedCidrs?: string[];
  /** Secret holding the value the edge sends in the proof header. @default - no proof header */
  readonly proofSecretName?: string;
  /** Header carrying the edge's proof. @default "x-edge-proof" */
  readonly proofHeader?: string;
  /** @default - the gateway's identity headers */
  readonly identityHeaders?: IdentityHeadersOverride;
}

export interface MtlsProps {
  /** Part of the verified client certificate that becomes the user id. @default "uriSan" */
  readonly identity?: 'uriSan' | 'dnsSan' | 'subject' | 'none';
  /** @default - the gateway's identity headers */
  readonly identityHeaders?: IdentityHeadersOverride;
}

/** An inbound auth method. Several on one agent form an ordered chain: the first to accept wins. */
export class Auth {
  /** OIDC / JWT bearer tokens from an identity provider. */
  static oidc(props: OidcProps): Auth {
    return new Auth({
      type: 'oidc',
      issuer: props.issuer,
      audiences: props.audiences,
      ...(props.name !== undefined && { name: props.name }),
      ...(props.jwksUri !== undefined && { jwksUri: props.jwksUri }),
      ...(props.algorithms !== undefined && { algorithms: props.algorithms }),
      ...(props.clockSkew !== undefined && { clockSkewSeconds: props.clockSkew.toSeconds() }),
      claims: {
        userId: props.userIdClaim ?? 'sub',
        ...(props.tenantIdClaim !== undefined && { tenantId: props.tenantIdClaim }),
        ...(props.rolesClaim !== undefined && { roles: props.rolesClaim }),
        ...(props.emailClaim !== undefined && { email: props.emailClaim }),
        extra: props.extraClaims ?? {},
      },
      arrayClaims: props.arrayClaims ?? [],
      ...(props.identityHeaders !== undefined && { identityHeaders: props.identityHeaders }),
    });
  }

  /** Per-caller API keys from a Secret. */
  static apiKeys(props: ApiKeysProps): Auth {
    return new Auth({ type: 'apiKey', ...props });
  }

  /** One shared bearer token (rotated by editing its Secret). */
  static bearer(props: BearerProps): Auth {
    return new Auth({ type: 'bearer', ...props });
  }

  /** Identity already verified by an upstream edge and passed in headers. */
  static edgeTrust(props: EdgeTrustProps): Auth {
    return new Auth({ type: 'edgeTrust', ...props });
  }

  /** mTLS client certificates verified by the gateway. */
  static mtls(props: MtlsProps = {}): Auth {
    return new Auth({ type: 'mtls', ...props });
  }

  private constructor(
    /** The model input this method lowers to. */
    readonly method: AuthMethodInput,
  ) {}
}

/** What happens to the caller's Authorization header on the way to the agent. */
export class AuthorizationHeader {
  /** Remove it after validation (the default): the agent never sees the caller's credential. */
  static strip(): AuthorizationHeader {
    return new AuthorizationHeader({ mode: 'strip' });
  }
  /** Pass it untouched, for agents that validate it themselves. */
  static passthrough(): AuthorizationHeader {
    return new AuthorizationHeader({ mode: 'passthrough' });
  }
  /** Move it to another header (e.g. x-original-token) for on-behalf-of flows. */
  static moveTo(header: string): AuthorizationHeader {
    return new AuthorizationHeader({ mode: 'move', header });
  }
  private constructor(readonly mode: { mode: 'strip' } | { mode: 'passthrough' } | { mode: 'move'; header: string }) {}
}
