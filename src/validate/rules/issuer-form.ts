import type { Finding, Rule } from '../rule.js';
import { agentRef } from '../rule.js';
import { forEachMethod } from './each.js';

interface KnownIssuer {
  readonly idp: string;
  readonly matches: (url: URL) => boolean;
  readonly trailingSlash: boolean;
}

/** How known IdPs spell `iss`: a stray or missing trailing slash fails every token. */
export const KNOWN_ISSUERS: readonly KnownIssuer[] = [
  { idp: 'Auth0', matches: (u) => u.hostname.endsWith('.auth0.com'), trailingSlash: true },
  { idp: 'Entra ID (v1 tokens)', matches: (u) => u.hostname === 'sts.windows.net', trailingSlash: true },
  { idp: 'Entra ID', matches: (u) => u.hostname === 'login.microsoftonline.com', trailingSlash: false },
  { idp: 'Okta', matches: (u) => /\.(okta|oktapreview|okta-emea)\.com$/.test(u.hostname), trailingSlash: false },
  { idp: 'Google', matches: (u) => u.hostname === 'accounts.google.com', trailingSlash: false },
  { idp: 'Keycloak', matches: (u) => u.pathname.includes('/realms/'), trailingSlash: false },
];

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export const issuerForm: Rule = {
  code: 'PC007',
  severity: 'error',
  title: "issuer whose form does not match the IdP's `iss`",
  check(fleet) {
    return forEachMethod(fleet, 'oidc', (m, field, agentIndex): Finding[] => {
      const entity = agentRef(agentIndex);
      let url: URL;
      try {
        url = new URL(m.issuer);
      } catch {
        return [{ entity, field: `${field}.issuer`, message: `issuer is not a URL, got "${m.issuer}"`, hint: 'use the exact `iss` value, e.g. https://acme.okta.com/oauth2/default' }];
      }
      if (url.protocol !== 'https:' && !LOOPBACK.has(url.hostname))
        return [{ entity, field: `${field}.issuer`, message: `issuer must use https, got "${m.issuer}"`, hint: 'use the https issuer URL your IdP publishes in its discovery document' }];
      const known = KNOWN_ISSUERS.find((k) => k.matches(url));
      if (!known || m.issuer.endsWith('/') === known.trailingSlash) return [];
      return [
        {
          entity,
          field: `${field}.issuer`,
          message: `issuer "${m.issuer}" does not have ${known.idp}'s form: its issuers ${known.trailingSlash ? 'end' : 'do not end'} with a slash, so no token's iss would match`,
          hint: known.trailingSlash ? `use "${m.issuer}/"` : `use "${m.issuer.replace(/\/+$/, '')}"`,
        },
      ];
    });
  },
};
