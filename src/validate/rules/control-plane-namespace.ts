import type { Rule, Finding } from '../rule.js';
import { agentRef, gatewayRef } from '../rule.js';

/** The namespace Envoy Gateway itself runs in; policies placed there are silently not enforced. */
export const CONTROL_PLANE_NAMESPACE = 'envoy-gateway-system';

export const controlPlaneNamespace: Rule = {
  code: 'PC002',
  severity: 'error',
  title: 'gateway or agent in the Envoy Gateway control-plane namespace',
  check(fleet) {
    const hint = 'move it to a namespace of its own, e.g. "agents-edge"';
    const found: Finding[] = [];
    fleet.gateways.forEach((g, i) => {
      if (g.namespace === CONTROL_PLANE_NAMESPACE)
        found.push({
          entity: gatewayRef(i),
          field: 'namespace',
          message: `a gateway in ${CONTROL_PLANE_NAMESPACE} has its policies silently not enforced by Envoy Gateway, got "${g.namespace}"`,
          hint,
        });
    });
    fleet.egressGateways.forEach((g, i) => {
      if (g.namespace === CONTROL_PLANE_NAMESPACE)
        found.push({
          entity: { kind: 'egressGateway', index: i },
          field: 'namespace',
          message: `an egress gateway in ${CONTROL_PLANE_NAMESPACE} has its policies silently not enforced by Envoy Gateway, got "${g.namespace}"`,
          hint,
        });
    });
    fleet.agents.forEach((a, i) => {
      if (a.namespace === CONTROL_PLANE_NAMESPACE)
        found.push({
          entity: agentRef(i),
          field: 'namespace',
          message: `policies of an agent in ${CONTROL_PLANE_NAMESPACE} are silently not enforced by Envoy Gateway, got "${a.namespace}"`,
          hint,
        });
    });
    return found;
  },
};
