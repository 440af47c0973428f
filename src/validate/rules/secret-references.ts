import { conventionOf, type Fleet, type Provider, type SecretKeyRef } from '../../model/index.js';
import type { Finding, Rule } from '../rule.js';

/** Every Secret reference of a provider, with its field. */
export function providerSecretRefs(p: Provider): { ref: SecretKeyRef; field: string }[] {
  return [
    { ref: p.credential, field: 'credential' },
    ...Object.entries(p.perTenant?.keys ?? {}).map(([t, ref]) => ({ ref, field: `perTenant.keys.${t}` })),
  ];
}

/** Namespaces of the egress gateways a provider is allowed on. */
export function egressNamespaces(fleet: Fleet, p: Provider): string[] {
  return [...new Set(fleet.egressGateways.filter((g) => g.providers.includes(p.name)).map((g) => g.namespace))];
}

export const crossNamespaceSecret: Rule = {
  code: 'PC026',
  severity: 'error',
  title: 'a Secret referenced across namespaces without a ReferenceGrant',
  check(fleet) {
    return fleet.providers.flatMap((p, i) =>
      providerSecretRefs(p).flatMap(({ ref, field }): Finding[] => {
        const foreign = egressNamespaces(fleet, p).filter((ns) => ref.namespace !== undefined && ref.namespace !== ns);
        return foreign.length > 0 && !ref.referenceGrant
          ? [
              {
                entity: { kind: 'provider', index: i },
                field: `${field}.namespace`,
                message: `the Secret ${ref.namespace}/${ref.secretName} is read from egress namespace ${foreign.join(', ')}, which Gateway API refuses without a ReferenceGrant`,
                hint: 'set referenceGrant: true to have portcullis emit the grant, or keep the Secret in the egress namespace',
              },
            ]
          : [];
      }),
    );
  },
};

/** The Secret key each native mechanism reads; the runtime reads whichever key it is told. */
function requiredKey(fleet: Fleet, p: Provider): string | undefined {
  const gateways = fleet.egressGateways.filter((g) => g.providers.includes(p.name));
  if (p.perTenant || gateways.length === 0) return undefined;
  const c = conventionOf(p);
  const targets = new Set(gateways.map((g) => g.target));
  if (targets.size > 1) return undefined;
  if (targets.has('envoy-gateway')) return c.inject.type === 'header' ? 'credential' : undefined;
  if (c.aiGateway.auth === 'AWSCredentials') return 'credentials';
  return c.aiGateway.auth === 'GCPCredentials' ? 'service_account.json' : 'apiKey';
}

export const secretKeyName: Rule = {
  code: 'PC027',
  severity: 'error',
  title: 'a provider Secret key the injecting filter does not read',
  check(fleet) {
    return fleet.providers.flatMap((p, i): Finding[] => {
      const key = requiredKey(fleet, p);
      return key && p.credential.key !== key
        ? [
            {
              entity: { kind: 'provider', index: i },
              field: 'credential.key',
              message: `the ${key === 'credential' ? 'Envoy Gateway credential injector' : 'AI Gateway BackendSecurityPolicy'} reads key "${key}" of Secret ${p.credential.secretName}, got "${p.credential.key}"`,
              hint: `store the value under key "${key}" and reference it (out/SECRETS.md lists what each Secret holds)`,
            },
          ]
        : [];
    });
  },
};
