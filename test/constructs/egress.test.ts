import { describe, expect, it } from 'vitest';
import { Agent, EgressGateway, Provider } from '../../src/index.js';
import type { Fleet } from '../../src/index.js';
import { find, synth, type K8sObject } from './helpers.js';

const key = (secretName: string, k = 'credential') => ({ secretName, key: k });

/** The port of an agent's own listener on an egress gateway (`<namespace>.<name>`). */
function listenerPort(objects: K8sObject[], gateway: string, listener: string): number {
  const l = find(objects, 'Gateway', gateway).spec.listeners.find((x: { name: string }) => x.name === listener);
  if (!l) throw new Error(`no listener ${listener} on ${gateway}`);
  return l.port;
}

function providers() {
  return {
    openai: Provider.openai({ credential: key('openai') }),
    anthropic: Provider.anthropic({ credential: key('anthropic') }),
    google: Provider.google({ credential: key('google') }),
    azure: Provider.azureOpenai({ resource: 'acme-eu', credential: key('azure') }),
    bedrock: Provider.bedrock({ region: 'us-east-1', credential: key('aws', 'credentials') }),
    gemini: Provider.google({ name: 'gemini-query', via: 'query', credential: key('gemini-query') }),
  };
}

function egressFleet(f: Fleet) {
  const p = providers();
  new EgressGateway(f, 'llm', { namespace: 'agents-egress', providers: Object.values(p) });
  const agent = new Agent(f, 'bot', { namespace: 'team', image: 'i:1' });
  for (const provider of Object.values(p)) agent.allowProvider(provider);
  f.acknowledge('PC012', 'egress-only test agent');
  return p;
}

const podEnv = (objects: K8sObject[], name: string): { name: string; value?: string; valueFrom?: unknown }[] =>
  find(objects, 'Deployment', name).spec.template.spec.containers[0].env;

describe('EgressGateway on Envoy Gateway alone', () => {
  it('pins its Service name with an EnvoyProxy so agents know the base URL at synth', () => {
    const { objects, diagnostics } = synth(egressFleet);
    expect(diagnostics).toEqual([]);
    expect(find(objects, 'EnvoyProxy', 'llm').spec.provider.kubernetes.envoyService).toEqual({ name: 'llm', type: 'ClusterIP' });
    expect(find(objects, 'Gateway', 'llm').spec.infrastructure.parametersRef).toEqual({ group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: 'llm' });
  });

  it('injects each provider key into its own header with overwrite on, in the format the provider expects', () => {
    const { objects } = synth(egressFleet);
    const injection = (provider: string) => find(objects, 'HTTPRouteFilter', `${provider}-credential`).spec.credentialInjection;
    expect(injection('openai')).toEqual({ header: 'authorization', overwrite: true, credential: { valueRef: { group: '', kind: 'Secret', name: 'openai' } } });
    expect(injection('anthropic')).toMatchObject({ header: 'x-api-key', overwrite: true });
    expect(injection('google')).toMatchObject({ header: 'x-goog-api-key', overwrite: true });
    expect(injection('azure-openai')).toMatchObject({ header: 'api-key', overwrite: true });
    // SigV4 and query-parameter keys are the runtime's: no injector, an extension policy that fails closed
    for (const p of ['bedrock', 'gemini-query']) {
      expect(objects.some((o) => o.kind === 'HTTPRouteFilter' && o.metadata.name === `${p}-credential`)).toBe(false);
      expect(find(objects, 'EnvoyExtensionPolicy', `llm-${p}`).spec.extProc[0].failOpen).toBe(false);
    }
    // SigV4 signs the body: only that route buffers it
    expect(find(objects, 'EnvoyExtensionPolicy', 'llm-bedrock').spec.extProc[0].processingMode.request.body).toBe('Buffered');
    expect(find(objects, 'EnvoyExtensionPolicy', 'llm-gemini-query').spec.extProc[0].processingMode.request.body).toBeUndefined();
  });

  it('removes every foreign credential header on every provider route, but never one the injection writes', () => {
    const { objects } = synth(egressFleet);
    const routes = objects.filter((o) => o.kind === 'HTTPRoute' && o.metadata.namespace === 'agents-egress');
    expect(routes).toHaveLength(6);
    // route-level removal runs in the router, after the injector and the runtime wrote their headers
    const writes: Record<string, string[]> = {
      'llm-openai': ['authorization'],
      'llm-anthropic': ['x-api-key'],
      'llm-google': ['x-goog-api-key'],
      'llm-azure-openai': ['api-key'],
      'llm-bedrock': ['authorization', 'x-amz-security-token'], // the runtime's SigV4 signature
      'llm-gemini-query': [], // the key goes in the query string
    };
    for (const route of routes) {
      const filters = route.spec.rules[0].filters;
      const removed: string[] = filters.find((x: { type: string }) => x.type === 'RequestHeaderModifier').requestHeaderModifier.remove;
      const kept = writes[route.metadata.name]!;
      for (const h of ['authorization', 'x-api-key', 'api-key', 'x-goog-api-key', 'cookie', 'x-amz-security-token', 'x-aigw-api-key'])
        if (kept.includes(h)) expect(removed, `${route.metadata.name} would delete its own ${h}`).not.toContain(h);
        else expect(removed, `${route.metadata.name} keeps ${h}`).toContain(h);
      const injector = filters.find((x: { type: string }) => x.type === 'ExtensionRef');
      if (injector) expect([find(objects, 'HTTPRouteFilter', injector.extensionRef.name).spec.credentialInjection.header]).toEqual(kept);
      // the route reaches the provider's host over TLS verified against the system CAs
      const backend = find(objects, 'Backend', route.spec.rules[0].backendRefs[0].name);
      expect(backend.spec.tls).toMatchObject({ wellKnownCACertificates: 'System' });
      expect(filters[0].urlRewrite.hostname).toBe(backend.spec.endpoints[0].fqdn.hostname);
    }
  });

  it('gives the agent base URLs and placeholders, never a key or a reference to one', () => {
    const { objects } = synth(egressFleet);
    const env = Object.fromEntries(podEnv(objects, 'bot').map((e) => [e.name, e.value ?? e.valueFrom]));
    // the agent calls its own listener, above the gateway's own port
    const port = listenerPort(objects, 'llm', 'team.bot');
    expect(port).toBeGreaterThan(8080);
    expect(port).toBeLessThanOrEqual(9080);
    expect(env).toMatchObject({
      OPENAI_BASE_URL: `http://llm.envoy-gateway-system.svc.cluster.local:${port}/openai/v1`,
      OPENAI_API_KEY: 'portcullis-injected-by-proxy',
      ANTHROPIC_BASE_URL: `http://llm.envoy-gateway-system.svc.cluster.local:${port}/anthropic`,
      ANTHROPIC_API_KEY: 'portcullis-injected-by-proxy',
      AZURE_OPENAI_ENDPOINT: `http://llm.envoy-gateway-system.svc.cluster.local:${port}/azure-openai`,
      AZURE_OPENAI_API_KEY: 'portcullis-injected-by-proxy',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: `http://llm.envoy-gateway-system.svc.cluster.local:${port}/bedrock`,
      AWS_SECRET_ACCESS_KEY: 'portcullis-injected-by-proxy',
      AWS_REGION: 'us-east-1',
    });
    const pod = JSON.stringify(find(objects, 'Deployment', 'bot').spec.template);
    expect(pod).not.toContain('secretKeyRef');
    for (const secret of ['"openai"', '"anthropic"', '"google"', '"azure"', '"aws"']) expect(pod).not.toContain(secret);
  });

  it('lets the agent reach only DNS and its egress gateway proxies', () => {
    const { objects } = synth(egressFleet);
    const policy = find(objects, 'NetworkPolicy', 'bot-egress');
    expect(policy.spec.podSelector).toEqual({ matchLabels: { 'portcullis.dev/agent': 'bot' } });
    expect(policy.spec.policyTypes).toEqual(['Egress']);
    expect(policy.spec.egress).toEqual([
      expect.objectContaining({ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }),
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } },
            podSelector: { matchLabels: { 'gateway.envoyproxy.io/owning-gateway-name': 'llm', 'gateway.envoyproxy.io/owning-gateway-namespace': 'agents-egress' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: listenerPort(objects, 'llm', 'team.bot') }],
      },
    ]);
    // and the pods it selects carry that label
    expect(find(objects, 'Deployment', 'bot').spec.template.metadata.labels['portcullis.dev/agent']).toBe('bot');
    // the proxies reach public addresses on the providers' port, never private or metadata ranges
    const proxies = find(objects, 'NetworkPolicy', 'agents-egress-llm-egress');
    expect(proxies.metadata.namespace).toBe('envoy-gateway-system');
    expect(proxies.spec.egress[1].to[0].ipBlock.except).toEqual(expect.arrayContaining(['10.0.0.0/8', '169.254.0.0/16']));
  });

  it('admits only the agents granted a provider through it, and lets its proxies reach their control plane', () => {
    const proxyPolicy = (build: (f: Fleet) => void) => find(synth(build).objects, 'NetworkPolicy', 'agents-egress-llm-egress').spec;
    const build = (f: Fleet) => {
      const openai = Provider.openai({ credential: key('openai') });
      new EgressGateway(f, 'llm', { namespace: 'agents-egress', providers: [openai] });
      new Agent(f, 'bot', { namespace: 'team', image: 'i:1' }).allowProvider(openai);
      new Agent(f, 'other', { namespace: 'team', image: 'i:1' });
      f.acknowledge('PC012', 'egress-only test agents');
    };
    const spec = proxyPolicy(build);
    expect(spec.policyTypes).toEqual(['Ingress', 'Egress']);
    // any other pod calling the proxies would have a provider key injected for it
    expect(spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team' } }, podSelector: { matchLabels: { 'portcullis.dev/agent': 'bot' } } }],
        ports: [{ protocol: 'TCP', port: listenerPort(synth(build).objects, 'llm', 'team.bot') }],
      },
      { ports: [{ protocol: 'TCP', port: 19001 }] },
    ]);
    // without xDS the proxies never get their configuration; no runtime or rate limit service needed here
    expect(spec.egress.slice(2)).toEqual([
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } } }], ports: [{ protocol: 'TCP', port: 18000 }] },
    ]);

    const signed = proxyPolicy((f) => {
      const bedrock = Provider.bedrock({ region: 'eu-west-1', credential: key('aws', 'credentials') });
      new EgressGateway(f, 'llm', { namespace: 'agents-egress', providers: [bedrock], rateLimitService: true });
      new Agent(f, 'bot', { namespace: 'team', image: 'i:1' }).allowProvider(bedrock);
      f.acknowledge('PC012', 'egress-only test agent');
    });
    // SigV4 is signed by the runtime; budgets need the rate limit service
    expect(signed.egress.slice(2)).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } } }],
        ports: [
          { protocol: 'TCP', port: 18000 },
          { protocol: 'TCP', port: 8081 },
        ],
      },
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'portcullis-system' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'portcullis-runtime', 'app.kubernetes.io/instance': 'portcullis-runtime' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 9002 }],
      },
    ]);
  });
});

describe('EgressGateway on Envoy AI Gateway', () => {
  it('lowers to AIGatewayRoute, AIServiceBackend with header hygiene, and a BackendSecurityPolicy per provider', () => {
    const { objects, diagnostics } = synth((f) => {
      const openai = Provider.openai({ credential: key('openai', 'apiKey'), models: ['gpt-4.1', 'gpt-4.1-mini'] });
      const anthropic = Provider.anthropic({ credential: key('anthropic', 'apiKey') });
      const bedrock = Provider.bedrock({ region: 'eu-west-1', credential: key('aws', 'credentials') });
      new EgressGateway(f, 'ai', { namespace: 'agents-egress', target: 'ai-gateway', providers: [openai, anthropic, bedrock] });
      const agent = new Agent(f, 'bot', { namespace: 'team', image: 'i:1' });
      agent.allowProvider(openai, { models: ['gpt-4.1*'] });
      agent.allowProvider(anthropic);
      agent.allowProvider(bedrock);
      f.acknowledge('PC012', 'egress-only test agent');
    });
    expect(diagnostics).toEqual([]);
    const route = find(objects, 'AIGatewayRoute', 'ai');
    expect(route).toMatchSnapshot();
    expect(route.spec.rules.map((r: { name: string }) => r.name)).toEqual(['openai', 'anthropic', 'bedrock']);
    expect(route.spec.rules[0].matches[0].headers[0]).toEqual({ name: 'x-ai-eg-model', type: 'RegularExpression', value: '^(gpt-4\\.1.*)$' });
    expect(find(objects, 'BackendSecurityPolicy', 'openai').spec).toMatchObject({ type: 'APIKey', apiKey: { secretRef: { name: 'openai' } } });
    expect(find(objects, 'BackendSecurityPolicy', 'anthropic').spec).toMatchObject({ type: 'AnthropicAPIKey', anthropicAPIKey: { secretRef: { name: 'anthropic' } } });
    expect(find(objects, 'BackendSecurityPolicy', 'bedrock').spec).toMatchObject({ type: 'AWSCredentials', awsCredentials: { region: 'eu-west-1' } });
    // AI Gateway overwrites only the header it injects: the others must go
    expect(find(objects, 'AIServiceBackend', 'anthropic').spec.headerMutation.remove).toEqual(expect.arrayContaining(['authorization', 'cookie', 'api-key']));
    expect(find(objects, 'AIServiceBackend', 'openai').spec.headerMutation.remove).toContain('x-api-key');
    expect(find(objects, 'AIServiceBackend', 'openai').spec.schema).toEqual({ name: 'OpenAI', prefix: '/v1' });
    const env = Object.fromEntries(podEnv(objects, 'bot').map((e) => [e.name, e.value]));
    const port = listenerPort(objects, 'ai', 'team.bot');
    expect(env.OPENAI_BASE_URL).toBe(`http://ai.envoy-gateway-system.svc.cluster.local:${port}/v1`);
    expect(env.ANTHROPIC_BASE_URL).toBe(`http://ai.envoy-gateway-system.svc.cluster.local:${port}/anthropic`);
  });

  it('sends Azure OpenAI requests to the named deployment, with the api-key policy', () => {
    const { objects } = synth((f) => {
      const azure = Provider.azureOpenai({ resource: 'acme-eu', deployment: 'gpt-4o-eu', apiVersion: '2024-10-21', credential: key('azure', 'apiKey') });
      new EgressGateway(f, 'ai', { namespace: 'agents-egress', target: 'ai-gateway', providers: [azure] });
      new Agent(f, 'bot', { namespace: 'team', image: 'i:1' }).allowProvider(azure);
      f.acknowledge('PC012', 'egress-only test agent');
    });
    expect(find(objects, 'AIGatewayRoute', 'ai').spec.rules[0].backendRefs).toEqual([{ name: 'azure-openai', modelNameOverride: 'gpt-4o-eu' }]);
    expect(find(objects, 'AIServiceBackend', 'azure-openai').spec.schema).toEqual({ name: 'AzureOpenAI', version: '2024-10-21' });
    expect(find(objects, 'BackendSecurityPolicy', 'azure-openai').spec).toMatchObject({ type: 'AzureAPIKey', azureAPIKey: { secretRef: { name: 'azure' } } });
    expect(find(objects, 'Backend', 'azure-openai').spec.endpoints[0].fqdn.hostname).toBe('acme-eu.openai.azure.com');
  });

  it('authenticates Vertex AI with a GCP service account through GCPCredentials', () => {
    const { objects, diagnostics } = synth((f) => {
      const vertex = Provider.vertexAi({ projectName: 'acme-ml', region: 'europe-west4', credential: key('vertex-sa', 'service_account.json') });
      new EgressGateway(f, 'ai', { namespace: 'agents-egress', target: 'ai-gateway', providers: [vertex] });
      new Agent(f, 'bot', { namespace: 'team', image: 'i:1' }).allowProvider(vertex);
      f.acknowledge('PC012', 'egress-only test agent');
    });
    expect(diagnostics).toEqual([]);
    expect(find(objects, 'AIServiceBackend', 'vertex-ai').spec.schema).toEqual({ name: 'GCPVertexAI' });
    expect(find(objects, 'BackendSecurityPolicy', 'vertex-ai').spec).toMatchObject({
      type: 'GCPCredentials',
      gcpCredentials: { projectName: 'acme-ml', region: 'europe-west4', credentialsFile: { secretRef: { name: 'vertex-sa' } } },
    });
    expect(find(objects, 'Backend', 'vertex-ai').spec.endpoints[0].fqdn.hostname).toBe('europe-west4-aiplatform.googleapis.com');
  });

  it('counts token budgets per identity from AI Gateway cost metadata, checked before the call and charged after', () => {
    const { objects, diagnostics } = synth((f) => {
      const openai = Provider.openai({ credential: key('openai', 'apiKey'), models: ['gpt-4.1', 'gpt-4.1-mini'] });
      const anthropic = Provider.anthropic({ credential: key('anthropic', 'apiKey'), models: ['claude-sonnet-4-5'] });
      new EgressGateway(f, 'ai', { namespace: 'agents-egress', target: 'ai-gateway', providers: [openai, anthropic], rateLimitService: true });
      const agent = new Agent(f, 'bot', { namespace: 'team', image: 'i:1' });
      agent.allowProvider(openai, { tokenBudget: { key: 'user', tokens: 50_000, per: 'day', count: 'output' } });
      agent.allowProvider(anthropic, { tokenBudget: { key: 'tenant', tokens: 1_000_000, per: 'month' } });
      f.acknowledge('PC012', 'egress-only test agent');
    });
    expect(diagnostics).toEqual([]);
    expect(find(objects, 'AIGatewayRoute', 'ai').spec.llmRequestCosts).toEqual([
      { metadataKey: 'llm_output_token', type: 'OutputToken' },
      { metadataKey: 'llm_total_token', type: 'TotalToken' },
    ]);
    const btp = find(objects, 'BackendTrafficPolicy', 'ai-limits');
    expect(btp.spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'ai' }]);
    const [perUser, perTenant] = btp.spec.rateLimit.global.rules;
    expect(perUser).toEqual({
      clientSelectors: [{ headers: [{ name: 'x-portcullis-agent', type: 'Exact', value: 'team/bot' }, { name: 'x-user-id', type: 'Distinct' }, { name: 'x-ai-eg-model', type: 'RegularExpression', value: '^(gpt-4\\.1|gpt-4\\.1-mini)$' }] }],
      limit: { requests: 50_000, unit: 'Day' },
      cost: { request: { from: 'Number', number: 0 }, response: { from: 'Metadata', metadata: { namespace: 'io.envoy.ai_gateway', key: 'llm_output_token' } } },
    });
    expect(perTenant.clientSelectors[0].headers[1]).toEqual({ name: 'x-tenant-id', type: 'Distinct' });
    expect(perTenant.limit).toEqual({ requests: 1_000_000, unit: 'Month' });
  });

  it('limits calls to a provider per identity, on its own route when Envoy Gateway alone is the egress', () => {
    const { objects, diagnostics } = synth((f) => {
      const openai = Provider.openai({ credential: key('openai') });
      new EgressGateway(f, 'llm', { namespace: 'agents-egress', providers: [openai], rateLimitService: true });
      new Agent(f, 'bot', { namespace: 'team', image: 'i:1' }).allowProvider(openai, { requestLimit: { key: 'user', requests: 30, per: 'minute' } });
      f.acknowledge('PC012', 'egress-only test agent');
    });
    expect(diagnostics).toEqual([]);
    const btp = find(objects, 'BackendTrafficPolicy', 'llm-openai-limits');
    expect(btp.spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'llm-openai' }]);
    expect(btp.spec.rateLimit.global.rules).toEqual([
      { clientSelectors: [{ headers: [{ name: 'x-portcullis-agent', type: 'Exact', value: 'team/bot' }, { name: 'x-user-id', type: 'Distinct' }] }], limit: { requests: 30, unit: 'Minute' } },
    ]);
  });

  it('selects per-tenant keys through the runtime and credentialOverride from dynamic metadata', () => {
    const { objects } = synth((f) => {
      const openai = Provider.openai({
        credential: key('openai-default', 'apiKey'),
        perTenant: { keys: { globex: key('openai-globex', 'apiKey') }, unknown: 'deny' },
      });
      new EgressGateway(f, 'ai', { namespace: 'agents-egress', target: 'ai-gateway', providers: [openai] });
      new Agent(f, 'bot', { namespace: 'team', image: 'i:1' }).allowProvider(openai);
      f.acknowledge('PC012', 'egress-only test agent');
    });
    expect(find(objects, 'BackendSecurityPolicy', 'openai').spec.credentialOverride).toEqual({
      fromDynamicMetadata: { namespace: 'io.portcullis.egress', key: 'credential', fallbackToConfigured: false },
    });
    const eep = find(objects, 'EnvoyExtensionPolicy', 'ai');
    expect(eep.spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'ai' }]);
    expect(eep.spec.extProc[0].metadata).toEqual({ writableNamespaces: ['io.portcullis.egress'] });
    expect(find(objects, 'ReferenceGrant', 'portcullis-runtime-from-agents-egress').spec.from[0].namespace).toBe('agents-egress');
  });
});

describe('egress secure defaults', () => {
  it('fails when an agent is handed a provider key, in env or from a Secret', () => {
    const { diagnostics } = synth((f) => {
      const openai = Provider.openai({ credential: key('openai') });
      new EgressGateway(f, 'llm', { namespace: 'agents-egress', providers: [openai] });
      new Agent(f, 'bot', {
        namespace: 'team',
        image: 'i:1',
        env: { OPENAI_API_KEY: 'not-a-placeholder' },
        secretEnv: { API_TOKEN: { secretName: 'openai', key: 'credential' } },
      }).allowProvider(openai);
      f.acknowledge('PC012', 'egress-only test agent');
    });
    expect(diagnostics.map((d) => `${d.code} ${d.field}`)).toEqual(['PC020 env.OPENAI_API_KEY', 'PC020 secretEnv.API_TOKEN']);
    expect(JSON.stringify(diagnostics)).not.toContain('not-a-placeholder');
  });

  it('emits a ReferenceGrant for a provider Secret in another namespace only when asked', () => {
    const build = (referenceGrant: boolean) =>
      synth((f) => {
        const openai = Provider.openai({ credential: { secretName: 'openai', key: 'credential', namespace: 'vault', referenceGrant } });
        new EgressGateway(f, 'llm', { namespace: 'agents-egress', providers: [openai] });
        new Agent(f, 'bot', { namespace: 'team', image: 'i:1' }).allowProvider(openai);
        f.acknowledge('PC012', 'egress-only test agent');
      });
    expect(build(false).diagnostics.map((d) => d.code)).toEqual(['PC026']);
    const { objects, diagnostics } = build(true);
    expect(diagnostics).toEqual([]);
    const grant = find(objects, 'ReferenceGrant', 'openai-from-agents-egress');
    expect(grant.metadata.namespace).toBe('vault');
    expect(grant.spec).toEqual({
      from: [{ group: 'gateway.envoyproxy.io', kind: 'HTTPRouteFilter', namespace: 'agents-egress' }],
      to: [{ group: '', kind: 'Secret', name: 'openai' }],
    });
    expect(find(objects, 'HTTPRouteFilter', 'openai-credential').spec.credentialInjection.credential.valueRef.namespace).toBe('vault');
  });

  it('lets an agent reach only the providers it was granted, and on AI Gateway only its own models', () => {
    const grants = (target: 'envoy-gateway' | 'ai-gateway') =>
      synth((f) => {
        const openai = Provider.openai({ credential: key('openai', target === 'ai-gateway' ? 'apiKey' : 'credential') });
        const anthropic = Provider.anthropic({ credential: key('anthropic', target === 'ai-gateway' ? 'apiKey' : 'credential') });
        const google = Provider.google({ credential: key('google', target === 'ai-gateway' ? 'apiKey' : 'credential') });
        new EgressGateway(f, 'llm', { namespace: 'agents-egress', target, providers: [openai, anthropic, google] });
        const a = new Agent(f, 'a', { namespace: 'team', image: 'i:1' });
        a.allowProvider(openai, { models: ['gpt-4.1-mini'] });
        a.allowProvider(anthropic);
        new Agent(f, 'b', { namespace: 'team', image: 'i:1' }).allowProvider(openai, { models: ['gpt-4.1'] });
        f.acknowledge('PC012', 'egress-only test agents');
        f.acknowledge('PC028', 'the Envoy Gateway variant cannot read models; the point here is grants');
      }).objects;

    // Envoy Gateway alone: an authorization policy per provider route admits exactly its grantees
    const eg = grants('envoy-gateway');
    const admitted = (route: string) => find(eg, 'SecurityPolicy', route).spec.authorization;
    expect(admitted('llm-openai')).toEqual({
      defaultAction: 'Deny',
      rules: [{ name: 'granted-agents', action: 'Allow', principal: { headers: [{ name: 'x-portcullis-agent', values: ['team/a', 'team/b'] }] } }],
    });
    expect(admitted('llm-anthropic').rules[0].principal.headers[0].values).toEqual(['team/a']);
    expect(find(eg, 'SecurityPolicy', 'llm-openai').spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'llm-openai' }]);
    // a provider nobody was granted gets no route at all
    expect(eg.filter((o) => o.metadata.name.includes('google'))).toEqual([]);

    // AI Gateway: each agent's models, from its own listener
    const ai = grants('ai-gateway');
    const rules = find(ai, 'AIGatewayRoute', 'llm').spec.rules;
    expect(rules.map((r: { name: string }) => r.name)).toEqual(['openai', 'anthropic']);
    expect(rules[0].matches).toEqual([
      { headers: [{ name: 'x-ai-eg-model', type: 'RegularExpression', value: '^(gpt-4\\.1-mini)$' }, { name: 'x-portcullis-agent', type: 'Exact', value: 'team/a' }] },
      { headers: [{ name: 'x-ai-eg-model', type: 'RegularExpression', value: '^(gpt-4\\.1)$' }, { name: 'x-portcullis-agent', type: 'Exact', value: 'team/b' }] },
    ]);
    expect(rules[1].matches).toEqual([{ headers: [{ name: 'x-ai-eg-model', type: 'RegularExpression', value: '.*' }, { name: 'x-portcullis-agent', type: 'Exact', value: 'team/a' }] }]);

    // the model header is AI Gateway's to set: one an agent sends goes before any filter, on every listener
    const early = (objects: K8sObject[]) =>
      Object.fromEntries(objects.filter((o) => o.kind === 'ClientTrafficPolicy').map((o) => [o.metadata.name, o.spec.headers.earlyRequestHeaders]));
    expect(early(ai)).toEqual({
      llm: { remove: ['x-portcullis-agent', 'x-ai-eg-model'] },
      'llm.team.a': { set: [{ name: 'x-portcullis-agent', value: 'team/a' }], remove: ['x-ai-eg-model'] },
      'llm.team.b': { set: [{ name: 'x-portcullis-agent', value: 'team/b' }], remove: ['x-ai-eg-model'] },
    });
    // without AI Gateway nothing reads it
    expect(early(eg)).toEqual({
      llm: { remove: ['x-portcullis-agent'] },
      'llm.team.a': { set: [{ name: 'x-portcullis-agent', value: 'team/a' }] },
      'llm.team.b': { set: [{ name: 'x-portcullis-agent', value: 'team/b' }] },
    });
  });
});
