import type * as aigw from '../imports/aigateway.envoyproxy.io.js';
import type * as eg from '../imports/gateway.envoyproxy.io.js';
import type * as gwapi from '../imports/gateway.networking.k8s.io.js';
import type { EntityRef } from '../model/index.js';

/** An agent's pod, service account and Service, rendered by the constructs layer with cdk8s-plus. */
export interface WorkloadSpec {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly image: string;
  readonly port: number;
  readonly replicas: number;
  readonly resources: { cpu: { request: string; limit: string }; memory: { request: string; limit: string } };
  readonly env: Record<string, string>;
  readonly secretEnv: Record<string, { secretName: string; key: string }>;
}

/** A core object without typed bindings in this project (NetworkPolicy), as plain manifest JSON. */
export interface PlainObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace: string; labels: Record<string, string> };
  readonly spec: Record<string, unknown>;
}

type Emit<K extends string, P> = { readonly owner: EntityRef; readonly id: string; readonly kind: K; readonly props: P };

/** One object the compiler emits: its owner entity (its construct scope), a construct id, and typed L1 props. */
export type EmittedObject =
  | Emit<'Gateway', gwapi.GatewayProps>
  | Emit<'HTTPRoute', gwapi.HttpRouteProps>
  | Emit<'ReferenceGrant', gwapi.ReferenceGrantProps>
  | Emit<'ClientTrafficPolicy', eg.ClientTrafficPolicyProps>
  | Emit<'SecurityPolicy', eg.SecurityPolicyProps>
  | Emit<'BackendTrafficPolicy', eg.BackendTrafficPolicyProps>
  | Emit<'EnvoyExtensionPolicy', eg.EnvoyExtensionPolicyProps>
  | Emit<'EnvoyProxy', eg.EnvoyProxyProps>
  | Emit<'Backend', eg.BackendProps>
  | Emit<'HTTPRouteFilter', eg.HttpRouteFilterProps>
  | Emit<'AIGatewayRoute', aigw.AiGatewayRouteV1Beta1Props>
  | Emit<'AIServiceBackend', aigw.AiServiceBackendV1Beta1Props>
  | Emit<'BackendSecurityPolicy', aigw.BackendSecurityPolicyV1Beta1Props>
  | Emit<'Plain', PlainObject>
  | Emit<'Workload', WorkloadSpec>;
