import * as eg from '../../imports/gateway.envoyproxy.io.js';
import type { RuntimeRef } from '../../model/index.js';

/** Envoy's default per-message budget is 200 ms; the runtime may refresh a JWKS within one message. */
export const RUNTIME_MESSAGE_TIMEOUT = '500ms';

export interface RuntimeCall {
  /** Request attributes Envoy sends along; `xds.route_name` tells the runtime which route (agent) this is. */
  readonly attributes: readonly string[];
  /** Buffer the request body (SigV4 signs it); headers only otherwise. */
  readonly bufferBody?: boolean;
  /** Dynamic metadata namespaces the runtime may write, e.g. a per-tenant key for AI Gateway. */
  readonly writableNamespaces?: readonly string[];
}

/**
 * The ext_proc entry that sends a route's requests to the portcullis runtime. Fails closed: if the
 * runtime is unreachable, the request is refused.
 */
export function runtimeExtProc(runtime: RuntimeRef, call: RuntimeCall): eg.EnvoyExtensionPolicySpecExtProc {
  return {
    backendRefs: [{ group: '', kind: 'Service', name: runtime.name, namespace: runtime.namespace, port: runtime.port }],
    processingMode: {
      request: {
        attributes: [...call.attributes],
        ...(call.bufferBody && { body: eg.EnvoyExtensionPolicySpecExtProcProcessingModeRequestBody.BUFFERED }),
      },
    },
    messageTimeout: RUNTIME_MESSAGE_TIMEOUT,
    failOpen: false,
    ...(call.writableNamespaces && { metadata: { writableNamespaces: [...call.writableNamespaces] } }),
  };
}
