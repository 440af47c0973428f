import type { Rule } from '../rule.js';
import { gatewayRef } from '../rule.js';

export const httpsListenerCertificates: Rule = {
  code: 'PC017',
  severity: 'error',
  title: 'HTTPS listener without a certificate',
  check(fleet) {
    return fleet.gateways.flatMap((g, gi) =>
      g.listeners.flatMap((l, li) =>
        l.protocol === 'HTTPS' && l.certificateRefs.length === 0
          ? [
              {
                entity: gatewayRef(gi),
                field: `listeners[${li}].certificateRefs`,
                message: `listener "${l.name}" is HTTPS but has no certificate to terminate TLS with, got []`,
                hint: 'reference a kubernetes.io/tls Secret, e.g. certificateRefs: [{ name: agents-tls }]',
              },
            ]
          : [],
      ),
    );
  },
};
