import { Construct } from 'constructs';
import type { z } from 'zod';
import type { EgressGateway as EgressGatewayModel } from '../model/index.js';
import type { Provider } from './provider.js';

export interface EgressGatewayProps {
  /** @default - the construct id */
  readonly name?: string;
  /** Never the Envoy Gateway control-plane namespace. */
  readonly namespace: string;
  /** The only providers this gateway can reach. */
  readonly providers: Provider[];
  /** Envoy Gateway alone, or Envoy AI Gateway (AIGatewayRoute, AIServiceBackend, BackendSecurityPolicy). @default "envoy-gateway" */
  readonly target?: 'envoy-gateway' | 'ai-gateway';
  /** @default "eg" */
  readonly gatewayClassName?: string;
  /** Fixed name of the proxies' Service (agents' base URLs use it). @default - the gateway name */
  readonly serviceName?: string;
  /** In-cluster port agents call. @default 8080 */
  readonly port?: number;
  /** Envoy Gateway's global rate limit service (Redis) is configured: grants may carry token budgets. @default false */
  readonly rateLimitService?: boolean;
  /** Where the proxies may connect. @default - public addresses only (no private, link-local or metadata ranges) */
  readonly egressCidrs?: string[];
}

/** The only way out for agents: a Gateway whose routes reach declared providers and inject their keys. */
export class EgressGateway extends Construct {
  readonly name: string;
  readonly namespace: string;
  readonly providers: readonly Provider[];

  constructor(scope: Construct, id: string, private readonly props: EgressGatewayProps) {
    super(scope, id);
    this.name = props.name ?? id;
    this.namespace = props.namespace;
    this.providers = [...props.providers];
  }

  /** @internal */
  _toModel(): z.input<typeof EgressGatewayModel> {
    const p = this.props;
    return {
      name: this.name,
      namespace: this.namespace,
      providers: p.providers.map((x) => x.name),
      ...(p.target && { target: p.target }),
      ...(p.gatewayClassName && { gatewayClassName: p.gatewayClassName }),
      ...(p.serviceName && { serviceName: p.serviceName }),
      ...(p.port !== undefined && { port: p.port }),
      ...(p.egressCidrs && { egressCidrs: p.egressCidrs }),
      ...(p.rateLimitService !== undefined && { rateLimitService: p.rateLimitService }),
    };
  }
}
