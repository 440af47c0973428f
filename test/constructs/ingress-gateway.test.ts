import { describe, expect, it } from 'vitest';
import { Agent, Auth, IngressGateway, Listener } from '../../src/index.js';
import { find, synth } from './helpers.js';

const OKTA = { issuer: 'https://acme.okta.com/oauth2/default', audiences: ['api://agents'] };

describe('IngressGateway', () => {
  it('emits a Gateway and a ClientTrafficPolicy that strips spoofable identity headers before auth', () => {
    const { objects } = synth((f) => {
      const gw = new IngressGateway(f, 'edge', {
        namespace: 'agents-edge',
        listeners: [Listener.https({ certificateSecret: 'certs/agents-tls' }), Listener.http()],
      });
      new Agent(f, 'b', { namespace: 'team-b', image: 'i:1', auth: [Auth.oidc({ ...OKTA, extraClaims: { plan: 'plan' } })] }).exposeVia(gw);
      new Agent(f, 'a', { namespace: 'team-a', image: 'i:1', auth: [Auth.apiKeys({ secretName: 'k', identityHeaders: { userId: 'x-user-id' } })] }).exposeVia(gw);
    });
    const gateway = find(objects, 'Gateway', 'edge');
    const ctp = find(objects, 'ClientTrafficPolicy', 'edge');
    expect(gateway).toMatchSnapshot();
    expect(ctp).toMatchSnapshot();
    expect(ctp.spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge' }]);
    expect(ctp.spec.headers.earlyRequestHeaders.remove).toEqual([
      'x-claim-plan',
      'x-portcullis-agent',
      'x-tenant-id',
      'x-user-email',
      'x-user-id',
      'x-user-roles',
    ]);
    expect(ctp.spec.headers.requestID).toBe('PreserveOrGenerate');
    expect(ctp.spec.headers.xForwardedClientCert).toBeUndefined();
    const [https, http] = gateway.spec.listeners;
    expect(https.tls.certificateRefs).toEqual([{ group: '', kind: 'Secret', name: 'agents-tls', namespace: 'certs' }]);
    expect(http.tls).toBeUndefined();
    expect(https.allowedRoutes.namespaces.selector.matchExpressions[0].values).toEqual(['team-a', 'team-b']);
    // the certificate in another namespace needs a grant there
    const grant = find(objects, 'ReferenceGrant', 'edge-certificates');
    expect(grant.metadata.namespace).toBe('certs');
    expect(grant.spec.from).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'agents-edge' }]);
    // routes attach only to the HTTPS listener by default
    expect(find(objects, 'HTTPRoute', 'a').spec.parentRefs.map((p: { sectionName: string }) => p.sectionName)).toEqual(['https']);
  });

  it('validates client certificates and forwards the verified one in x-forwarded-client-cert', () => {
    const { objects, fleet } = synth((f) => {
      const gw = new IngressGateway(f, 'mtls', {
        namespace: 'edge',
        listeners: [Listener.https({ certificateSecret: 'tls' })],
        clientValidation: { caCertificates: [{ name: 'partner-ca' }] },
      });
      new Agent(f, 'svc', { namespace: 'x', image: 'i:1', auth: [Auth.mtls({ identity: 'none' })] }).exposeVia(gw);
      new Agent(f, 'mapped', { namespace: 'x', image: 'i:1', auth: [Auth.mtls()] }).exposeVia(gw);
    });
    const ctp = find(objects, 'ClientTrafficPolicy', 'mtls');
    expect(ctp.spec.tls.clientValidation).toEqual({ caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'partner-ca' }], mode: 'RequireAndVerify' });
    expect(ctp.spec.headers.xForwardedClientCert).toEqual({ mode: 'SanitizeSet', certDetailsToAdd: ['Subject', 'URI', 'DNS'] });
    expect(fleet.lower().plan!.agents.map((a) => a.mechanism)).toEqual(['native-mtls', 'runtime']);
    expect(objects.filter((o) => o.metadata.name === 'svc' && o.kind.endsWith('Policy'))).toEqual([]);
  });
});

describe('quotas', () => {
  it('lower to a global rate limit per distinct verified identity on the agent route', () => {
    const { objects, diagnostics } = synth((f) => {
      const gw = new IngressGateway(f, 'edge', { namespace: 'edge', listeners: [Listener.https({ certificateSecret: 'tls' })], rateLimitService: true });
      new Agent(f, 'bot', {
        namespace: 'x',
        image: 'i:1',
        auth: [Auth.oidc({ ...OKTA, tenantIdClaim: 'tid', extraClaims: { plan: 'plan' } })],
        quotas: [
          { key: 'user', requests: 10, per: 'second' },
          { key: { header: 'x-claim-plan' }, requests: 1000, per: 'day' },
        ],
      }).exposeVia(gw);
    });
    expect(diagnostics).toEqual([]);
    const btp = find(objects, 'BackendTrafficPolicy', 'bot');
    expect(btp.spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'bot' }]);
    expect(btp.spec.rateLimit.global.rules).toEqual([
      { clientSelectors: [{ headers: [{ name: 'x-user-id', type: 'Distinct' }] }], limit: { requests: 10, unit: 'Second' } },
      { clientSelectors: [{ headers: [{ name: 'x-claim-plan', type: 'Distinct' }] }], limit: { requests: 1000, unit: 'Day' } },
    ]);
  });

  it('fails without the rate limit service, which would turn every request into a 500', () => {
    const { diagnostics, objects } = synth((f) => {
      const gw = new IngressGateway(f, 'edge', { namespace: 'edge', listeners: [Listener.https({ certificateSecret: 'tls' })] });
      new Agent(f, 'bot', { namespace: 'x', image: 'i:1', auth: [Auth.oidc(OKTA)], quotas: [{ key: 'user', requests: 1, per: 'second' }] }).exposeVia(gw);
    });
    expect(diagnostics.map((d) => [d.code, d.path, d.field])).toEqual([['PC032', 'fleet/bot', 'quotas']]);
    expect(objects).toEqual([]);
  });
});
