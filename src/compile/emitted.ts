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
}

type Emit<K extends string, P> = { readonly owner: EntityRef; readonly id: string; readonly kind: K; readonly props: P };

/** One object the compiler emits: its owner entity (its construct scope), a construct id, and typed L1 props. */
export type EmittedObject =
  | Emit<'Gateway', gwapi.GatewayProps>
  | Emit<'HTTPRoute', gwapi.HttpRouteProps>
  | Emit<'ReferenceGrant', gwapi.ReferenceGrantProps>
  | Emit<'ClientTrafficPolicy', eg.ClientTrafficPolicyProps>
  | Emit<'SecurityPolicy', eg.SecurityPolicyProps>
  | Emit<'EnvoyExtensionPolicy', eg.EnvoyExtensionPolicyProps>
  | Emit<'Workload', WorkloadSpec>;
