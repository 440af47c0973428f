/**
 * The benchmark fleet written by hand with plain cdk8s, as one would without portcullis: cdk8s-plus-28 for
 * the ServiceAccount / Deployment / Service, the generated L1 classes in src/imports for the HTTPRoute,
 * SecurityPolicy / EnvoyExtensionPolicy, Gateway, ClientTrafficPolicy and ReferenceGrant. Construct ids
 * mirror portcullis's tree, so even the cdk8s-plus selector labels come out the same: the rendered YAML
 * is byte-identical to portcullis's (the bench's compare step checks it).
 */
import { ApiObject, Chart, Size, type App } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as eg from '../src/imports/gateway.envoyproxy.io.js';
import * as gwapi from '../src/imports/gateway.networking.k8s.io.js';
import { FLEET_NAME, IDPS, RUNTIME, runtimeNamespaces, type AgentSpec, type FleetShape, type GatewaySpec } from './fleet-shape.js';

const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
const AGENT_HEADER = 'x-portcullis-agent';
const IDENTITY = { userId: 'x-user-id', tenantId: 'x-tenant-id', roles: 'x-user-roles', email: 'x-user-email' };
const MANAGED = { 'app.kubernetes.io/managed-by': 'portcullis', 'app.kubernetes.io/part-of': FLEET_NAME };

function plainCpu(q: string): kplus.Cpu {
  return q.endsWith('m') ? kplus.Cpu.millis(Number(q.slice(0, -1))) : kplus.Cpu.millis(Math.round(Number(q) * 1000));
}

function plainMemory(q: string): Size {
  const n = Number(q.slice(0, -2));
  return q.endsWith('Gi') ? Size.gibibytes(n) : Size.mebibytes(n);
}

const DEFAULT_RESOURCES = { cpu: { request: '250m', limit: '1' }, memory: { request: '256Mi', limit: '512Mi' } };

function plainAgent(chart: Chart, a: AgentSpec, g: GatewaySpec): void {
  const scope = new Construct(chart, a.name);
  const labels = { ...MANAGED, 'portcullis.dev/agent': a.name };
  const metadata = { name: a.name, namespace: a.namespace, labels };
  const port = 8080;
  const res = a.resources ?? DEFAULT_RESOURCES;
  const serviceAccount = new kplus.ServiceAccount(scope, 'service-account', { metadata, automountToken: false });
  // default-deny egress: DNS only (the bench agents call no provider)
  new ApiObject(scope, 'network-policy', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `${a.name}-egress`, namespace: a.namespace, labels },
    spec: {
      podSelector: { matchLabels: { 'portcullis.dev/agent': a.name } },
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    },
  });
  const deployment = new kplus.Deployment(scope, 'deployment', {
    metadata,
    select: false,
    replicas: a.replicas,
    serviceAccount,
    automountServiceAccountToken: false,
    podMetadata: { labels },
    containers: [
      {
        name: 'agent',
        image: a.image,
        portNumber: port,
        resources: {
          cpu: { request: plainCpu(res.cpu.request), limit: plainCpu(res.cpu.limit) },
          memory: { request: plainMemory(res.memory.request), limit: plainMemory(res.memory.limit) },
        },
        envVariables: Object.fromEntries(
          Object.entries(a.env)
            .sort(([x], [y]) => x.localeCompare(y))
            .map(([k, v]) => [k, kplus.EnvValue.fromValue(v)]),
        ),
      },
    ],
  });
  deployment.select(kplus.LabelSelector.of({ labels: { 'portcullis.dev/agent': a.name } }));
  const service = new kplus.Service(scope, 'service', { metadata, ports: [{ name: 'http', port, targetPort: port }] });
  service.selectLabel('portcullis.dev/agent', a.name);

  new gwapi.HttpRoute(scope, 'route', {
    metadata,
    spec: {
      parentRefs: [{ group: GATEWAY_API_GROUP, kind: 'Gateway', name: g.name, namespace: g.namespace, sectionName: 'https' }],
      hostnames: [a.hostname],
      rules: [
        {
          matches: [{ path: { type: gwapi.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: '/' } }],
          filters: [
            {
              type: gwapi.HttpRouteSpecRulesFiltersType.REQUEST_HEADER_MODIFIER,
              requestHeaderModifier: {
                set: [{ name: AGENT_HEADER, value: `${a.namespace}/${a.name}` }],
                ...(a.auth !== 'edgeTrust' && { remove: ['authorization'] }),
              },
            },
          ],
          backendRefs: [{ group: '', kind: 'Service', name: a.name, port }],
          timeouts: { request: `${a.timeoutSeconds}s`, backendRequest: `${a.timeoutSeconds}s` },
        },
      ],
    },
  });

  const targetRefs = [{ group: GATEWAY_API_GROUP, kind: 'HTTPRoute', name: a.name }];
  const idp = IDPS[a.idp]!;
  switch (a.auth) {
    case 'oidc':
      new eg.SecurityPolicy(scope, 'security-policy', {
        metadata,
        spec: {
          targetRefs,
          jwt: {
            providers: [
              {
                name: idp.providerName,
                issuer: idp.issuer,
                audiences: [...idp.audiences],
                remoteJwks: { uri: idp.jwksUri },
                claimToHeaders: [
                  { claim: 'sub', header: IDENTITY.userId },
                  ...(idp.tenantIdClaim ? [{ claim: idp.tenantIdClaim, header: IDENTITY.tenantId }] : []),
                  ...(idp.emailClaim ? [{ claim: idp.emailClaim, header: IDENTITY.email }] : []),
                  ...Object.entries(idp.extraClaims)
                    .sort(([x], [y]) => x.localeCompare(y))
                    .map(([key, claim]) => ({ claim, header: `x-claim-${key}` })),
                ],
              },
            ],
          },
        },
      });
      break;
    case 'apiKey':
      new eg.SecurityPolicy(scope, 'security-policy', {
        metadata,
        spec: {
          targetRefs,
          apiKeyAuth: {
            credentialRefs: [{ group: '', kind: 'Secret', name: `${a.name}-api-keys` }],
            extractFrom: [{ headers: ['x-api-key'] }],
            forwardClientIdHeader: IDENTITY.userId,
            sanitize: true,
          },
        },
      });
      break;
    case 'chain':
    case 'edgeTrust':
      new eg.EnvoyExtensionPolicy(scope, 'extension-policy', {
        metadata,
        spec: {
          targetRefs,
          extProc: [
            {
              backendRefs: [{ group: '', kind: 'Service', name: RUNTIME.name, namespace: RUNTIME.namespace, port: RUNTIME.port }],
              processingMode: { request: { attributes: ['xds.route_name', ...(a.auth === 'edgeTrust' ? ['source.address'] : [])] } },
              messageTimeout: '500ms',
              failOpen: false,
            },
          ],
        },
      });
      break;
  }
}

function plainGateway(chart: Chart, g: GatewaySpec, agents: AgentSpec[]): void {
  const scope = new Construct(chart, g.name);
  const metadata = { name: g.name, namespace: g.namespace, labels: { ...MANAGED, 'portcullis.dev/gateway': g.name } };
  const namespaces = [...new Set(agents.map((a) => a.namespace))].sort();
  new gwapi.Gateway(scope, 'gateway', {
    metadata,
    spec: {
      gatewayClassName: 'eg',
      listeners: [
        {
          name: 'https',
          protocol: 'HTTPS',
          port: 443,
          hostname: `*.${g.domain}`,
          tls: { mode: gwapi.GatewaySpecListenersTlsMode.TERMINATE, certificateRefs: [{ group: '', kind: 'Secret', name: g.certificateSecret }] },
          allowedRoutes: {
            kinds: [{ group: GATEWAY_API_GROUP, kind: 'HTTPRoute' }],
            namespaces: {
              from: gwapi.GatewaySpecListenersAllowedRoutesNamespacesFrom.SELECTOR,
              selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: namespaces }] },
            },
          },
        },
      ],
    },
  });
  const removed = new Set([...Object.values(IDENTITY), AGENT_HEADER]);
  for (const a of agents) {
    if (a.auth === 'chain') removed.add('x-original-token');
    if (a.auth === 'oidc' || a.auth === 'chain') for (const key of Object.keys(IDPS[a.idp]!.extraClaims)) removed.add(`x-claim-${key}`);
  }
  const longest = Math.max(100, ...agents.map((a) => a.timeoutSeconds));
  new eg.ClientTrafficPolicy(scope, 'client-traffic-policy', {
    metadata,
    spec: {
      targetRefs: [{ group: GATEWAY_API_GROUP, kind: 'Gateway', name: g.name }],
      headers: {
        earlyRequestHeaders: { remove: [...removed].sort() },
        requestId: eg.ClientTrafficPolicySpecHeadersRequestId.PRESERVE_OR_GENERATE,
      },
      timeout: { http: { requestReceivedTimeout: `${longest}s`, streamIdleTimeout: `${Math.max(longest, 300)}s`, idleTimeout: `${Math.max(longest, 3600)}s` } },
    },
  });
}

export function buildPlain(app: App, shape: FleetShape): Chart {
  const chart = new Chart(app, FLEET_NAME, { disableResourceNameHashes: true });
  shape.gateways.forEach((g, gi) => plainGateway(chart, g, shape.agents.filter((a) => a.gateway === gi)));
  for (const a of shape.agents) plainAgent(chart, a, shape.gateways[a.gateway]!);
  for (const namespace of runtimeNamespaces(shape))
    new gwapi.ReferenceGrant(chart, `runtime-grant-${namespace}`, {
      metadata: { name: `${RUNTIME.name}-from-${namespace}`, namespace: RUNTIME.namespace, labels: { ...MANAGED } },
      spec: {
        from: [{ group: 'gateway.envoyproxy.io', kind: 'EnvoyExtensionPolicy', namespace }],
        to: [{ group: '', kind: 'Service', name: RUNTIME.name }],
      },
    });
  return chart;
}
