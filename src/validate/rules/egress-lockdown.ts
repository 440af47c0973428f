import type { Finding, Rule } from '../rule.js';

const EVERYWHERE = new Set(['0.0.0.0/0', '::/0']);

export const egressAllowAll: Rule = {
  code: 'PC024',
  severity: 'warning',
  title: 'an egress gateway whose proxies may connect anywhere',
  check(fleet) {
    return fleet.egressGateways.flatMap((g, i): Finding[] =>
      (g.egressCidrs ?? []).some((c) => EVERYWHERE.has(c))
        ? [
            {
              entity: { kind: 'egressGateway', index: i },
              field: 'egressCidrs',
              message: `egress gateway ${g.namespace}/${g.name} may connect to every address, including cluster, private and cloud metadata ranges`,
              hint: 'leave egressCidrs unset (public addresses only) or list the providers\' ranges',
            },
          ]
        : [],
    );
  },
};

export const injectionWithoutTls: Rule = {
  code: 'PC025',
  severity: 'error',
  title: 'a provider key injected on a connection without TLS',
  check(fleet) {
    return fleet.providers.flatMap((p, i): Finding[] =>
      p.kind === 'custom' && !p.tls
        ? [
            {
              entity: { kind: 'provider', index: i },
              field: 'tls',
              message: `provider "${p.name}" would receive its key in clear text at ${p.host}:${p.port}`,
              hint: 'use the provider\'s https endpoint (tls: true)',
            },
          ]
        : [],
    );
  },
};
