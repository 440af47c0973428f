import type { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import type { AgentInput } from '../model/index.js';
import type { Auth, AuthorizationHeader } from './auth.js';
import type { EgressGateway } from './egress-gateway.js';
import type { IngressGateway } from './ingress-gateway.js';
import type { Provider } from './provider.js';

export interface AgentProps {
  /** Agent name: its Deployment, Service, ServiceAccount, HTTPRoute and policies are named after it. @default - the construct id */
  readonly name?: string;
  readonly namespace: string;
  /** Container image, pinned by tag or digest. */
  readonly image: string;
  /** Port the agent listens on. @default 8080 */
  readonly port?: number;
  /** @default 2 */
  readonly replicas?: number;
  /** @default - cpu 250m/1, memory 256Mi/512Mi (request/limit) */
  readonly resources?: {
    readonly cpu: { readonly request: string; readonly limit: string };
    readonly memory: { readonly request: string; readonly limit: string };
  };
  /** Plain environment variables. Never secrets: synth fails on a value that looks like one. @default {} */
  readonly env?: Record<string, string>;
  /** Environment variables from Secrets in the agent namespace. Never provider keys: synth fails on those. @default {} */
  readonly secretEnv?: Record<string, { readonly secretName: string; readonly key: string }>;
  /** In-cluster services the agent may call; its egress is otherwise DNS and its egress gateways only. @default [] */
  readonly inClusterEgress?: { readonly namespace: string; readonly podLabels?: Record<string, string>; readonly port: number }[];
  /**
   * Request limits per verified identity, e.g. `{ key: 'user', requests: 60, per: 'minute' }`. Needs the
   * gateway's rateLimitService. @default - no limits
   */
  readonly quotas?: Quota[];
  /** Request timeout of the agent; the route and every proxy timeout in front honour it. @default Duration.seconds(100) */
  readonly timeout?: Duration;
  /** Ordered chain of accepted credentials; the first to accept wins. @default - none: the agent is not exposed */
  readonly auth?: Auth[];
  /** What happens to the caller's Authorization header. @default AuthorizationHeader.strip() */
  readonly authorizationHeader?: AuthorizationHeader;
}

/** Whose requests a quota counts, or whose value picks its tier. */
export type QuotaKey = 'user' | 'tenant' | { readonly header: string };

/** Different limits per value of an identity, e.g. `{ by: { header: 'x-claim-plan' }, limits: { pro: 600 } }`. */
export interface Tiers {
  /** The identity whose value picks the tier. */
  readonly by: QuotaKey;
  /** Tier value (compared exactly) -> the limit for each distinct key value of that tier. */
  readonly limits: Record<string, number>;
}

/** A request limit per verified identity on the agent's route. */
export interface Quota {
  /** Whose requests are counted: each distinct value of this identity has its own count. */
  readonly key: QuotaKey;
  /** Requests per period; with tiers, for every caller whose tier value is not listed or absent. */
  readonly requests: number;
  readonly per: 'second' | 'minute' | 'hour' | 'day';
  /**
   * Different limits per value of an identity, e.g. `{ by: { header: 'x-claim-plan' }, limits: { pro: 600 } }`.
   * @default - one limit for everyone
   */
  readonly tiers?: Tiers;
  /**
   * Requests per period shared by every caller without a value for the key (an auth path that sets no such
   * identity, a token without the claim). @default - such callers are not counted by this quota
   */
  readonly unidentified?: number;
}

export interface AllowProviderOptions {
  /** Model globs the agent may use, e.g. "claude-sonnet-4*". @default - any model the provider serves */
  readonly models?: string[];
  /** The egress gateway to go through. @default - the only egress gateway that allows the provider */
  readonly via?: EgressGateway;
  /**
   * LLM tokens per verified user or tenant per period, counted by AI Gateway (the egress gateway needs
   * target 'ai-gateway' and rateLimitService). @default - no budget
   */
  readonly tokenBudget?: {
    /** Whose tokens: each verified user or tenant among this agent's calls, or the agent's calls together. */
    readonly key: 'user' | 'tenant' | 'agent';
    readonly tokens: number;
    readonly per: 'hour' | 'day' | 'month';
    readonly count?: 'input' | 'output' | 'total';
    /** Different budgets per value of an identity the agent forwards; any other value or none gets `tokens`. @default - one budget */
    readonly tiers?: Tiers;
  };
  /** Calls to the provider per verified user or tenant per period (the egress gateway needs rateLimitService). @default - no limit */
  readonly requestLimit?: {
    /** Whose calls: each verified user or tenant among this agent's calls, or the agent's calls together. */
    readonly key: 'user' | 'tenant' | 'agent';
    readonly requests: number;
    readonly per: 'second' | 'minute' | 'hour' | 'day';
    /** Different limits per value of an identity the agent forwards; any other value or none gets `requests`. @default - one limit */
    readonly tiers?: Tiers;
  };
}

export interface ExposeOptions {
  /** Hostnames the route matches. @default - the listeners' hostnames */
  readonly hostnames?: string[];
  /** @default "/" */
  readonly pathPrefix?: string;
  /** Listener names to attach to. @default - every HTTPS listener (every listener if none is HTTPS) */
  readonly listeners?: string[];
}

/** An AI agent: its workload, and, once exposed with auth, its route and the policy that guards it. */
export class Agent extends Construct {
  readonly name: string;
  readonly namespace: string;
  private readonly auth: Auth[];
  private expose?: { gateway: IngressGateway; options: ExposeOptions };
  private readonly grants: { provider: Provider; options: AllowProviderOptions }[] = [];
  /** Providers this agent may call. */
  get providers(): readonly Provider[] {
    return this.grants.map((g) => g.provider);
  }

  constructor(scope: Construct, id: string, private readonly props: AgentProps) {
    super(scope, id);
    this.name = props.name ?? id;
    this.namespace = props.namespace;
    this.auth = [...(props.auth ?? [])];
  }

  /** Appends methods to the auth chain. */
  addAuth(...methods: Auth[]): void {
    this.auth.push(...methods);
  }

  /**
   * Lets the agent call a provider through an egress gateway: its Deployment gets the SDK base-URL
   * variables pointing at the gateway and a placeholder key, never the key.
   */
  allowProvider(provider: Provider, options: AllowProviderOptions = {}): void {
    this.grants.push({ provider, options });
  }

  /** Routes the gateway to this agent. Without auth the route is still not emitted (secure default). */
  exposeVia(gateway: IngressGateway, options: ExposeOptions = {}): void {
    if (this.expose) throw new Error(`agent ${this.node.path} is already exposed via ${this.expose.gateway.node.path}; an agent has one ingress gateway`);
    this.expose = { gateway, options };
  }

  /** The model input this construct contributes to its fleet. @internal */
  _toModel(): AgentInput {
    const p = this.props;
    return {
      name: this.name,
      namespace: this.namespace,
      image: p.image,
      ...(p.port !== undefined && { port: p.port }),
      ...(p.replicas !== undefined && { replicas: p.replicas }),
      ...(p.resources !== undefined && { resources: p.resources }),
      ...(p.env !== undefined && { env: p.env }),
      ...(p.secretEnv !== undefined && { secretEnv: p.secretEnv }),
      ...(p.inClusterEgress !== undefined && { inClusterEgress: p.inClusterEgress }),
      ...(p.quotas !== undefined && { quotas: p.quotas }),
      ...(p.timeout !== undefined && { timeoutSeconds: p.timeout.toSeconds() }),
      ...(this.expose && {
        expose: {
          gateway: `${this.expose.gateway.namespace}/${this.expose.gateway.name}`,
          ...(this.expose.options.hostnames && { hostnames: this.expose.options.hostnames }),
          ...(this.expose.options.pathPrefix && { pathPrefix: this.expose.options.pathPrefix }),
          ...(this.expose.options.listeners && { listeners: this.expose.options.listeners }),
        },
      }),
      auth: this.auth.map((a) => a.method),
      ...(p.authorizationHeader && { authorizationHeader: p.authorizationHeader.mode }),
      providers: this.grants.map(({ provider, options }) => ({
        provider: provider.name,
        ...(options.models && { models: options.models }),
        ...(options.via && { egressGateway: `${options.via.namespace}/${options.via.name}` }),
        ...(options.tokenBudget && { tokenBudget: options.tokenBudget }),
        ...(options.requestLimit && { requestLimit: options.requestLimit }),
      })),
    };
  }
}
