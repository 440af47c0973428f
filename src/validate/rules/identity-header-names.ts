import {
  CREDENTIAL_HEADERS,
  DEFAULT_IDENTITY_HEADERS,
  IDENTITY_FIELDS,
  agentGateway,
  credentialSources,
  effectiveIdentityHeaders,
  type Agent,
  type CredentialSource,
  type IdentityField,
  type IdentityHeaders,
} from '../../model/index.js';
import type { EntityRef, Finding, Rule } from '../rule.js';
import { agentRef, gatewayRef } from '../rule.js';

/**
 * Headers a gateway must leave as the caller and Envoy sent them, with why. The gateway removes every
 * header it writes identity into from each request before auth (earlyRequestHeaders), and the runtime
 * overwrites it on accept: named like one of these, it would break the request or what Envoy does with it.
 * A superset of the runtime contract's PROTECTED_HEADERS, which the runtime refuses to set.
 */
const RESERVED: ReadonlyMap<string, string> = new Map([
  ...['host', 'content-length', 'content-type', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade'].map(
    (h) => [h, 'a header that frames or routes the request, which Envoy manages'] as const,
  ),
  ...['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'forwarded', 'via'].map(
    (h) => [h, "a header Envoy sets to tell the agent the caller's address and protocol"] as const,
  ),
  ['x-forwarded-client-cert', 'the header Envoy sets from the verified client certificate, which mTLS reads the identity from'],
  ...['x-request-id', 'traceparent', 'tracestate'].map((h) => [h, 'a header Envoy and the runtime trace the request by'] as const),
]);
const RESERVED_PREFIXES: readonly (readonly [string, string])[] = [
  ['x-envoy-', "in Envoy's own header space, x-envoy-*"],
  ['x-portcullis-', "in portcullis's own header space, x-portcullis-*"],
  ['x-ai-eg-', "in Envoy AI Gateway's own header space, x-ai-eg-*"],
];

/**
 * Why the gateway cannot write into a header, or undefined when it can. `credentials`: a credential header
 * is refused too (identity never goes into one; a moved Authorization may, for an agent that reads it there).
 */
export function reservedHeader(header: string, credentials = true): string | undefined {
  const h = header.toLowerCase();
  const reason = RESERVED.get(h) ?? RESERVED_PREFIXES.find(([p]) => h.startsWith(p))?.[1];
  if (reason) return reason;
  if (h === 'authorization' || (credentials && CREDENTIAL_HEADERS.includes(h)))
    return "a credential header, which the gateway removes from every request before auth, so callers' credentials would never arrive";
  return undefined;
}

const FIX = 'name it after what it carries, e.g. the default';

/** Headers of this agent's callers that must reach auth: its methods' key and proof headers, and the edge's. */
function mustArrive(agent: Agent, canonical: ReadonlySet<string>): Map<string, CredentialSource> {
  const found = new Map(credentialSources(agent).map((s) => [s.header, s]));
  agent.auth.forEach((m, i) => {
    // the edge's headers named like the gateway's canonical ones are PC016's
    if (m.type === 'edgeTrust')
      for (const [k, h] of Object.entries(m.headers))
        if (h && !canonical.has(h)) found.set(h, { header: h, field: `auth[${i}].headers.${k}`, what: `the header auth[${i}] reads the edge's ${k} from` });
  });
  return found;
}

/**
 * The headers a gateway writes identity into (its identity headers, a method's override, a mapped claim's
 * header, the header Authorization is moved to) must be free for it: not a header Envoy or the request
 * needs, not a credential or any header the agent's auth reads (the gateway removes them before auth, so
 * no credential would arrive), and not two of them one header (one value would overwrite the other).
 */
export const identityHeaderNames: Rule = {
  code: 'PC037',
  severity: 'error',
  title: 'a header the gateway writes identity into is named like one it must leave alone',
  check(fleet) {
    const found: Finding[] = [];
    const report = (entity: EntityRef, field: string, header: string, why: string, hint: string) =>
      found.push({ entity, field, message: `"${header}" is ${why}`, hint });

    fleet.gateways.forEach((g, gi) => {
      const seen = new Map<string, IdentityField>();
      for (const f of IDENTITY_FIELDS) {
        const h = g.identityHeaders[f];
        const why = reservedHeader(h);
        const first = seen.get(h);
        if (why) report(gatewayRef(gi), `identityHeaders.${f}`, h, why, `${FIX}, "${DEFAULT_IDENTITY_HEADERS[f]}"`);
        else if (first) {
          // reported on the one set away from its default: that is the one to change
          const [moved, other] = h === DEFAULT_IDENTITY_HEADERS[f] ? [first, f] : [f, first];
          report(gatewayRef(gi), `identityHeaders.${moved}`, h, `also the ${other} header: one value would overwrite the other`, `give ${moved} a header of its own, e.g. "${DEFAULT_IDENTITY_HEADERS[moved]}"`);
        }
        seen.set(h, first ?? f);
      }
      const prefix = RESERVED_PREFIXES.find(([p]) => g.identityHeaders.claimPrefix.startsWith(p));
      if (prefix)
        report(gatewayRef(gi), 'identityHeaders.claimPrefix', g.identityHeaders.claimPrefix, prefix[1], `${FIX}, "${DEFAULT_IDENTITY_HEADERS.claimPrefix}"`);
    });

    fleet.agents.forEach((agent, ai) => {
      const entity = agentRef(ai);
      const identity: IdentityHeaders = agentGateway(fleet, agent)?.identityHeaders ?? DEFAULT_IDENTITY_HEADERS;
      const canonical = new Set(IDENTITY_FIELDS.map((f) => identity[f]));
      const arriving = mustArrive(agent, canonical);
      // the gateway's own names, against what this agent's callers send (the gateway's rule checked the rest)
      for (const f of IDENTITY_FIELDS) {
        const a = arriving.get(identity[f]);
        if (a && !reservedHeader(identity[f])) // else the gateway's own finding says it
          report(entity, a.field, identity[f], `also the gateway's ${f} identity header, which the gateway removes from every request before auth, so it would never arrive`, `use a header of its own for ${a.what}`);
      }
      /** A header this agent's gateway writes, named in this agent's config. */
      const written = (field: string, header: string, others: ReadonlyMap<string, string>, fix: string, credentials = true) => {
        const why = reservedHeader(header, credentials);
        const a = arriving.get(header);
        const other = others.get(header);
        if (why) report(entity, field, header, why, fix);
        else if (a) report(entity, field, header, `also ${a.what}, which the gateway removes from every request before auth, so it would never arrive`, fix);
        else if (other) report(entity, field, header, `also ${other}: one value would overwrite the other`, fix);
      };
      const allWritten = new Map<string, string>();
      agent.auth.forEach((m, mi) => {
        const effective = effectiveIdentityHeaders(identity, m);
        const theirs = new Map<string, string>();
        for (const f of IDENTITY_FIELDS) if (!m.identityHeaders?.[f]) theirs.set(effective[f], `the ${f} identity header`);
        for (const f of IDENTITY_FIELDS) {
          const h = m.identityHeaders?.[f];
          if (!h) continue;
          written(`auth[${mi}].identityHeaders.${f}`, h, theirs, `${FIX}, "${DEFAULT_IDENTITY_HEADERS[f]}"`);
          theirs.set(h, `the ${f} identity header`);
        }
        if (m.type === 'oidc')
          for (const key of Object.keys(m.claims.extra)) {
            const h = `${identity.claimPrefix}${key}`;
            written(`auth[${mi}].claims.extra.${key}`, h, theirs, `map the claim under another key: its header is ${identity.claimPrefix}<key>`);
            theirs.set(h, `the header of the mapped claim ${key}`);
          }
        for (const [h, what] of theirs) allWritten.set(h, what);
      });
      if (agent.authorizationHeader.mode === 'move') {
        const h = agent.authorizationHeader.header;
        written('authorizationHeader.header', h, allWritten, 'move Authorization into a header of its own, e.g. "x-original-authorization"', false);
      }
    });
    return found;
  },
};
