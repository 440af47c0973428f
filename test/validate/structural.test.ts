import { describe, expect, it } from 'vitest';
import { admitStructure, validateStructure } from '../../src/validate/admission/index.js';

type Manifest = Record<string, any>;

const metadata = (name: string) => ({ name, namespace: 'agents', labels: { 'app.kubernetes.io/name': 'portcullis' } });
const routeTargets = [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'llm' }];

/** Valid objects, checked against the real vendored CRDs. */
const VALID: Record<string, Manifest> = {
  SecurityPolicy: {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'SecurityPolicy',
    metadata: metadata('jwt'),
    spec: {
      targetRefs: routeTargets,
      jwt: {
        providers: [
          {
            name: 'idp',
            issuer: 'https://idp.example.com',
            audiences: ['agents'],
            remoteJWKS: { uri: 'https://idp.example.com/jwks.json' },
            claimToHeaders: [{ claim: 'sub', header: 'x-sub' }],
          },
        ],
      },
      authorization: {
        defaultAction: 'Deny',
        rules: [{ name: 'agent-1', action: 'Allow', principal: { jwt: { provider: 'idp', claims: [{ name: 'sub', values: ['agent-1'] }] } } }],
      },
      cors: { allowOrigins: ['https://*.example.com'], allowMethods: ['GET', 'POST'] },
    },
  },
  ClientTrafficPolicy: {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'ClientTrafficPolicy',
    metadata: metadata('edge'),
    spec: {
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge' }],
      timeout: { http: { requestReceivedTimeout: '30s' } },
      connection: { bufferLimit: '32Ki' },
      tls: { minVersion: '1.2' },
    },
  },
  EnvoyExtensionPolicy: {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'EnvoyExtensionPolicy',
    metadata: metadata('guard'),
    spec: {
      targetRefs: routeTargets,
      extProc: [
        {
          backendRefs: [{ name: 'guard', port: 9002 }],
          processingMode: { request: { body: 'Buffered', attributes: ['request.path'] }, response: {} },
          messageTimeout: '500ms',
          failOpen: false,
        },
      ],
    },
  },
  HTTPRoute: {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: metadata('llm'),
    spec: {
      parentRefs: [{ name: 'edge', sectionName: 'https' }],
      hostnames: ['llm.example.com'],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/v1' } }],
          filters: [{ type: 'ExtensionRef', extensionRef: { group: 'gateway.envoyproxy.io', kind: 'HTTPRouteFilter', name: 'creds' } }],
          backendRefs: [{ group: 'gateway.envoyproxy.io', kind: 'Backend', name: 'openai', port: 443 }],
          timeouts: { request: '60s' },
        },
      ],
    },
  },
  Gateway: {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: metadata('edge'),
    spec: {
      gatewayClassName: 'eg',
      listeners: [
        {
          name: 'https',
          protocol: 'HTTPS',
          port: 443,
          hostname: '*.example.com',
          tls: { mode: 'Terminate', certificateRefs: [{ name: 'edge-cert' }] },
          allowedRoutes: { namespaces: { from: 'All' } },
        },
      ],
      addresses: [{ type: 'IPAddress', value: '10.0.0.1' }],
    },
  },
  HTTPRouteFilter: {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'HTTPRouteFilter',
    metadata: metadata('creds'),
    spec: { credentialInjection: { credential: { valueRef: { name: 'openai-key' } } } },
  },
  Backend: {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'Backend',
    metadata: metadata('openai'),
    spec: {
      endpoints: [{ fqdn: { hostname: 'api.openai.com', port: 443 } }],
      tls: { sni: 'api.openai.com', wellKnownCACertificates: 'System' },
    },
  },
  AIServiceBackend: {
    apiVersion: 'aigateway.envoyproxy.io/v1beta1',
    kind: 'AIServiceBackend',
    metadata: metadata('openai'),
    spec: { schema: { name: 'OpenAI', prefix: '/v1' }, backendRef: { group: 'gateway.envoyproxy.io', kind: 'Backend', name: 'openai' } },
  },
  AIGatewayRoute: {
    apiVersion: 'aigateway.envoyproxy.io/v1beta1',
    kind: 'AIGatewayRoute',
    metadata: metadata('llm'),
    spec: {
      parentRefs: [{ name: 'edge' }],
      rules: [{ name: 'gpt', matches: [{ headers: [{ name: 'x-ai-eg-model', value: 'gpt-4o' }] }], backendRefs: [{ name: 'openai' }] }],
      llmRequestCosts: [{ metadataKey: 'tokens', type: 'TotalToken' }],
    },
  },
  BackendTrafficPolicy: {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'BackendTrafficPolicy',
    metadata: metadata('ratelimit'),
    spec: {
      targetRefs: routeTargets,
      rateLimit: { global: { rules: [{ clientSelectors: [{ headers: [{ name: 'x-user', type: 'Distinct' }] }], limit: { requests: 100, unit: 'Minute' } }] } },
    },
  },
  BackendSecurityPolicy: {
    apiVersion: 'aigateway.envoyproxy.io/v1beta1',
    kind: 'BackendSecurityPolicy',
    metadata: metadata('openai-key'),
    spec: {
      type: 'APIKey',
      apiKey: { secretRef: { name: 'openai-key' } },
      targetRefs: [{ group: 'aigateway.envoyproxy.io', kind: 'AIServiceBackend', name: 'openai' }],
    },
  },
  Service: { apiVersion: 'v1', kind: 'Service', metadata: metadata('guard'), spec: { ports: [{ port: 9002 }] } },
  ClusterRole: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:portcullis' }, rules: [] },
};

/** A fresh copy of the valid `kind` object, changed by `change`. */
function variant(kind: string, change: (obj: Manifest) => void): Manifest {
  const obj = structuredClone(VALID[kind]);
  change(obj);
  return obj;
}

interface InvalidCase {
  name: string;
  obj: Manifest;
  path: string;
  message: string;
}

const INVALID: InvalidCase[] = [
  {
    name: 'SecurityPolicy remoteJWKS without uri',
    obj: variant('SecurityPolicy', (o) => delete o.spec.jwt.providers[0].remoteJWKS.uri),
    path: 'spec.jwt.providers[0].remoteJWKS.uri',
    message: 'spec.jwt.providers[0].remoteJWKS.uri: Required value',
  },
  {
    name: 'SecurityPolicy unknown jwt field',
    obj: variant('SecurityPolicy', (o) => (o.spec.jwt.foo = true)),
    path: 'spec.jwt.foo',
    message: 'unknown field "spec.jwt.foo"',
  },
  {
    name: 'SecurityPolicy cors origin without scheme',
    obj: variant('SecurityPolicy', (o) => (o.spec.cors.allowOrigins = ['foo.bar.com'])),
    path: 'spec.cors.allowOrigins[0]',
    message: 'spec.cors.allowOrigins[0]: Invalid value: "foo.bar.com": spec.cors.allowOrigins[0] in body should match \'^(\\*|[A-Za-z]',
  },
  {
    name: 'SecurityPolicy empty apiKeyAuth header name',
    obj: variant('SecurityPolicy', (o) => (o.spec.apiKeyAuth = { credentialRefs: [{ name: 'keys' }], extractFrom: [{ headers: [''] }] })),
    path: 'spec.apiKeyAuth.extractFrom[0].headers[0]',
    message: 'should be at least 1 chars long',
  },
  {
    name: 'SecurityPolicy issuer longer than 253',
    obj: variant('SecurityPolicy', (o) => (o.spec.jwt.providers[0].issuer = `https://${'a'.repeat(250)}`)),
    path: 'spec.jwt.providers[0].issuer',
    message: 'spec.jwt.providers[0].issuer: Too long: may not be more than 253 bytes',
  },
  {
    name: 'SecurityPolicy without jwt providers',
    obj: variant('SecurityPolicy', (o) => (o.spec.jwt.providers = [])),
    path: 'spec.jwt.providers',
    message: 'spec.jwt.providers: Invalid value: 0: spec.jwt.providers in body should have at least 1 items',
  },
  {
    name: 'ClientTrafficPolicy unsupported TLS version',
    obj: variant('ClientTrafficPolicy', (o) => (o.spec.tls.minVersion = '1.5')),
    path: 'spec.tls.minVersion',
    message: 'spec.tls.minVersion: Unsupported value: "1.5": supported values: "Auto", "1.0", "1.1", "1.2", "1.3"',
  },
  {
    name: 'ClientTrafficPolicy malformed duration',
    obj: variant('ClientTrafficPolicy', (o) => (o.spec.timeout.http.requestReceivedTimeout = 'soon')),
    path: 'spec.timeout.http.requestReceivedTimeout',
    message: 'Invalid value: "soon": spec.timeout.http.requestReceivedTimeout in body should match',
  },
  {
    name: 'ClientTrafficPolicy int-or-string given a boolean',
    obj: variant('ClientTrafficPolicy', (o) => (o.spec.connection.bufferLimit = true)),
    path: 'spec.connection.bufferLimit',
    message: 'spec.connection.bufferLimit in body must be of type integer,string: "boolean"',
  },
  {
    name: 'EnvoyExtensionPolicy unknown body mode',
    obj: variant('EnvoyExtensionPolicy', (o) => (o.spec.extProc[0].processingMode.request.body = 'not-a-body-mode')),
    path: 'spec.extProc[0].processingMode.request.body',
    message: 'Unsupported value: "not-a-body-mode": supported values: "Streamed", "Buffered", "BufferedPartial"',
  },
  {
    name: 'EnvoyExtensionPolicy attribute outside the allowed prefixes',
    obj: variant('EnvoyExtensionPolicy', (o) => (o.spec.extProc[0].processingMode.request.attributes = ['xds.node'])),
    path: 'spec.extProc[0].processingMode.request.attributes[0]',
    message: "attributes[0] in body should match '^(connection\\.|source\\.|",
  },
  {
    name: 'EnvoyExtensionPolicy with 17 extProc entries',
    obj: variant('EnvoyExtensionPolicy', (o) => (o.spec.extProc = Array.from({ length: 17 }, () => o.spec.extProc[0]))),
    path: 'spec.extProc',
    message: 'spec.extProc: Too many: 17: must have at most 16 items',
  },
  {
    name: 'HTTPRoute unsupported path match type',
    obj: variant('HTTPRoute', (o) => (o.spec.rules[0].matches[0].path.type = 'Prefix')),
    path: 'spec.rules[0].matches[0].path.type',
    message: 'Unsupported value: "Prefix": supported values: "Exact", "PathPrefix", "RegularExpression"',
  },
  {
    name: 'HTTPRoute parentRef port out of range',
    obj: variant('HTTPRoute', (o) => (o.spec.parentRefs[0].port = 70000)),
    path: 'spec.parentRefs[0].port',
    message: 'spec.parentRefs[0].port: Invalid value: 70000: spec.parentRefs[0].port in body should be less than or equal to 65535',
  },
  {
    name: 'HTTPRoute backendRef port as a string',
    obj: variant('HTTPRoute', (o) => (o.spec.rules[0].backendRefs[0].port = '443')),
    path: 'spec.rules[0].backendRefs[0].port',
    message: 'Invalid value: "string": spec.rules[0].backendRefs[0].port in body must be of type integer: "string"',
  },
  {
    name: 'Gateway without gatewayClassName',
    obj: variant('Gateway', (o) => delete o.spec.gatewayClassName),
    path: 'spec.gatewayClassName',
    message: 'spec.gatewayClassName: Required value',
  },
  {
    name: 'Gateway with two listeners of the same name',
    obj: variant('Gateway', (o) => o.spec.listeners.push({ ...o.spec.listeners[0], port: 8443 })),
    path: 'spec.listeners[1]',
    message: 'spec.listeners[1]: Duplicate value: {"name":"https"}',
  },
  {
    name: 'Gateway IPAddress that is not an IP',
    obj: variant('Gateway', (o) => (o.spec.addresses[0].value = '10.0.0.300')),
    path: 'spec.addresses[0]',
    message: 'must validate one and only one schema (oneOf)',
  },
  {
    name: 'HTTPRouteFilter credentialInjection without credential',
    obj: variant('HTTPRouteFilter', (o) => delete o.spec.credentialInjection.credential),
    path: 'spec.credentialInjection.credential',
    message: 'spec.credentialInjection.credential: Required value',
  },
  {
    name: 'Backend unsupported type',
    obj: variant('Backend', (o) => (o.spec.type = 'Magic')),
    path: 'spec.type',
    message: 'spec.type: Unsupported value: "Magic": supported values: "Endpoints", "DynamicResolver"',
  },
  {
    name: 'Backend without endpoints',
    obj: variant('Backend', (o) => (o.spec.endpoints = [])),
    path: 'spec.endpoints',
    message: 'spec.endpoints in body should have at least 1 items',
  },
  {
    name: 'AIServiceBackend unsupported schema',
    obj: variant('AIServiceBackend', (o) => (o.spec.schema.name = 'Gemini')),
    path: 'spec.schema.name',
    message: 'Unsupported value: "Gemini": supported values: "OpenAI", "Cohere", "AWSBedrock"',
  },
  {
    name: 'AIServiceBackend without backendRef',
    obj: variant('AIServiceBackend', (o) => delete o.spec.backendRef),
    path: 'spec.backendRef',
    message: 'spec.backendRef: Required value',
  },
  {
    name: 'BackendTrafficPolicy requests above uint32',
    obj: variant('BackendTrafficPolicy', (o) => (o.spec.rateLimit.global.rules[0].limit.requests = 4294967296)),
    path: 'spec.rateLimit.global.rules[0].limit.requests',
    message: 'in body should be less than or equal to 4294967295',
  },
  {
    name: 'AIGatewayRoute modelsCreatedAt that is not a date-time',
    obj: variant('AIGatewayRoute', (o) => (o.spec.rules[0].modelsCreatedAt = 'yesterday')),
    path: 'spec.rules[0].modelsCreatedAt',
    message: 'spec.rules[0].modelsCreatedAt in body must be of type date-time: "yesterday"',
  },
  {
    name: 'HTTPRouteFilter status (the CRD declares none)',
    obj: variant('HTTPRouteFilter', (o) => (o.status = { ready: true })),
    path: 'status',
    message: 'unknown field "status"',
  },
];

describe('validateStructure: invalid objects', () => {
  it.each(INVALID)('$name', ({ obj, path, message }) => {
    const issues = validateStructure(obj);
    expect(issues.map((issue) => issue.path)).toEqual([path]);
    expect(issues[0].message).toContain(message);
  });
});

describe('validateStructure: valid objects', () => {
  it.each(Object.entries(VALID))('%s', (_kind, obj) => {
    expect(validateStructure(obj)).toEqual([]);
  });

  it('ignores status when the status subresource is on', () => {
    expect(validateStructure(variant('SecurityPolicy', (o) => (o.status = { anything: 1 })))).toEqual([]);
  });

  it('drops a non-nullable null like the API server instead of rejecting it', () => {
    const { issues, defaulted } = admitStructure(variant('SecurityPolicy', (o) => (o.spec.cors = null)));
    expect(issues).toEqual([]);
    expect((defaulted as Manifest).spec).not.toHaveProperty('cors');
  });
});

describe('admitStructure: defaults', () => {
  it('applies schema defaults to a copy and leaves the input alone', () => {
    const input = variant('SecurityPolicy', () => undefined);
    const before = structuredClone(input);
    const { issues, defaulted } = admitStructure(input);
    expect(issues).toEqual([]);
    expect((defaulted as Manifest).spec.jwt.providers[0].remoteJWKS).toEqual({ uri: 'https://idp.example.com/jwks.json', cacheDuration: '300s' });
    expect(input).toEqual(before);
  });

  it('defaults nested values of HTTPRoute parentRefs, rules and backendRefs', () => {
    const input = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'plain' },
      spec: { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }] },
    };
    const before = structuredClone(input);
    const { defaulted } = admitStructure(input);
    const spec = (defaulted as Manifest).spec;
    expect(spec.parentRefs[0]).toEqual({ name: 'edge', group: 'gateway.networking.k8s.io', kind: 'Gateway' });
    expect(spec.rules[0].matches).toEqual([{ path: { type: 'PathPrefix', value: '/' } }]);
    expect(spec.rules[0].backendRefs[0]).toMatchObject({ group: '', kind: 'Service', weight: 1 });
    expect(input).toEqual(before);
  });

  it('defaults before validating, as the API server does (the address oneOf needs the defaulted type)', () => {
    const gateway = variant('Gateway', (o) => (o.spec.addresses = [{ value: '10.0.0.1' }]));
    const { issues, defaulted } = admitStructure(gateway);
    expect(issues).toEqual([]);
    expect((defaulted as Manifest).spec.addresses).toEqual([{ type: 'IPAddress', value: '10.0.0.1' }]);
  });

  it('returns the CRD version and schema the object was checked against', () => {
    const { crd } = admitStructure(VALID.AIServiceBackend);
    expect(crd).toMatchObject({ group: 'aigateway.envoyproxy.io', version: 'v1beta1', kind: 'AIServiceBackend' });
    expect(crd?.schema.properties?.spec).toBeDefined();
  });
});

describe('validateStructure: kinds and versions', () => {
  it('rejects a version that is not served, naming the served ones', () => {
    const gateway = variant('Gateway', (o) => (o.apiVersion = 'gateway.networking.k8s.io/v1alpha9'));
    expect(validateStructure(gateway)).toEqual([
      {
        path: 'apiVersion',
        message:
          'apiVersion: Invalid value: "gateway.networking.k8s.io/v1alpha9": no matches for kind "Gateway" in version "gateway.networking.k8s.io/v1alpha9" (served versions: v1, v1beta1)',
      },
    ]);
  });

  it('rejects an unknown kind of a known group', () => {
    const issues = validateStructure({ apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind: 'RateLimitPolicy', metadata: { name: 'x' } });
    expect(issues.map((issue) => issue.path)).toEqual(['kind']);
    expect(issues[0].message).toContain('no matches for kind "RateLimitPolicy" in version "gateway.envoyproxy.io/v1alpha1"');
    expect(issues[0].message).toContain('SecurityPolicy');
  });

  it('accepts the deprecated but served AI Gateway v1alpha1', () => {
    expect(validateStructure(variant('AIServiceBackend', (o) => (o.apiVersion = 'aigateway.envoyproxy.io/v1alpha1')))).toEqual([]);
  });

  it('requires apiVersion and kind', () => {
    expect(validateStructure({ metadata: { name: 'x' } }).map((issue) => issue.message)).toEqual(['apiVersion: Required value', 'kind: Required value']);
  });
});

describe('validateStructure: light checks', () => {
  it('checks a core Service name as a DNS-1035 label', () => {
    const issues = validateStructure(variant('Service', (o) => (o.metadata.name = '9guard')));
    expect(issues).toEqual([
      {
        path: 'metadata.name',
        message:
          "metadata.name: Invalid value: \"9guard\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      },
    ]);
  });

  it('checks namespace, labels and unknown metadata fields of core objects', () => {
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a.b', namespace: 'Agents', labels: { 'bad key!': 'ok', good: 'not ok!' }, owner: 'me' },
    };
    const issues = validateStructure(configMap);
    expect(issues.map((issue) => issue.path)).toEqual(['metadata.owner', 'metadata.namespace', 'metadata.labels', 'metadata.labels']);
    expect(issues[1].message).toContain('metadata.namespace: Invalid value: "Agents": a lowercase RFC 1123 label must consist of');
    expect(issues[2].message).toContain('metadata.labels: Invalid value: "bad key!": name part must consist of alphanumeric characters');
    expect(issues[3].message).toContain('metadata.labels: Invalid value: "not ok!": a valid label must be an empty string');
  });

  it('requires a name', () => {
    expect(validateStructure({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: {} })).toEqual([
      { path: 'metadata.name', message: 'metadata.name: Required value: name or generateName is required' },
    ]);
  });

  it("checks a ConfigMap's and a Secret's data as the API server does: config keys, one key per map, at most 1 MiB in all", () => {
    const MiB = 1024 * 1024;
    const configMap = (data: Record<string, string>, binaryData?: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'runtime', namespace: 'agents' },
      data,
      ...(binaryData && { binaryData }),
    });
    const tooLong = { path: '', message: '[]: Too long: may not be more than 1048576 bytes' };
    expect(validateStructure(configMap({ 'runtime.json': 'x'.repeat(MiB) }))).toEqual([]);
    expect(validateStructure(configMap({ 'runtime.json': 'x'.repeat(MiB - 1), more: 'xy' }))).toEqual([tooLong]);
    // bytes, not characters; binaryData counts decoded
    expect(validateStructure(configMap({ a: 'é'.repeat(MiB / 2 + 1) }))).toEqual([tooLong]);
    expect(validateStructure(configMap({ a: 'x'.repeat(MiB / 2) }, { b: Buffer.alloc(MiB / 2 + 1).toString('base64') }))).toEqual([tooLong]);
    const keys = validateStructure(configMap({ 'a/b': '', '..x': '', same: '' }, { same: '' }));
    expect(keys.map((i) => i.path)).toEqual(['data[a/b]', 'data[..x]', 'binaryData[same]']);
    expect(keys[0]!.message).toContain("data[a/b]: Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.'");
    expect(keys[2]!.message).toContain('duplicate of key present in data');
    // a Secret: data decoded, stringData merged over it (one key counted once)
    const secret = (data: Record<string, string>, stringData: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'keys', namespace: 'agents' },
      data,
      stringData,
    });
    const big = Buffer.alloc((3 * MiB) / 4).toString('base64'); // 1 MiB of base64 text, 768 KiB of data
    expect(validateStructure(secret({ k: big }, { k: 'x'.repeat(MiB / 2) }))).toEqual([]);
    expect(validateStructure(secret({ k: big }, { other: 'x'.repeat(MiB / 2) }))).toEqual([tooLong]);
  });

  it("refuses a Secret's data that is not base64, without showing it", () => {
    const secret = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'keys', namespace: 'agents' }, data });
    expect(validateStructure(secret({ a: 'c2stcHJvai0xMjM=', b: 'YWJj\nZGVm', c: '' }))).toEqual([]);
    const issues = validateStructure(secret({ raw: 'sk-proj-123', short: 'YWJjZ', pad: 'YQ=' }));
    expect(issues).toEqual([
      { path: 'data[raw]', message: 'data[raw]: illegal base64 data at input byte 2' },
      { path: 'data[short]', message: 'data[short]: illegal base64 data at input byte 5' },
      { path: 'data[pad]', message: 'data[pad]: illegal base64 data at input byte 3' },
    ]);
    expect(JSON.stringify(issues)).not.toContain('sk-proj');
  });

  it('applies the light check to the metadata of custom resources', () => {
    const issues = validateStructure(variant('HTTPRoute', (o) => (o.metadata.name = 'LLM_route')));
    expect(issues.map((issue) => issue.path)).toEqual(['metadata.name']);
    expect(issues[0].message).toContain('a lowercase RFC 1123 subdomain must consist of');
  });
});
