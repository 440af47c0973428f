import { ApiObject, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { EmittedObject, WorkloadSpec } from '../compile/index.js';
import * as aigw from '../imports/aigateway.envoyproxy.io.js';
import * as eg from '../imports/gateway.envoyproxy.io.js';
import * as gwapi from '../imports/gateway.networking.k8s.io.js';

function cpu(q: string): kplus.Cpu {
  return q.endsWith('m') ? kplus.Cpu.millis(Number(q.slice(0, -1))) : kplus.Cpu.millis(Math.round(Number(q) * 1000));
}

function memory(q: string): Size {
  const n = Number(q.slice(0, -2));
  switch (q.slice(-2)) {
    case 'Ki':
      return Size.kibibytes(n);
    case 'Mi':
      return Size.mebibytes(n);
    case 'Gi':
      return Size.gibibytes(n);
    default:
      return Size.tebibytes(n);
  }
}

/** ServiceAccount (no API token), Deployment (non-root, read-only root filesystem) and Service. */
function workload(scope: Construct, w: WorkloadSpec): void {
  const metadata = { name: w.name, namespace: w.namespace, labels: w.labels };
  const serviceAccount = new kplus.ServiceAccount(scope, 'service-account', { metadata, automountToken: false });
  // select on the agent's own label, not cdk8s-plus's construct-path label: a selector is immutable, and a
  // renamed construct id must not force deleting the Deployment
  const selector = { 'portcullis.dev/agent': w.labels['portcullis.dev/agent']! };
  const deployment = new kplus.Deployment(scope, 'deployment', {
    metadata,
    select: false,
    replicas: w.replicas,
    serviceAccount,
    automountServiceAccountToken: false,
    podMetadata: { labels: w.labels },
    containers: [
      {
        name: 'agent',
        image: w.image,
        portNumber: w.port,
        resources: {
          cpu: { request: cpu(w.resources.cpu.request), limit: cpu(w.resources.cpu.limit) },
          memory: { request: memory(w.resources.memory.request), limit: memory(w.resources.memory.limit) },
        },
        envVariables: Object.fromEntries(
          [
            ...Object.entries(w.env).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)] as const),
            ...Object.entries(w.secretEnv).map(
              ([k, ref]) => [k, kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(scope, `secret-${k}`, ref.secretName), key: ref.key })] as const,
            ),
          ].sort(([a], [b]) => a.localeCompare(b)),
        ),
      },
    ],
  });
  deployment.select(kplus.LabelSelector.of({ labels: selector }));
  const service = new kplus.Service(scope, 'service', { metadata, ports: [{ name: 'http', port: w.port, targetPort: w.port }] });
  for (const [key, value] of Object.entries(selector)) service.selectLabel(key, value);
}

/** Turns emitted objects into L1 constructs (and cdk8s-plus workloads) under their owners' scopes. */
export function materialize(objects: readonly EmittedObject[], scopeOf: (o: EmittedObject) => Construct): void {
  for (const o of objects) {
    const scope = scopeOf(o);
    switch (o.kind) {
      case 'Gateway':
        new gwapi.Gateway(scope, o.id, o.props);
        break;
      case 'HTTPRoute':
        new gwapi.HttpRoute(scope, o.id, o.props);
        break;
      case 'ReferenceGrant':
        new gwapi.ReferenceGrant(scope, o.id, o.props);
        break;
      case 'ClientTrafficPolicy':
        new eg.ClientTrafficPolicy(scope, o.id, o.props);
        break;
      case 'SecurityPolicy':
        new eg.SecurityPolicy(scope, o.id, o.props);
        break;
      case 'BackendTrafficPolicy':
        new eg.BackendTrafficPolicy(scope, o.id, o.props);
        break;
      case 'EnvoyExtensionPolicy':
        new eg.EnvoyExtensionPolicy(scope, o.id, o.props);
        break;
      case 'EnvoyProxy':
        new eg.EnvoyProxy(scope, o.id, o.props);
        break;
      case 'Backend':
        new eg.Backend(scope, o.id, o.props);
        break;
      case 'HTTPRouteFilter':
        new eg.HttpRouteFilter(scope, o.id, o.props);
        break;
      case 'AIGatewayRoute':
        new aigw.AiGatewayRouteV1Beta1(scope, o.id, o.props);
        break;
      case 'AIServiceBackend':
        new aigw.AiServiceBackendV1Beta1(scope, o.id, o.props);
        break;
      case 'BackendSecurityPolicy':
        new aigw.BackendSecurityPolicyV1Beta1(scope, o.id, o.props);
        break;
      case 'Plain':
        new ApiObject(scope, o.id, o.props);
        break;
      case 'Workload':
        workload(scope, o.props);
        break;
    }
  }
}
