import type { RuntimeConfigInput } from '../../contract/index.js';
import type { Fleet } from '../../model/index.js';
import type { EmittedObject, PlainObject } from '../emitted.js';
import { fleetLabels } from '../meta.js';
import { SECRETS_ROOT, runtimeSecrets } from './contract.js';
import { RUNTIME_MEMORY_LIMIT_MIB, RUNTIME_MEMORY_REQUEST_MIB } from './process.js';

export const RUNTIME_CONFIG_DIR = '/etc/portcullis';
export const RUNTIME_CONFIG_FILE = `${RUNTIME_CONFIG_DIR}/runtime.json`;
/** The uid the image runs as (see the Dockerfile). */
export const RUNTIME_UID = 65532;

/** The labels the runtime's pods are selected by (Deployment, Service, PDB, NetworkPolicies that reach it). */
export function runtimePodSelector(fleet: Fleet): Record<string, string> {
  return { 'app.kubernetes.io/name': 'portcullis-runtime', 'app.kubernetes.io/instance': fleet.runtime.name };
}

/** The arguments after the image's entry point (`portcullis runtime`); tests start exactly this. */
export function runtimeArgs(fleet: Fleet): string[] {
  const r = fleet.runtime;
  return ['--config', RUNTIME_CONFIG_FILE, '--port', String(r.port), '--metrics-port', String(r.metricsPort), '--bind', '0.0.0.0'];
}

/** The most a ConfigMap's data may hold: the API server refuses more (ValidateConfigMap, core.MaxSecretSize). */
const CONFIGMAP_DATA_LIMIT = 1024 * 1024;

/**
 * The contract as the ConfigMap holds it: indented, for a reviewable diff in the GitOps repository, unless
 * that would not fit in a ConfigMap; then on one line, which holds some 1.8 times as much. (The benchmark
 * fleet's mix fits indented up to some 850 agents on the runtime, on one line up to some 1,500: 3,000
 * and 5,000 agents in all.) A contract too large even so is refused at synth by offline admission (PC900).
 */
export function contractText(contract: RuntimeConfigInput): string {
  const indented = `${JSON.stringify(contract, null, 2)}\n`;
  return Buffer.byteLength(indented, 'utf8') <= CONFIGMAP_DATA_LIMIT ? indented : `${JSON.stringify(contract)}\n`;
}

/**
 * The runtime's objects in its namespace: the contract in a ConfigMap (hot-reloaded, no restart), a
 * ServiceAccount without API token, a Deployment (non-root, read-only root filesystem, no capabilities,
 * gRPC health probes), every Secret the contract references mounted as a directory (so Kubernetes'
 * atomic symlink swap on rotation reaches the runtime), a Service, a PodDisruptionBudget and an HPA.
 */
export function lowerRuntimeWorkload(fleet: Fleet, contract: RuntimeConfigInput): EmittedObject[] {
  const r = fleet.runtime;
  const selector = runtimePodSelector(fleet);
  const labels = { ...fleetLabels(fleet), ...selector };
  const metadata = { name: r.name, namespace: r.namespace, labels };
  const secrets = runtimeSecrets(contract);
  const plain = (id: string, apiVersion: string, kind: string, spec: Record<string, unknown>, extra: Record<string, unknown> = {}): EmittedObject => ({
    owner: { kind: 'fleet' },
    id,
    kind: 'Plain',
    props: { apiVersion, kind, metadata, spec, ...extra } as PlainObject,
  });
  const probe = (periodSeconds: number) => ({ grpc: { port: r.port }, periodSeconds, timeoutSeconds: 2, failureThreshold: 3 });
  return [
    {
      owner: { kind: 'fleet' },
      id: 'runtime-config',
      kind: 'Plain',
      props: { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { 'runtime.json': contractText(contract) } } as unknown as PlainObject,
    },
    {
      owner: { kind: 'fleet' },
      id: 'runtime-service-account',
      kind: 'Plain',
      props: { apiVersion: 'v1', kind: 'ServiceAccount', metadata, automountServiceAccountToken: false } as unknown as PlainObject,
    },
    plain('runtime-deployment', 'apps/v1', 'Deployment', {
      // no replicas: the HorizontalPodAutoscaler owns the count, and a GitOps sync must not fight it
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: r.name,
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: RUNTIME_UID, runAsGroup: RUNTIME_UID, fsGroup: RUNTIME_UID, seccompProfile: { type: 'RuntimeDefault' } },
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: 'runtime',
              image: r.image,
              args: runtimeArgs(fleet),
              ports: [
                { name: 'grpc', containerPort: r.port, protocol: 'TCP' },
                { name: 'metrics', containerPort: r.metricsPort, protocol: 'TCP' },
              ],
              readinessProbe: probe(5),
              livenessProbe: probe(10),
              // the image sizes node's heap for this limit (process.ts)
              resources: { requests: { cpu: '250m', memory: `${RUNTIME_MEMORY_REQUEST_MIB}Mi` }, limits: { cpu: '1', memory: `${RUNTIME_MEMORY_LIMIT_MIB}Mi` } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [
                { name: 'config', mountPath: RUNTIME_CONFIG_DIR, readOnly: true },
                ...secrets.map((s, i) => ({ name: `secret-${i}`, mountPath: `${SECRETS_ROOT}/${s.namespace}/${s.name}`, readOnly: true })),
              ],
            },
          ],
          volumes: [{ name: 'config', configMap: { name: r.name } }, ...secrets.map((s, i) => ({ name: `secret-${i}`, secret: { secretName: s.name } }))],
        },
      },
    }),
    plain('runtime-service', 'v1', 'Service', {
      selector,
      ports: [
        { name: 'grpc', port: r.port, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' },
        { name: 'metrics', port: r.metricsPort, targetPort: 'metrics', protocol: 'TCP' },
      ],
    }),
    plain('runtime-pdb', 'policy/v1', 'PodDisruptionBudget', { minAvailable: 1, selector: { matchLabels: selector } }),
    plain('runtime-hpa', 'autoscaling/v2', 'HorizontalPodAutoscaler', {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: r.name },
      minReplicas: r.replicas,
      maxReplicas: r.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    }),
  ];
}
