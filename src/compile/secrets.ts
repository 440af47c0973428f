import type { SecretKeyRef } from '../model/index.js';
import type { EgressGatewayPlan, ProviderRoutePlan } from './egress/plan.js';
import { runtimeSecretName } from './runtime/contract.js';
import type { FleetPlan } from './plan.js';

/** A Secret the user must create before the fleet works: referenced by name, never written by portcullis. */
export interface SecretInstruction {
  readonly namespace: string;
  readonly name: string;
  /** Keys and what each must hold. */
  readonly keys: readonly { readonly key: string; readonly holds: string; readonly file?: boolean }[];
  readonly type: 'Opaque' | 'kubernetes.io/tls';
  readonly usedBy: string;
}

function providerValue(route: ProviderRoutePlan): string {
  const c = route.convention;
  if (c.inject.type === 'sigv4') return 'an AWS shared credentials file ([default] with aws_access_key_id and aws_secret_access_key)';
  if (c.inject.type === 'gcp-service-account') return 'a GCP service account key file (JSON), for a service account with the Vertex AI User role';
  if (route.mechanism === 'credential-injector' && c.inject.type === 'header')
    return `the whole ${c.inject.header} header value: "${c.inject.prefix}<${route.provider.kind} key>"`;
  return `the ${route.provider.kind} key alone, e.g. "<${route.provider.kind} key>"`;
}

/** Where a Secret must be: where it is referenced, or, when the runtime reads it, in the runtime's namespace. */
type Place = (namespace: string, name: string) => { namespace: string; name: string };

/** One provider Secret where it must be created, with who reads it. */
export interface ProviderSecretPlace {
  readonly namespace: string;
  readonly name: string;
  readonly key: string;
  /** `credential`, or the tenant whose key it is. */
  readonly role: 'credential' | { readonly tenant: string };
}

/**
 * Where each Secret of a provider route must be created. On Envoy Gateway alone, the runtime reads every key
 * of its routes (in its namespace); on AI Gateway, AI Gateway reads the provider credential and the runtime
 * the tenants' keys (and the credential too when unknown tenants fall back to it).
 */
export function providerSecretPlaces(route: ProviderRoutePlan, egress: EgressGatewayPlan, runtimeNamespace: string): ProviderSecretPlace[] {
  const p = route.provider;
  const asIs: Place = (namespace, name) => ({ namespace, name });
  const inRuntime: Place = (namespace, name) => ({ namespace: runtimeNamespace, name: runtimeSecretName(namespace, name) });
  const runtime = route.mechanism === 'runtime';
  const fallback = !p.perTenant || p.perTenant.unknown === 'fallback';
  const credentialPlaces = !runtime ? [asIs] : egress.gateway.target === 'ai-gateway' ? [asIs, ...(fallback ? [inRuntime] : [])] : [inRuntime];
  const ns = (ref: SecretKeyRef) => ref.namespace ?? egress.gateway.namespace;
  return [
    ...credentialPlaces.map((place) => ({ ...place(ns(p.credential), p.credential.secretName), key: p.credential.key, role: 'credential' as const })),
    ...Object.entries(p.perTenant?.keys ?? {}).map(([tenant, ref]) => ({ ...(runtime ? inRuntime : asIs)(ns(ref), ref.secretName), key: ref.key, role: { tenant } })),
  ];
}

function providerSecrets(route: ProviderRoutePlan, egress: EgressGatewayPlan, runtimeNamespace: string): SecretInstruction[] {
  const via = `egress gateway ${egress.gateway.namespace}/${egress.gateway.name}`;
  const file = route.convention.inject.type === 'sigv4' || route.convention.inject.type === 'gcp-service-account';
  return providerSecretPlaces(route, egress, runtimeNamespace).map((s) => ({
    namespace: s.namespace,
    name: s.name,
    keys: [{ key: s.key, holds: providerValue(route), ...(file && { file: true }) }],
    type: 'Opaque',
    usedBy: s.role === 'credential' ? `provider ${route.provider.name} via ${via}` : `provider ${route.provider.name} for tenant ${s.role.tenant} via ${via}`,
  }));
}

/** Every Secret the fleet references, merged by namespace and name, in a stable order. */
export function secretInstructions(plan: FleetPlan): SecretInstruction[] {
  const all: SecretInstruction[] = [];
  const asIs: Place = (namespace, name) => ({ namespace, name });
  const runtimeNamespace = plan.fleet.runtime.namespace;
  const inRuntime: Place = (namespace, name) => ({ namespace: runtimeNamespace, name: runtimeSecretName(namespace, name) });
  for (const g of plan.gateways)
    for (const l of g.gateway.listeners)
      for (const c of l.certificateRefs)
        all.push({
          namespace: c.namespace ?? g.gateway.namespace,
          name: c.name,
          type: 'kubernetes.io/tls',
          keys: [
            { key: 'tls.crt', holds: `the PEM certificate chain for ${l.hostname ?? 'the listener'}` },
            { key: 'tls.key', holds: 'its PEM private key' },
          ],
          usedBy: `listener ${l.name} of gateway ${g.gateway.namespace}/${g.gateway.name}`,
        });
  for (const a of plan.agents) {
    if (!a.exposed) continue;
    const by = (what: string) => `${what} of agent ${a.agent.namespace}/${a.agent.name}${a.mechanism === 'runtime' ? ' (read by the portcullis runtime)' : ''}`;
    const place = a.mechanism === 'runtime' ? inRuntime : asIs;
    for (const m of a.agent.auth) {
      if (m.type === 'apiKey')
        all.push({
          ...place(a.agent.namespace, m.secretName),
          type: 'Opaque',
          keys: [
            m.hashed
              ? { key: '<client id>', holds: 'JSON {"sha256": "<hex sha256 of the key>", "roles": [...], "scopes": [...], "tenant": "...", "expiresAt": "<RFC 3339>"}' }
              : { key: '<client id>', holds: `the client's API key, sent in ${m.header}` },
          ],
          usedBy: by('API keys'),
        });
      if (m.type === 'bearer')
        all.push({ ...place(a.agent.namespace, m.secretName), type: 'Opaque', keys: [{ key: '<any name>', holds: 'a valid bearer token (several keys: all valid, for rotation)' }], usedBy: by('shared bearer token') });
      if (m.type === 'edgeTrust' && m.proofSecretName)
        all.push({ ...place(a.agent.namespace, m.proofSecretName), type: 'Opaque', keys: [{ key: 'proof', holds: `the value the edge sends in ${m.proofHeader}` }], usedBy: by('edge-trust proof') });
    }
  }
  for (const e of plan.egressGateways)
    for (const r of e.routes) all.push(...providerSecrets(r, e, runtimeNamespace));

  const merged = new Map<string, SecretInstruction>();
  for (const s of all) {
    const id = `${s.namespace}/${s.name}`;
    const seen = merged.get(id);
    merged.set(
      id,
      seen
        ? { ...seen, keys: [...seen.keys, ...s.keys.filter((k) => !seen.keys.some((x) => x.key === k.key))], usedBy: seen.usedBy === s.usedBy ? seen.usedBy : `${seen.usedBy}; ${s.usedBy}` }
        : s,
    );
  }
  return [...merged.values()].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

/** out/SECRETS.md: what to create, where, holding what. Never a value. */
export function renderSecretsMarkdown(fleets: readonly { name: string; secrets: readonly SecretInstruction[] }[]): string {
  const lines = [
    '# Secrets to create',
    '',
    'Generated by portcullis. The manifests reference these Secrets by name; portcullis never writes a secret value.',
    'Create each one in its namespace before applying, e.g. with the command shown. Secrets the portcullis runtime',
    'reads live in its namespace, named <namespace>.<name> after the namespace they serve: the runtime can mount',
    'only Secrets of its own namespace.',
    '',
  ];
  for (const f of fleets) {
    lines.push(`## Fleet ${f.name}`, '');
    for (const s of f.secrets) {
      lines.push(`### ${s.namespace}/${s.name}`, '', `- used by: ${s.usedBy}`, `- type: ${s.type}`);
      for (const k of s.keys) lines.push(`- key \`${k.key}\`: ${k.holds}`);
      const cmd =
        s.type === 'kubernetes.io/tls'
          ? `kubectl -n ${s.namespace} create secret tls ${s.name} --cert=<chain.pem> --key=<key.pem>`
          : `kubectl -n ${s.namespace} create secret generic ${s.name} ${s.keys.map((k) => (k.file ? `--from-file=${k.key}=<path>` : `--from-literal=${k.key}='<value>'`)).join(' ')}`;
      lines.push('', '```sh', cmd, '```', '');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
