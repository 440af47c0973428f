import * as eg from '../imports/gateway.envoyproxy.io.js';
import * as gwapi from '../imports/gateway.networking.k8s.io.js';
import type { Fleet } from '../model/index.js';
import type { EmittedObject } from './emitted.js';
import { GATEWAY_API_GROUP, gatewayLabels, seconds } from './meta.js';
import type { GatewayPlan } from './plan.js';

/** Gateway listeners admit routes only from the namespaces of the agents exposed on them. */
function allowedRoutes(plan: GatewayPlan): gwapi.GatewaySpecListenersAllowedRoutes {
  const namespaces = [...new Set(plan.agents.map((a) => a.agent.namespace))].sort();
  return {
    kinds: [{ group: GATEWAY_API_GROUP, kind: 'HTTPRoute' }],
    namespaces:
      namespaces.length === 0
        ? { from: gwapi.GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME }
        : {
            from: gwapi.GatewaySpecListenersAllowedRoutesNamespacesFrom.SELECTOR,
            selector: {
              matchExpressions: [
                { key: 'kubernetes.io/metadata.name', operator: 'In', values: namespaces },
              ],
            },
          },
  };
}

function gateway(fleet: Fleet, plan: GatewayPlan): EmittedObject {
  const g = plan.gateway;
  return {
    owner: { kind: 'gateway', index: plan.index },
    id: 'gateway',
    kind: 'Gateway',
    props: {
      metadata: { name: g.name, namespace: g.namespace, labels: gatewayLabels(fleet, g) },
      spec: {
        gatewayClassName: g.gatewayClassName,
        listeners: g.listeners.map((l) => ({
          name: l.name,
          protocol: l.protocol,
          port: l.port,
          ...(l.hostname && { hostname: l.hostname }),
          ...(l.protocol === 'HTTPS' && {
            tls: {
              mode: gwapi.GatewaySpecListenersTlsMode.TERMINATE,
              certificateRefs: l.certificateRefs.map((c) => ({ group: '', kind: 'Secret', name: c.name, ...(c.namespace && { namespace: c.namespace }) })),
            },
          }),
          allowedRoutes: allowedRoutes(plan),
        })),
      },
    },
  };
}

/**
 * The ClientTrafficPolicy: removes spoofable identity headers before routing and every filter, keeps or
 * generates x-request-id, sets proxy timeouts no shorter than the longest agent timeout, and validates
 * client certificates where mTLS is configured.
 */
function clientTrafficPolicy(fleet: Fleet, plan: GatewayPlan): EmittedObject {
  const g = plan.gateway;
  const cv = g.clientValidation;
  return {
    owner: { kind: 'gateway', index: plan.index },
    id: 'client-traffic-policy',
    kind: 'ClientTrafficPolicy',
    props: {
      metadata: { name: g.name, namespace: g.namespace, labels: gatewayLabels(fleet, g) },
      spec: {
        targetRefs: [{ group: GATEWAY_API_GROUP, kind: 'Gateway', name: g.name }],
        headers: {
          earlyRequestHeaders: { remove: [...plan.earlyRemovedHeaders] },
          requestId: eg.ClientTrafficPolicySpecHeadersRequestId.PRESERVE_OR_GENERATE,
          ...(cv && {
            xForwardedClientCert: {
              mode: eg.ClientTrafficPolicySpecHeadersXForwardedClientCertMode.SANITIZE_SET,
              certDetailsToAdd: [
                eg.ClientTrafficPolicySpecHeadersXForwardedClientCertCertDetailsToAdd.SUBJECT,
                eg.ClientTrafficPolicySpecHeadersXForwardedClientCertCertDetailsToAdd.URI,
                eg.ClientTrafficPolicySpecHeadersXForwardedClientCertCertDetailsToAdd.DNS,
              ],
            },
          }),
        },
        timeout: {
          http: {
            requestReceivedTimeout: seconds(plan.timeouts.requestSeconds),
            streamIdleTimeout: seconds(plan.timeouts.streamIdleSeconds),
            idleTimeout: seconds(plan.timeouts.idleSeconds),
          },
        },
        ...(cv && {
          tls: {
            clientValidation: {
              caCertificateRefs: cv.caCertificateRefs.map((r) => ({ group: '', kind: r.kind, name: r.name })),
              mode:
                cv.mode === 'require'
                  ? eg.ClientTrafficPolicySpecTlsClientValidationMode.REQUIRE_AND_VERIFY
                  : eg.ClientTrafficPolicySpecTlsClientValidationMode.VERIFY_IF_GIVEN,
            },
          },
        }),
      },
    },
  };
}

/** Lets a Gateway use TLS certificates kept in another namespace. */
function certificateGrants(fleet: Fleet, plan: GatewayPlan): EmittedObject[] {
  const g = plan.gateway;
  const foreign = [...new Set(g.listeners.flatMap((l) => l.certificateRefs).filter((c) => c.namespace && c.namespace !== g.namespace).map((c) => c.namespace!))].sort();
  return foreign.map((ns) => ({
    owner: { kind: 'gateway', index: plan.index },
    id: `certificates-${ns}`,
    kind: 'ReferenceGrant',
    props: {
      metadata: { name: `${g.name}-certificates`, namespace: ns, labels: gatewayLabels(fleet, g) },
      spec: {
        from: [{ group: GATEWAY_API_GROUP, kind: 'Gateway', namespace: g.namespace }],
        to: [{ group: '', kind: 'Secret' }],
      },
    },
  }));
}

export function lowerGateway(fleet: Fleet, plan: GatewayPlan): EmittedObject[] {
  return [gateway(fleet, plan), clientTrafficPolicy(fleet, plan), ...certificateGrants(fleet, plan)];
}
