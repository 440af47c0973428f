import { ENV_NAME, HEADER_NAME, isDnsLabel, isDnsSubdomain, isHostname, type QuotaKey, type SecretKeyRef } from '../../model/index.js';
import { parseCidr } from '../../contract/index.js';
import { configKeyErrors } from '../admission/core-data.js';
import { isLabelValue, isQualifiedName } from '../admission/metadata.js';
import type { EntityRef, Finding, Rule } from '../rule.js';
import { agentRef, gatewayRef } from '../rule.js';

type Check = [field: string, value: string | undefined, valid: (v: string) => boolean, expected: string, hint?: string];

const dns: Check[2] = isDnsLabel;
const header: Check[2] = (v) => HEADER_NAME.test(v);
const DNS_TEXT = 'a DNS label: lowercase letters, digits and "-", at most 63 characters, starting and ending alphanumeric';
const SECRET_TEXT = 'a Secret name (DNS subdomain: lowercase letters, digits, "-" and ".")';
const secretKey: Check[2] = (v) => configKeyErrors(v).length === 0;
const SECRET_KEY_TEXT = 'a Secret data key (letters, digits, "-", "_" and ".")';
const cidr: Check[2] = (v) => parseCidr(v) !== undefined;
const CIDR_TEXT = 'a CIDR, an address and a prefix length such as 10.0.0.0/8 or fd00::/8';
const CIDR_HINT = 'write the range with its prefix length, e.g. "203.0.113.0/24", or "203.0.113.7/32" for one address';
const HEADER_TEXT = 'an HTTP header name (letters, digits and !#$%&\'*+-.^_`|~)';

/** A quota's key or tier, when it names a header. */
const quotaHeaderCheck = (field: string, key: QuotaKey | undefined): Check[] =>
  key !== undefined && typeof key === 'object' ? [[`${field}.header`, key.header, header, HEADER_TEXT]] : [];

/** A provider key's Secret, its namespace and its data key. */
const secretKeyChecks = (field: string, ref: SecretKeyRef): Check[] => [
  [`${field}.secretName`, ref.secretName, isDnsSubdomain, SECRET_TEXT],
  [`${field}.namespace`, ref.namespace, dns, DNS_TEXT],
  [`${field}.key`, ref.key, secretKey, SECRET_KEY_TEXT],
];

function run(entity: EntityRef, checks: Check[]): Finding[] {
  return checks
    .filter(([, value, valid]) => value !== undefined && !valid(value))
    .map(([field, value, , expected, hint]) => ({
      entity,
      field,
      message: `must be ${expected}, got "${value}"`,
      hint: hint ?? `rename it, e.g. "${(value ?? '').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'example'}"`,
    }));
}

export const invalidNames: Rule = {
  code: 'PC011',
  severity: 'error',
  title: 'invalid DNS names, hostnames, header names or environment variable names',
  check(fleet) {
    const gateways = fleet.gateways.flatMap((g, i) =>
      run(gatewayRef(i), [
        ['name', g.name, dns, DNS_TEXT],
        ['namespace', g.namespace, dns, DNS_TEXT],
        ['gatewayClassName', g.gatewayClassName, isDnsSubdomain, 'a GatewayClass name (DNS subdomain)'],
        ...g.listeners.flatMap((l, li): Check[] => [
          [`listeners[${li}].name`, l.name, dns, DNS_TEXT],
          [`listeners[${li}].hostname`, l.hostname, isHostname, 'a hostname (optionally *.-prefixed)'],
        ]),
        ...Object.entries(g.identityHeaders).map(([k, v]): Check => [`identityHeaders.${k}`, v, header, HEADER_TEXT]),
      ]),
    );
    const agents = fleet.agents.flatMap((a, i) =>
      run(agentRef(i), [
        ['name', a.name, dns, DNS_TEXT],
        ['namespace', a.namespace, dns, DNS_TEXT],
        ...(a.expose?.hostnames ?? []).map((h, hi): Check => [`expose.hostnames[${hi}]`, h, isHostname, 'a hostname (optionally *.-prefixed)']),
        ...Object.keys(a.env).map((k): Check => [`env.${k}`, k, (v) => ENV_NAME.test(v), 'an environment variable name (letters, digits, _)']),
        ...(a.authorizationHeader.mode === 'move' ? [['authorizationHeader.header', a.authorizationHeader.header, header, HEADER_TEXT] as Check] : []),
        ...a.auth.flatMap((m, mi): Check[] => [
          ...Object.entries(m.identityHeaders ?? {}).map(([k, v]): Check => [`auth[${mi}].identityHeaders.${k}`, v, header, HEADER_TEXT]),
          ...(m.type === 'apiKey' ? [[`auth[${mi}].header`, m.header, header, HEADER_TEXT] as Check] : []),
          ...(m.type === 'oidc'
            ? Object.keys(m.claims.extra).map((k): Check => [`auth[${mi}].claims.extra.${k}`, k, (v) => /^[a-z0-9-]+$/.test(v), 'a header name suffix (letters, digits and "-")'])
            : []),
          ...(m.type === 'edgeTrust' ? Object.entries(m.headers).map(([k, v]): Check => [`auth[${mi}].headers.${k}`, v, header, HEADER_TEXT]) : []),
          ...('secretName' in m ? [[`auth[${mi}].secretName`, m.secretName, isDnsSubdomain, SECRET_TEXT] as Check] : []),
          ...(m.type === 'edgeTrust' ? [[`auth[${mi}].proofSecretName`, m.proofSecretName, isDnsSubdomain, SECRET_TEXT] as Check] : []),
          ...(m.type === 'edgeTrust' ? m.trustedCidrs.map((c, ci): Check => [`auth[${mi}].trustedCidrs[${ci}]`, c, cidr, CIDR_TEXT, CIDR_HINT]) : []),
        ]),
        ...Object.entries(a.secretEnv).flatMap(([name, ref]): Check[] => [
          [`secretEnv.${name}.secretName`, ref.secretName, isDnsSubdomain, SECRET_TEXT],
          [`secretEnv.${name}.key`, ref.key, secretKey, SECRET_KEY_TEXT],
        ]),
        ...a.inClusterEgress.flatMap((e, ei): Check[] => [
          [`inClusterEgress[${ei}].namespace`, e.namespace, dns, DNS_TEXT],
          ...Object.entries(e.podLabels).flatMap(([k, v]): Check[] => [
            [`inClusterEgress[${ei}].podLabels`, k, (x) => isQualifiedName(x).length === 0, 'a label key (an optional DNS prefix and "/", then at most 63 letters, digits, "-", "_" and ".")'],
            [`inClusterEgress[${ei}].podLabels.${k}`, v, (x) => isLabelValue(x).length === 0, 'a label value (at most 63 letters, digits, "-", "_" and ".", starting and ending alphanumeric)'],
          ]),
        ]),
        ...a.quotas.flatMap((q, qi): Check[] => [...quotaHeaderCheck(`quotas[${qi}].key`, q.key), ...quotaHeaderCheck(`quotas[${qi}].tiers.by`, q.tiers?.by)]),
        ...a.providers.flatMap((g, gi): Check[] => [
          ...quotaHeaderCheck(`providers[${gi}].tokenBudget.tiers.by`, g.tokenBudget?.tiers?.by),
          ...quotaHeaderCheck(`providers[${gi}].requestLimit.tiers.by`, g.requestLimit?.tiers?.by),
        ]),
      ]),
    );
    const fleetName = run({ kind: 'fleet' }, [
      ['name', fleet.name, dns, DNS_TEXT],
      ['runtime.name', fleet.runtime.name, dns, DNS_TEXT],
      ['runtime.namespace', fleet.runtime.namespace, dns, DNS_TEXT],
      ['envoyGatewayNamespace', fleet.envoyGatewayNamespace, dns, DNS_TEXT],
    ]);
    const egress = fleet.egressGateways.flatMap((g, i) =>
      run({ kind: 'egressGateway', index: i }, [
        ['name', g.name, dns, DNS_TEXT],
        ['namespace', g.namespace, dns, DNS_TEXT],
        ['serviceName', g.serviceName, dns, DNS_TEXT],
        ...(g.egressCidrs ?? []).map((c, ci): Check => [`egressCidrs[${ci}]`, c, cidr, CIDR_TEXT, CIDR_HINT]),
      ]),
    );
    const providers = fleet.providers.flatMap((p, i) =>
      run({ kind: 'provider', index: i }, [
        ['name', p.name, dns, DNS_TEXT],
        ...secretKeyChecks('credential', p.credential),
        ...Object.entries(p.perTenant?.keys ?? {}).flatMap(([t, ref]) => secretKeyChecks(`perTenant.keys.${t}`, ref)),
        ['perTenant.tenantHeader', p.perTenant?.tenantHeader, header, HEADER_TEXT],
        ...(p.kind === 'custom' ? [['host', p.host, isHostname, 'a hostname'] as Check, ['header', p.header, header, HEADER_TEXT] as Check] : []),
      ]),
    );
    return [...fleetName, ...gateways, ...egress, ...providers, ...agents];
  },
};
