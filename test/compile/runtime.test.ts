import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildFleet } from '../../examples/fleet.js';
import { compileFleet, contractText, RUNTIME_ENTRYPOINT, RUNTIME_HEAP_GROWING_PERCENT, RUNTIME_NODE_ENV, RUNTIME_NODE_FLAGS, RUNTIME_OLD_SPACE_MIB, RUNTIME_SEMI_SPACE_MIB } from '../../src/compile/index.js';
import { parseRuntimeConfig, type RuntimeConfigInput } from '../../src/contract/index.js';
import { Fleet } from '../../src/constructs/index.js';
import { PortcullisApp } from '../../src/index.js';
import { Fleet as FleetModel } from '../../src/model/index.js';
import { admissionDiagnostics } from '../../src/validate/admit.js';
import { dockerfileArray } from '../support/dockerfile.js';

function rendered() {
  const app = new PortcullisApp({ report: () => {} });
  buildFleet(app);
  expect(app.lower().filter((d) => d.severity === 'error')).toEqual([]);
  const files = app.render();
  const objects = [...files].filter(([f]) => f.endsWith('.yaml')).map(([, t]) => parse(t));
  const get = (kind: string) => objects.find((o) => o.kind === kind && o.metadata.namespace === 'portcullis-system' && o.metadata.name === 'portcullis-runtime');
  return { files, get };
}

describe('the runtime the example fleet needs', () => {
  it('gets a contract the runtime itself accepts, covering every agent and egress route the plan gave it', () => {
    const { get } = rendered();
    const parsed = parseRuntimeConfig(JSON.parse(get('ConfigMap').data['runtime.json']));
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect(Object.keys(parsed.config.agents).sort()).toEqual(['research/partner-summarizer', 'research/research-assistant']);
    expect(Object.keys(parsed.config.egress)).toEqual(['agents-egress/llm-bedrock', 'agents-egress/llm-ai/rule/0']);
    // AI Gateway: the runtime picks the tenant's key and hands it over; its other rules pass
    expect(parsed.config.egress['agents-egress/llm-ai/rule/0']).toMatchObject({
      inject: { dynamicMetadata: { namespace: 'io.portcullis.egress', key: 'credential' } },
      perTenant: { unknown: 'deny' },
    });
    expect(parsed.config.egress['agents-egress/llm-ai/rule/0']!.key).toBeUndefined(); // deny: the default key is not the runtime's
    expect(parsed.config.passthroughRoutes).toEqual(['agents-egress/llm-ai']);
    const research = parsed.config.agents['research/research-assistant']!;
    expect(research.chain.map((m) => m.type)).toEqual(['oidc', 'apiKey']);
    expect(research.authorization).toEqual({ mode: 'move', header: 'x-original-token' });
    expect(research.removeHeaders).toEqual(expect.arrayContaining(['x-user-id', 'x-tenant-id', 'x-original-token']));
    // the runtime removes every credential header before it signs (the route keeps what it signed)
    expect(parsed.config.egress['agents-egress/llm-bedrock']!.removeHeaders).toEqual(expect.arrayContaining(['authorization', 'x-api-key', 'x-amz-security-token']));
    expect(parsed.config.egress['agents-egress/llm-bedrock']!.inject).toEqual({
      sigv4: { region: 'eu-central-1', service: 'bedrock', host: 'bedrock-runtime.eu-central-1.amazonaws.com', stripPrefix: '/bedrock' },
    });
  });

  it('runs non-root on a read-only root filesystem, probed on its gRPC health service, with every Secret it reads mounted as a directory', () => {
    const { get } = rendered();
    const deployment = get('Deployment');
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532 });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.readinessProbe.grpc).toEqual({ port: 9002 });
    expect(container.livenessProbe.grpc).toEqual({ port: 9002 });
    expect(deployment.spec.replicas).toBeUndefined(); // the HPA owns it
    const contract = JSON.parse(get('ConfigMap').data['runtime.json']);
    const referenced = [
      ...Object.values(contract.agents).flatMap((a: any) => a.chain.flatMap((m: any) => [m.secret, m.proofSecret].filter(Boolean))),
      ...Object.values(contract.egress).flatMap((e: any) => [e.key?.secret, ...Object.values(e.perTenant?.keys ?? {}).map((k: any) => k.secret)].filter(Boolean)),
    ].map((s: { namespace: string; name: string }) => `${contract.secretsRoot}/${s.namespace}/${s.name}`);
    const mounts = container.volumeMounts.filter((m: { mountPath: string }) => m.mountPath.startsWith(contract.secretsRoot));
    expect(mounts.map((m: { mountPath: string }) => m.mountPath).sort()).toEqual([...new Set(referenced)].sort());
    for (const m of mounts) {
      expect(m.subPath).toBeUndefined(); // a subPath mount would never see a rotated key
      const volume = pod.volumes.find((v: { name: string }) => v.name === m.name);
      expect(m.mountPath.endsWith(`/${volume.secret.secretName}`)).toBe(true);
    }
    expect(get('HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 2, maxReplicas: 10, scaleTargetRef: { kind: 'Deployment', name: 'portcullis-runtime' } });
    expect(get('PodDisruptionBudget').spec.minAvailable).toBe(1);
    expect(get('Service').spec.ports.map((p: { port: number }) => p.port)).toEqual([9002, 9090]);
  });

  it('has an image spec that is pinned, production-only, non-root, and starts what the Deployment asks for', () => {
    const { files, get } = rendered();
    const dockerfile = files.get('runtime/Dockerfile')!;
    expect(dockerfile).toMatch(/^FROM node:\d+\.\d+\.\d+-[a-z]+-slim$/m);
    // this checkout is no installed package: the image takes the tarball packed into its build context
    // (test/runtime/image-entrypoint.test.ts runs both ways of getting it for real)
    expect(dockerfile).not.toMatch(/npm pack --silent/);
    expect(dockerfile).toMatch(/^COPY portcullis-\d+\.\d+\.\d+\.tgz \.\/$/m);
    expect(dockerfile).toMatch(/^# {3}npm pack --pack-destination out\/runtime <the portcullis checkout>$/m);
    expect(dockerfile).toMatch(/^ && npm ci --omit=dev --ignore-scripts /m);
    expect(dockerfile).toMatch(/^USER 65532:65532$/m);
    expect(dockerfileArray(dockerfile, 'ENTRYPOINT')).toEqual(RUNTIME_ENTRYPOINT);
    expect(RUNTIME_ENTRYPOINT.slice(-2)).toEqual(['/opt/portcullis/bin/portcullis.js', 'runtime']);
    expect(RUNTIME_ENTRYPOINT.slice(1, -2)).toEqual(RUNTIME_NODE_FLAGS);
    for (const [k, v] of Object.entries(RUNTIME_NODE_ENV)) expect(dockerfile).toMatch(new RegExp(`^ENV .*\\b${k}=${v}\\b`, 'm'));
    expect(dockerfileArray(dockerfile, 'CMD')).toEqual(get('Deployment').spec.template.spec.containers[0].args);
    const ignore = files.get('runtime/.dockerignore')!.split('\n');
    expect(ignore).toContain('*');
    expect(ignore.filter((l) => l.startsWith('!')).sort()).toEqual(['!Dockerfile', `!${/^COPY (\S+) /m.exec(dockerfile)![1]}`]);
  });

  it("caps node's heap well inside the Deployment's memory limit", () => {
    const { get } = rendered();
    const { limits, requests } = get('Deployment').spec.template.spec.containers[0].resources;
    expect(limits.memory).toBe('256Mi');
    expect(requests.memory).toBe('128Mi');
    expect(RUNTIME_NODE_FLAGS).toEqual([
      `--max-semi-space-size=${RUNTIME_SEMI_SPACE_MIB}`,
      `--max-old-space-size=${RUNTIME_OLD_SPACE_MIB}`,
      `--heap-growing-percent=${RUNTIME_HEAP_GROWING_PERCENT}`,
      '--single-threaded-gc',
      '--no-memory-reducer',
    ]);
    // V8's heap at its limit (old generation and three semi-spaces), plus some 45 MB of node binary and
    // 40 MB of native memory, stays under the limit
    expect(RUNTIME_OLD_SPACE_MIB + 3 * RUNTIME_SEMI_SPACE_MIB + 45 + 40).toBeLessThan(parseInt(limits.memory, 10));
  });

  it('lists the runtime-read Secrets in SECRETS.md in its namespace, under their qualified names', () => {
    const secrets = rendered().files.get('SECRETS.md')!;
    expect(secrets).toContain('### portcullis-system/research.research-assistant-api-keys');
    expect(secrets).toContain('### portcullis-system/agents-egress.bedrock-aws-credentials');
    expect(secrets).toContain('kubectl -n portcullis-system create secret generic agents-egress.bedrock-aws-credentials --from-file=credentials=<path>');
  });
});

describe('header names in the contract', () => {
  const input = (identityHeaders: Record<string, string>, apiKeyHeader: string) => ({
    apiVersion: 'portcullis.dev/v1alpha1',
    kind: 'Fleet',
    name: 't',
    gateways: [
      {
        name: 'edge',
        namespace: 'agents-edge',
        identityHeaders,
        listeners: [{ name: 'https', protocol: 'HTTPS', port: 443, certificateRefs: [{ name: 'agents-tls' }] }],
      },
    ],
    agents: [
      {
        name: 'bot',
        namespace: 'team',
        image: 'example/bot:1.0.0',
        expose: { gateway: 'edge' },
        auth: [
          { type: 'oidc', issuer: 'https://acme.okta.com/oauth2/default', audiences: ['api://agents'], claims: { extra: { Plan: 'plan' } } },
          { type: 'apiKey', secretName: 'bot-keys', hashed: true, header: apiKeyHeader },
        ],
        authorizationHeader: { mode: 'move', header: 'X-Original-Token' },
      },
    ],
  });

  it('are case-insensitive: written in any case, they reach Envoy Gateway and the runtime lowercase, as HTTP/2 sends them', () => {
    const app = new PortcullisApp({ report: () => {} });
    Fleet.fromInput(app, 't', { input: input({ userId: 'X-Caller-Id', claimPrefix: 'X-Claim-' }, 'X-Acme-Key') });
    expect(app.lower().filter((d) => d.severity === 'error')).toEqual([]);
    const objects = [...app.render()].filter(([f]) => f.endsWith('.yaml')).map(([, t]) => parse(t));
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'portcullis-runtime');
    const parsed = parseRuntimeConfig(JSON.parse(cm.data['runtime.json']));
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const bot = parsed.config.agents['team/bot']!;
    expect(bot.identityHeaders).toMatchObject({ userId: 'x-caller-id', claimPrefix: 'x-claim-' });
    expect(bot.chain[0]).toMatchObject({ claims: { extra: { plan: 'plan' } } });
    expect(bot.chain[1]).toMatchObject({ header: 'x-acme-key' });
    expect(bot.authorization).toEqual({ mode: 'move', header: 'x-original-token' });
    const ctp = objects.find((o) => o.kind === 'ClientTrafficPolicy' && o.metadata.name === 'edge');
    expect(ctp.spec.headers.earlyRequestHeaders.remove).toEqual(expect.arrayContaining(['x-caller-id', 'x-claim-plan', 'x-original-token']));
  });

  it('refuses two mapped claims whose names differ only in case, instead of keeping one', () => {
    const i = input({}, 'x-acme-key');
    (i.agents[0]!.auth[0] as { claims: unknown }).claims = { extra: { plan: 'plan', Plan: 'tier' } };
    const app = new PortcullisApp({ report: () => {} });
    Fleet.fromInput(app, 't', { input: i });
    const errors = app.lower().filter((d) => d.severity === 'error');
    expect(errors.map((d) => [d.code, d.field])).toEqual([['PC001', 'auth[0].claims.extra']]);
    expect(errors[0]!.message).toMatch(/differ only in case/);
  });

  it('never becomes a contract the runtime would refuse: compiling a fleet the rules did not check fails instead', () => {
    // PC037 stops this fleet; compiled without the rules, its contract names host as the user id header
    const fleet = FleetModel.parse(input({ userId: 'host' }, 'x-acme-key'));
    expect(() => compileFleet(fleet)).toThrow(/internal: the runtime contract fails its own schema at agents\.team\/bot\.identityHeaders\.userId/);
  });
});

describe('the contract in its ConfigMap', () => {
  let text: string | undefined;
  const example = () => {
    text ??= rendered().get('ConfigMap').data['runtime.json'] as string;
    return JSON.parse(text) as RuntimeConfigInput & { agents: NonNullable<RuntimeConfigInput['agents']> };
  };
  /** The example's contract with its agents copied until it is `copies` times as large. */
  const grown = (copies: number) => {
    const c = example();
    const agents = Object.values(c.agents);
    for (let i = 0; i < copies * agents.length; i++) c.agents[`team-${i}/agent-${i}`] = agents[i % agents.length]!;
    return c;
  };
  const configMap = (text: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'portcullis-runtime', namespace: 'portcullis-system' }, data: { 'runtime.json': text } });
  const MiB = 1024 * 1024;

  it('is indented for a reviewable diff while it fits a ConfigMap, on one line when only that fits, and refused past that', () => {
    const small = example();
    expect(contractText(small)).toBe(`${JSON.stringify(small, null, 2)}\n`);
    // find a size that fits only on one line
    let copies = 100;
    while (Buffer.byteLength(JSON.stringify(grown(copies), null, 2)) <= MiB) copies = Math.ceil(copies * 1.1);
    const big = grown(copies);
    expect(Buffer.byteLength(JSON.stringify(big))).toBeLessThan(MiB);
    const oneLine = contractText(big);
    expect(oneLine).toBe(`${JSON.stringify(big)}\n`);
    expect(JSON.parse(oneLine)).toEqual(big);
    expect(admissionDiagnostics(configMap(oneLine), 't')).toEqual([]);
    // too large for one line too: refused at synth, with what to do
    const huge = contractText(grown(copies * 2));
    const [refused] = admissionDiagnostics(configMap(huge), 't');
    expect(refused).toMatchObject({ code: 'PC900', message: 'would be rejected by the API server: []: Too long: may not be more than 1048576 bytes' });
    expect(refused!.hint).toMatch(/split the fleet into fleets with a runtime each/);
  });
});
