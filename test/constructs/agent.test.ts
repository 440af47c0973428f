import { describe, expect, it } from 'vitest';
import { Agent, Auth, AuthorizationHeader, Duration, IngressGateway, Listener } from '../../src/index.js';
import type { Fleet } from '../../src/index.js';
import { find, kinds, synth } from './helpers.js';

const OKTA = { issuer: 'https://acme.okta.com/oauth2/default', audiences: ['api://agents'] };

function gateway(fleet: Fleet, props: Partial<ConstructorParameters<typeof IngressGateway>[2]> = {}) {
  return new IngressGateway(fleet, 'edge', {
    namespace: 'agents-edge',
    listeners: [Listener.https({ certificateSecret: 'agents-tls', hostname: '*.agents.example.com' })],
    ...props,
  });
}

describe('Agent behind a single native method', () => {
  it('lowers OIDC to a jwt SecurityPolicy on its HTTPRoute', () => {
    const { objects, diagnostics } = synth((fleet) => {
      const agent = new Agent(fleet, 'support-bot', {
        namespace: 'support',
        image: 'ghcr.io/acme/support-bot:1.0.0',
        auth: [Auth.oidc({ ...OKTA, tenantIdClaim: 'tid', extraClaims: { team: 'team' } })],
      });
      agent.exposeVia(gateway(fleet), { hostnames: ['support.agents.example.com'] });
    });
    expect(diagnostics).toEqual([]);
    expect(kinds(objects)).toMatchSnapshot();
    const sp = find(objects, 'SecurityPolicy', 'support-bot');
    expect(sp.metadata.namespace).toBe('support');
    expect(sp.spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'support-bot' }]);
    const provider = sp.spec.jwt.providers[0];
    expect(provider.audiences).toEqual(['api://agents']);
    expect(provider.remoteJWKS.uri).toBe('https://acme.okta.com/oauth2/default/v1/keys');
    expect(provider.claimToHeaders).toEqual([
      { claim: 'sub', header: 'x-user-id' },
      { claim: 'tid', header: 'x-tenant-id' },
      { claim: 'team', header: 'x-claim-team' },
    ]);
    expect(objects.some((o) => o.kind === 'EnvoyExtensionPolicy')).toBe(false);

    const route = find(objects, 'HTTPRoute', 'support-bot');
    expect(route).toMatchSnapshot();
    const rule = route.spec.rules[0];
    expect(rule.timeouts).toEqual({ request: '100s', backendRequest: '100s' });
    expect(rule.filters[0].requestHeaderModifier).toEqual({
      set: [{ name: 'x-portcullis-agent', value: 'support/support-bot' }],
      remove: ['authorization'],
    });
    expect(route.spec.parentRefs).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge', namespace: 'agents-edge', sectionName: 'https' },
    ]);
  });

  it('lowers API keys to apiKeyAuth that forwards the client id in the identity header and strips the key', () => {
    const { objects } = synth((fleet) => {
      new Agent(fleet, 'triage', { namespace: 'support', image: 'acme/triage:1', auth: [Auth.apiKeys({ secretName: 'triage-keys' })] }).exposeVia(
        gateway(fleet, { identityHeaders: { userId: 'x-caller' } }),
      );
    });
    const sp = find(objects, 'SecurityPolicy', 'triage');
    expect(sp.spec.apiKeyAuth).toEqual({
      credentialRefs: [{ group: '', kind: 'Secret', name: 'triage-keys' }],
      extractFrom: [{ headers: ['x-api-key'] }],
      forwardClientIDHeader: 'x-caller',
      sanitize: true,
    });
    // the gateway's identity header is removed before auth, so a caller cannot pre-set it
    expect(find(objects, 'ClientTrafficPolicy', 'edge').spec.headers.earlyRequestHeaders.remove).toContain('x-caller');
  });

  it('pins the route timeout to the agent timeout and raises gateway timeouts to match', () => {
    const { objects } = synth((fleet) => {
      new Agent(fleet, 'slow', { namespace: 'ml', image: 'acme/slow:1', timeout: Duration.minutes(10), auth: [Auth.oidc(OKTA)] }).exposeVia(gateway(fleet));
    });
    expect(find(objects, 'HTTPRoute', 'slow').spec.rules[0].timeouts.request).toBe('600s');
    expect(find(objects, 'ClientTrafficPolicy', 'edge').spec.timeout.http).toEqual({
      requestReceivedTimeout: '600s',
      streamIdleTimeout: '600s',
      idleTimeout: '3600s',
    });
  });
});

describe('Agent that needs the runtime', () => {
  it('lowers an any-of chain to an EnvoyExtensionPolicy that fails closed, plus a ReferenceGrant to the runtime', () => {
    const { objects, fleet } = synth((f) => {
      new Agent(f, 'research', {
        namespace: 'research',
        image: 'acme/research:2',
        auth: [Auth.oidc(OKTA), Auth.apiKeys({ secretName: 'research-keys', hashed: true })],
        authorizationHeader: AuthorizationHeader.moveTo('x-original-token'),
      }).exposeVia(gateway(f));
    });
    expect(objects.some((o) => o.kind === 'SecurityPolicy')).toBe(false);
    const eep = find(objects, 'EnvoyExtensionPolicy', 'research');
    expect(eep).toMatchSnapshot();
    expect(eep.spec.extProc[0]).toMatchObject({
      backendRefs: [{ name: 'portcullis-runtime', namespace: 'portcullis-system', port: 9002, kind: 'Service', group: '' }],
      failOpen: false,
      processingMode: { request: { attributes: ['xds.route_name'] } },
    });
    expect(eep.spec.extProc[0].processingMode.request.body).toBeUndefined(); // headers only
    const grant = find(objects, 'ReferenceGrant', 'portcullis-runtime-from-research');
    expect(grant.metadata.namespace).toBe('portcullis-system');
    expect(grant.spec).toEqual({
      from: [{ group: 'gateway.envoyproxy.io', kind: 'EnvoyExtensionPolicy', namespace: 'research' }],
      to: [{ group: '', kind: 'Service', name: 'portcullis-runtime' }],
    });
    const plan = fleet.lower().plan!;
    expect(plan.agents[0]!.mechanism).toBe('runtime');
    expect(plan.agents[0]!.runtimeReasons.join('\n')).toMatch(/any-of chain of 2 methods[\s\S]*sha256[\s\S]*x-original-token/);
    // the header the runtime moves the token to cannot be pre-set by a caller
    expect(find(objects, 'ClientTrafficPolicy', 'edge').spec.headers.earlyRequestHeaders.remove).toContain('x-original-token');
  });

  it('grants each runtime namespace on its own, so any number of namespaces is admitted', () => {
    const { objects, diagnostics } = synth((f) => {
      const gw = gateway(f);
      for (let i = 0; i < 20; i++)
        new Agent(f, `a${i}`, { namespace: `team-${String(i).padStart(2, '0')}`, image: 'i:1', auth: [Auth.oidc(OKTA), Auth.apiKeys({ secretName: 'k' })] }).exposeVia(gw);
    });
    expect(diagnostics).toEqual([]);
    const grants = objects.filter((o) => o.kind === 'ReferenceGrant');
    expect(grants).toHaveLength(20);
    expect(grants.map((g) => g.spec.from)).toContainEqual([{ group: 'gateway.envoyproxy.io', kind: 'EnvoyExtensionPolicy', namespace: 'team-19' }]);
  });

  it('keeps Authorization for a passthrough agent and sends the source address for edge-trust CIDRs', () => {
    const { objects } = synth((f) => {
      new Agent(f, 'partner', {
        namespace: 'partners',
        image: 'acme/partner:1',
        auth: [Auth.edgeTrust({ headers: { userId: 'x-edge-user' }, trustedCidrs: ['10.0.0.0/8'] })],
        authorizationHeader: AuthorizationHeader.passthrough(),
      }).exposeVia(gateway(f));
    });
    const modifier = find(objects, 'HTTPRoute', 'partner').spec.rules[0].filters[0].requestHeaderModifier;
    expect(modifier.remove).toBeUndefined();
    expect(find(objects, 'EnvoyExtensionPolicy', 'partner').spec.extProc[0].processingMode.request.attributes).toEqual([
      'xds.route_name',
      'source.address',
    ]);
    // the edge's own headers must survive early removal: the runtime reads them
    expect(find(objects, 'ClientTrafficPolicy', 'edge').spec.headers.earlyRequestHeaders.remove).not.toContain('x-edge-user');
  });

  it('uses the runtime for OIDC whose JWKS cannot be derived, or whose algorithms Envoy cannot restrict', () => {
    const { fleet } = synth((f) => {
      const gw = gateway(f);
      new Agent(f, 'a', { namespace: 'x', image: 'i:1', auth: [Auth.oidc({ issuer: 'https://idp.example.com', audiences: ['a'] })] }).exposeVia(gw);
      new Agent(f, 'b', { namespace: 'x', image: 'i:1', auth: [Auth.oidc({ ...OKTA, algorithms: ['RS256'] })] }).exposeVia(gw);
      new Agent(f, 'c', { namespace: 'x', image: 'i:1', auth: [Auth.oidc({ ...OKTA, jwksUri: 'https://keys.example.com/jwks' })] }).exposeVia(gw);
    });
    expect(fleet.lower().plan!.agents.map((a) => a.mechanism)).toEqual(['runtime', 'runtime', 'native-jwt']);
  });
});

describe('secure defaults', () => {
  it('does not expose an agent without auth, and warns', () => {
    const { objects, diagnostics } = synth((f) => {
      new Agent(f, 'open', { namespace: 'x', image: 'i:1' }).exposeVia(gateway(f));
    });
    expect(diagnostics.map((d) => [d.code, d.severity, d.path])).toEqual([['PC012', 'warning', 'fleet/open']]);
    expect(kinds(objects).filter((k) => k.startsWith('HTTPRoute') || k.startsWith('SecurityPolicy') || k.startsWith('EnvoyExtensionPolicy'))).toEqual([]);
    expect(kinds(objects)).toContain('Deployment/x/open');
    // no namespace may attach routes to the gateway when no agent is exposed on it
    expect(find(objects, 'Gateway', 'edge').spec.listeners[0].allowedRoutes.namespaces).toEqual({ from: 'Same' });
  });

  it('runs the agent as non-root with a read-only root filesystem and no API token', () => {
    const { objects } = synth((f) => {
      new Agent(f, 'bot', { namespace: 'x', image: 'i:1', env: { B: '2', A: '1' }, auth: [Auth.oidc(OKTA)] });
    });
    const pod = find(objects, 'Deployment', 'bot').spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0].securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(pod.containers[0].env).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
    expect(find(objects, 'ServiceAccount', 'bot')).toMatchObject({ automountServiceAccountToken: false });
    for (const o of objects) expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'portcullis', 'portcullis.dev/agent': 'bot' });
  });

  it('fails when an agent is exposed twice', () => {
    synth((f) => {
      const gw = gateway(f);
      const agent = new Agent(f, 'bot', { namespace: 'x', image: 'i:1', auth: [Auth.oidc(OKTA)] });
      agent.exposeVia(gw);
      expect(() => agent.exposeVia(gw)).toThrow(/already exposed via fleet\/edge/);
    });
  });

  it('fails with every problem at once, each with its construct path', () => {
    const { diagnostics } = synth((f) => {
      const gw = gateway(f, { namespace: 'envoy-gateway-system' });
      new Agent(f, 'a', { namespace: 'x', image: 'i:1', auth: [Auth.oidc({ issuer: OKTA.issuer, audiences: [] })] }).exposeVia(gw);
      new Agent(f, 'b', { namespace: 'x', image: 'i:1', env: { OPENAI_API_KEY: 'sk-live-0123456789abcdefghijkl' }, auth: [Auth.oidc(OKTA)] });
    });
    expect(diagnostics.map((d) => `${d.code} ${d.path} ${d.field}`)).toEqual([
      'PC002 fleet/edge namespace',
      'PC003 fleet/a auth[0].audiences',
      'PC020 fleet/b env.OPENAI_API_KEY',
    ]);
  });
});

describe('PortcullisApp output', () => {
  it('fails when asked to clean the working directory or a parent of it', async () => {
    const { PortcullisApp: App } = await import('../../src/index.js');
    for (const outdir of ['.', '..', '/']) {
      const app = new App({ outdir, report: () => {} });
      expect(() => app.synth(), outdir).toThrow(/refusing to use .* as the output directory/);
    }
  });
});

describe('offline admission inside synth', () => {
  it('fails when an emitted object would be rejected by its CRD, naming the construct that made it', () => {
    const { diagnostics } = synth((f) => {
      const gw = gateway(f);
      const audiences = Array.from({ length: 9 }, (_, i) => `api://agents-${i}`);
      new Agent(f, 'many', { namespace: 'x', image: 'i:1', auth: [Auth.oidc({ ...OKTA, audiences })] }).exposeVia(gw);
      const jwksUri = `https://keys.example.com/${'k'.repeat(260)}`;
      new Agent(f, 'long', { namespace: 'x', image: 'i:1', auth: [Auth.oidc({ ...OKTA, jwksUri })] }).exposeVia(gw);
    });
    // each blocking schema error is followed, as the API server does, by a note that CEL rules were skipped
    expect(diagnostics.map((d) => [d.code, d.path, d.field])).toEqual([
      ['PC900', 'fleet/many', 'SecurityPolicy many'],
      ['PC900', 'fleet/many', 'SecurityPolicy many'],
      ['PC900', 'fleet/long', 'SecurityPolicy long'],
      ['PC900', 'fleet/long', 'SecurityPolicy long'],
    ]);
    expect(diagnostics[0]!.message).toMatch(/spec\.jwt\.providers\[0\]\.audiences: Too many: 9: must have at most 8 items/);
    expect(diagnostics[1]!.message).toMatch(/some validation rules were not checked/);
    expect(diagnostics[2]!.message).toMatch(/spec\.jwt\.providers\[0\]\.remoteJWKS\.uri: Too long/);
  });

  it('fails when an emitted object breaks a CEL rule of its CRD', () => {
    const { diagnostics } = synth((f) => {
      new Agent(f, 'bot', { namespace: 'x', image: 'i:1', auth: [Auth.oidc(OKTA)] }).exposeVia(gateway(f), { pathPrefix: 'api' });
    });
    expect(diagnostics.map((d) => [d.code, d.path, d.field])).toEqual([['PC900', 'fleet/bot', 'HTTPRoute bot']]);
    expect(diagnostics[0]!.message).toMatch(/spec\.rules\[0\]\.matches\[0\]\.path: Invalid value: "object": value must be an absolute path and start with '\/'/);
  });
});

describe('a PortcullisApp with other charts', () => {
  it('lowers its fleets and renders plain charts beside them', async () => {
    const { ApiObject, Chart } = await import('cdk8s');
    const { Fleet, PortcullisApp: App } = await import('../../src/index.js');
    const app = new App({ report: () => {} });
    const plain = new Chart(app, 'extras');
    new ApiObject(plain, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'x' } });
    const fleet = new Fleet(app, 'fleet');
    new Agent(fleet, 'bot', { namespace: 'x', image: 'i:1', auth: [Auth.oidc(OKTA)] });
    expect(Fleet.isFleet(plain)).toBe(false);
    expect(plain instanceof Fleet).toBe(false);
    expect(fleet instanceof Fleet).toBe(true);
    expect(app.lower()).toEqual([]);
    expect([...app.render().keys()]).toContain('extras/x/configmap.settings.yaml');
  });
});

describe('workload selectors', () => {
  it('select on the agent label, so renaming a construct id never changes an immutable selector', () => {
    const render = (id: string) =>
      synth((f) => {
        new Agent(f, id, { name: 'bot', namespace: 'x', image: 'i:1', auth: [Auth.oidc(OKTA)] });
      }).objects;
    for (const objects of [render('bot'), render('bot-renamed')]) {
      expect(find(objects, 'Deployment', 'bot').spec.selector).toEqual({ matchLabels: { 'portcullis.dev/agent': 'bot' } });
      expect(find(objects, 'Service', 'bot').spec.selector).toEqual({ 'portcullis.dev/agent': 'bot' });
      expect(find(objects, 'Deployment', 'bot').spec.template.metadata.labels['portcullis.dev/agent']).toBe('bot');
    }
  });
});
