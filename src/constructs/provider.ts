import type { z } from 'zod';
import type { Provider as ProviderModel, SecretKeyRef } from '../model/index.js';

/** A key in a Kubernetes Secret. Only the reference is ever written; the value stays in the cluster. */
export interface SecretKey {
  readonly secretName: string;
  /** Key in the Secret. */
  readonly key: string;
  /** @default - the egress gateway namespace */
  readonly namespace?: string;
  /** Emit the ReferenceGrant that lets the egress namespace read a Secret kept in another namespace. @default false */
  readonly referenceGrant?: boolean;
}

export interface ProviderProps {
  /** Provider name, unique in the fleet; its route on the egress gateway is /<name>. @default - the kind, e.g. "openai" */
  readonly name?: string;
  /** The real key, injected by the egress gateway. */
  readonly credential: SecretKey;
  /** Keys chosen per verified tenant (bring-your-own-key). @default - one key for everyone */
  readonly perTenant?: { readonly keys: Record<string, SecretKey>; readonly unknown: 'fallback' | 'deny' };
  /** Models this provider serves, to check agents' model globs against. @default [] */
  readonly models?: string[];
}

type ModelInput = z.input<typeof ProviderModel>;

function ref(k: SecretKey): z.input<typeof SecretKeyRef> {
  return { secretName: k.secretName, key: k.key, ...(k.namespace && { namespace: k.namespace }), ...(k.referenceGrant && { referenceGrant: true }) };
}

function common(kind: string, props: ProviderProps) {
  return {
    name: props.name ?? kind,
    credential: ref(props.credential),
    ...(props.perTenant && { perTenant: { keys: Object.fromEntries(Object.entries(props.perTenant.keys).map(([t, k]) => [t, ref(k)])), unknown: props.perTenant.unknown } }),
    ...(props.models && { models: props.models }),
  };
}

/** An LLM provider agents may call through an egress gateway, with its real conventions (host, auth header, SDK variables). */
export class Provider {
  /** OpenAI: `Authorization: Bearer <key>`; SDKs read OPENAI_BASE_URL and OPENAI_API_KEY. */
  static openai(props: ProviderProps): Provider {
    return new Provider({ kind: 'openai', ...common('openai', props) });
  }
  /** Anthropic: `x-api-key: <key>`; SDKs read ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY. */
  static anthropic(props: ProviderProps): Provider {
    return new Provider({ kind: 'anthropic', ...common('anthropic', props) });
  }
  /** Google Gemini API: `x-goog-api-key` header (default) or `key` query parameter. */
  static google(props: ProviderProps & { readonly via?: 'header' | 'query' }): Provider {
    return new Provider({ kind: 'google', ...common('google', props), ...(props.via && { via: props.via }) });
  }
  /** Azure OpenAI: `api-key` header at <resource>.openai.azure.com. */
  static azureOpenai(props: ProviderProps & { readonly resource: string; readonly apiVersion?: string; readonly deployment?: string }): Provider {
    return new Provider({
      kind: 'azure-openai',
      ...common('azure-openai', props),
      resource: props.resource,
      ...(props.apiVersion && { apiVersion: props.apiVersion }),
      ...(props.deployment && { deployment: props.deployment }),
    });
  }
  /**
   * Google Vertex AI with a service account (credential: a Secret key holding the key file, named
   * service_account.json for AI Gateway). Needs an egress gateway with target 'ai-gateway'.
   */
  static vertexAi(props: ProviderProps & { readonly projectName: string; readonly region: string }): Provider {
    return new Provider({ kind: 'vertex-ai', ...common('vertex-ai', props), projectName: props.projectName, region: props.region });
  }
  /** Amazon Bedrock: AWS SigV4 in `region`; credential is a Secret key holding an AWS shared credentials file. */
  static bedrock(props: ProviderProps & { readonly region: string }): Provider {
    return new Provider({ kind: 'bedrock', ...common('bedrock', props), region: props.region });
  }
  /** Any other HTTPS API: host, and the header (with a value prefix) or query parameter the key goes in. */
  static custom(
    props: ProviderProps & {
      readonly name: string;
      readonly host: string;
      readonly port?: number;
      /** @default true */
      readonly tls?: boolean;
      readonly header?: string;
      readonly queryParam?: string;
      readonly prefix?: string;
      readonly baseUrlEnv?: string;
      readonly apiKeyEnv?: string;
    },
  ): Provider {
    const { credential: _c, perTenant: _t, models: _m, name: _n, ...rest } = props;
    return new Provider({ kind: 'custom', ...common(props.name, props), ...rest });
  }

  private constructor(
    /** The model input this provider lowers to. */
    readonly provider: ModelInput,
  ) {}

  get name(): string {
    return this.provider.name;
  }
}
