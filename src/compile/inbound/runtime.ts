import type * as eg from '../../imports/gateway.envoyproxy.io.js';
import type { AgentPlan } from '../plan.js';
import type { RuntimeRef } from '../../model/index.js';

/** Envoy's default per-message budget is 200 ms; the runtime may refresh a JWKS within one message. */
export const RUNTIME_MESSAGE_TIMEOUT = '500ms';

/**
 * The ext_proc entry that sends request headers to the portcullis runtime. Fails closed: if the runtime
 * is unreachable the request is refused. The route name tells the runtime which agent's chain to run.
 */
export function runtimeExtProc(plan: AgentPlan, runtime: RuntimeRef): eg.EnvoyExtensionPolicySpecExtProc {
  const needsSource = plan.agent.auth.some((m) => m.type === 'edgeTrust' && m.trustedCidrs.length > 0);
  return {
    backendRefs: [{ group: '', kind: 'Service', name: runtime.name, namespace: runtime.namespace, port: runtime.port }],
    processingMode: { request: { attributes: ['xds.route_name', ...(needsSource ? ['source.address'] : [])] } },
    messageTimeout: RUNTIME_MESSAGE_TIMEOUT,
    failOpen: false,
  };
}
