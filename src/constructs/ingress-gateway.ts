import type { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import type { IdentityHeaders, IngressGatewayInput } from '../model/index.js';
import type { Listener } from './listener.js';

export interface IngressGatewayProps {
  /** Gateway name. @default - the construct id */
  readonly name?: string;
  readonly namespace: string;
  readonly listeners: Listener[];
  /** GatewayClass of the Envoy Gateway installation. @default "eg" */
  readonly gatewayClassName?: string;
  /** Canonical identity header names for every agent behind this gateway. @default - x-user-id, x-tenant-id, x-user-roles, x-user-email, x-claim-<name> */
  readonly identityHeaders?: Partial<IdentityHeaders>;
  /** Time to receive a whole request. @default - the longest agent timeout behind the gateway */
  readonly requestTimeout?: Duration;
  /** Time a stream may be silent. @default - the longest agent timeout, at least Envoy's 300 s */
  readonly streamIdleTimeout?: Duration;
  /** Time a connection may be idle. @default - the longest agent timeout, at least Envoy's 1 h */
  readonly idleTimeout?: Duration;
  /** Timeout of a load balancer in front of the gateway, checked against agent timeouts. @default - none in front */
  readonly frontProxyTimeout?: Duration;
  /** Envoy Gateway's global rate limit service (Redis) is configured: agents behind the gateway may have quotas. @default false */
  readonly rateLimitService?: boolean;
  /** Client certificate validation (mTLS). @default - no client certificates */
  readonly clientValidation?: {
    /** ConfigMaps (or Secrets) with key ca.crt. */
    readonly caCertificates: { readonly kind?: 'ConfigMap' | 'Secret'; readonly name: string }[];
    /** @default "require" */
    readonly mode?: 'require' | 'optional';
  };
}

/**
 * A Gateway API Gateway in front of agents, with the ClientTrafficPolicy that strips spoofable identity
 * headers before authentication, keeps request ids, and keeps proxy timeouts above every agent's.
 */
export class IngressGateway extends Construct {
  readonly name: string;
  readonly namespace: string;

  constructor(scope: Construct, id: string, private readonly props: IngressGatewayProps) {
    super(scope, id);
    this.name = props.name ?? id;
    this.namespace = props.namespace;
  }

  /** The model input this construct contributes to its fleet. @internal */
  _toModel(): IngressGatewayInput {
    const p = this.props;
    const timeouts = {
      ...(p.requestTimeout && { requestSeconds: p.requestTimeout.toSeconds() }),
      ...(p.streamIdleTimeout && { streamIdleSeconds: p.streamIdleTimeout.toSeconds() }),
      ...(p.idleTimeout && { idleSeconds: p.idleTimeout.toSeconds() }),
    };
    return {
      name: this.name,
      namespace: this.namespace,
      listeners: p.listeners.map((l) => l.listener),
      ...(p.gatewayClassName !== undefined && { gatewayClassName: p.gatewayClassName }),
      ...(p.identityHeaders !== undefined && { identityHeaders: p.identityHeaders }),
      timeouts,
      ...(p.frontProxyTimeout && { frontProxyTimeoutSeconds: p.frontProxyTimeout.toSeconds() }),
      ...(p.rateLimitService !== undefined && { rateLimitService: p.rateLimitService }),
      ...(p.clientValidation && {
        clientValidation: {
          caCertificateRefs: p.clientValidation.caCertificates.map((c) => ({ kind: c.kind ?? 'ConfigMap', name: c.name })),
          mode: p.clientValidation.mode ?? 'require',
        },
      }),
    };
  }
}
