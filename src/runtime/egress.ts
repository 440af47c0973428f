import type { EgressRoute, RuntimeConfig, SecretKeyRef } from '../contract/index.js';
import { MutationBuilder, isHeaderSafe, type RequestHeaders } from './headers.js';
import type { SecretReader } from './secrets.js';
import { SigV4Signer, parseAwsCredentials } from './sigv4.js';

/** One provider credential, ready to inject. */
type Credential = { readonly kind: 'value'; readonly value: string } | { readonly kind: 'sigv4'; readonly signer: SigV4Signer };

export interface EgressRuntime {
  readonly key: string;
  readonly route: EgressRoute;
  readonly needsBody: boolean;
  /** The credential for this request, or why there is none. */
  select(headers: RequestHeaders): { credential: Credential; tenant?: string } | { deny: string };
  /** Every secret value of the route (for log redaction checks). */
  readonly secretValues: readonly string[];
}

/** Dynamic metadata for the filters after the runtime: namespace -> key -> value. */
export type DynamicMetadata = Record<string, Record<string, string>>;

export type EgressHeadersResult =
  | { kind: 'continue'; mutation: MutationBuilder; reason: string; metadata?: DynamicMetadata }
  | { kind: 'deny'; status: number; reason: string }
  | { kind: 'await-body'; mutation: MutationBuilder; signer: SigV4Signer; reason: string };

export function buildEgress(key: string, route: EgressRoute, _config: RuntimeConfig, secrets: SecretReader): EgressRuntime {
  const secretValues: string[] = [];
  const load = (ref: SecretKeyRef, where: string): Credential => {
    try {
      const text = secrets.readKey(ref);
      if ('sigv4' in route.inject) {
        const creds = parseAwsCredentials(text, `secret ${ref.secret.namespace}/${ref.secret.name} key ${ref.key}`);
        secretValues.push(creds.secretAccessKey, ...(creds.sessionToken ? [creds.sessionToken] : []));
        const s = route.inject.sigv4;
        return { kind: 'sigv4', signer: new SigV4Signer(creds, s.region, s.service, s.host, s.stripPrefix) };
      }
      const value = text.trim();
      if (value === '' || !isHeaderSafe(value)) throw new Error(`secret ${ref.secret.namespace}/${ref.secret.name} key ${ref.key}: empty or not a header-safe value`);
      secretValues.push(value);
      return { kind: 'value', value };
    } catch (err) {
      throw new Error(`egress.${key}.${where}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const fallback = route.key ? load(route.key, 'key') : undefined;
  const perTenant = new Map<string, Credential>();
  for (const [tenant, ref] of Object.entries(route.perTenant?.keys ?? {})) perTenant.set(tenant, load(ref, `perTenant.keys.${tenant}`));
  const pt = route.perTenant;
  return {
    key,
    route,
    needsBody: 'sigv4' in route.inject,
    secretValues,
    select(headers) {
      if (!pt) return { credential: fallback! };
      const tenant = headers.count(pt.tenantHeader) === 1 ? headers.get(pt.tenantHeader)!.trim() : undefined;
      const own = tenant !== undefined ? perTenant.get(tenant) : undefined;
      if (own) return { credential: own, tenant: tenant! };
      if (pt.unknown === 'fallback' && fallback) return { credential: fallback };
      return { deny: tenant === undefined ? 'tenant_missing' : 'tenant_unknown' };
    },
  };
}

/** `:path` with every `name=` parameter replaced by one carrying the key. */
export function withQueryParam(path: string, name: string, value: string): string {
  const q = path.indexOf('?');
  const base = q < 0 ? path : path.slice(0, q);
  const kept =
    q < 0
      ? []
      : path
          .slice(q + 1)
          .split('&')
          .filter((p) => p !== '' && safeDecode(p.split('=')[0]!) !== name);
  kept.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  return `${base}?${kept.join('&')}`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/**
 * The egress phase on request headers: foreign credentials out, the provider credential in, overwriting
 * whatever the agent sent. SigV4 needs the body: the route's processing mode buffers it, and signing
 * happens on the body message (or here when the request has none).
 */
export function decideEgressHeaders(egress: EgressRuntime, headers: RequestHeaders): EgressHeadersResult {
  const picked = egress.select(headers);
  if ('deny' in picked) return { kind: 'deny', status: 403, reason: picked.deny };
  const m = new MutationBuilder();
  for (const h of egress.route.removeHeaders) if (headers.has(h)) m.remove(h);
  const reason = picked.tenant !== undefined ? 'tenant_key' : 'default_key';
  const inject = egress.route.inject;
  const cred = picked.credential;
  if (cred.kind === 'sigv4') return { kind: 'await-body', mutation: m, signer: cred.signer, reason };
  if ('header' in inject) m.set(inject.header, inject.format.split('{key}').join(cred.value));
  else if ('queryParam' in inject) {
    // the agent's path goes on with the key in its query: one path, that Envoy can set again, or none
    const path = headers.get(':path') ?? '/';
    if (headers.count(':path') > 1 || !isHeaderSafe(path, Number.POSITIVE_INFINITY)) return { kind: 'deny', status: 400, reason: 'path_not_rewritable' };
    m.set(':path', withQueryParam(path, inject.queryParam, cred.value));
  } else if ('dynamicMetadata' in inject)
    return { kind: 'continue', mutation: m, reason, metadata: { [inject.dynamicMetadata.namespace]: { [inject.dynamicMetadata.key]: cred.value } } };
  return { kind: 'continue', mutation: m, reason };
}

/** Signs the request (headers as received, body as buffered) and adds the SigV4 headers to the mutation. */
export async function signSigV4(signer: SigV4Signer, headers: RequestHeaders, body: Buffer, m: MutationBuilder, now: Date): Promise<void> {
  const signed = await signer.sign(
    { method: headers.get(':method') ?? 'POST', path: headers.get(':path') ?? '/', body, ...(headers.get('content-type') && { contentType: headers.get('content-type')! }) },
    now,
  );
  for (const [k, v] of Object.entries(signed)) m.set(k, v);
}
