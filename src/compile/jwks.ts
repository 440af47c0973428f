/**
 * JWKS endpoints of known IdPs, derived from the issuer the way each IdP publishes them, so that the
 * native jwt filter can be used without a network look-up at synth time (which would make output depend
 * on the network). Unknown issuers return undefined: the runtime then reads the discovery document.
 */
export function knownJwksUri(issuer: string): string | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return undefined;
  }
  const base = issuer.replace(/\/+$/, '');
  const host = url.hostname;
  if (host.endsWith('.auth0.com')) return `${base}/.well-known/jwks.json`;
  if (/\.(okta|oktapreview|okta-emea)\.com$/.test(host))
    return url.pathname.startsWith('/oauth2/') ? `${base}/v1/keys` : `${base}/oauth2/v1/keys`;
  if (url.pathname.includes('/realms/')) return `${base}/protocol/openid-connect/certs`;
  if (host === 'accounts.google.com') return 'https://www.googleapis.com/oauth2/v3/certs';
  const entra = /^\/([^/]+)\/v2\.0$/.exec(url.pathname);
  if (host === 'login.microsoftonline.com' && entra) return `https://login.microsoftonline.com/${entra[1]}/discovery/v2.0/keys`;
  return undefined;
}

/** The JWKS endpoint used for a method: the one it names, else the known IdP's; undefined means discovery. */
export function jwksUriFor(method: { readonly jwksUri?: string | undefined; readonly issuer: string }): string | undefined {
  return method.jwksUri ?? knownJwksUri(method.issuer);
}
