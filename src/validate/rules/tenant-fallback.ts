import type { Rule } from '../rule.js';

export const tenantFallback: Rule = {
  code: 'PC023',
  severity: 'error',
  title: 'a per-tenant key map with no decision for unknown tenants',
  check(fleet) {
    return fleet.providers.flatMap((p, i) =>
      p.perTenant && p.perTenant.unknown === undefined
        ? [
            {
              entity: { kind: 'provider' as const, index: i },
              field: 'perTenant.unknown',
              message: `provider "${p.name}" maps tenants to keys but does not say what an unknown tenant gets`,
              hint: 'set unknown to "fallback" (the provider credential pays) or "deny" (403)',
            },
          ]
        : [],
    );
  },
};
