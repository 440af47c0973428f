import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { compileFleet, type CompileResult, type EmittedObject, type FleetPlan } from '../compile/index.js';
import { API_VERSION, type Acknowledgement, type RuntimeRef } from '../model/index.js';
import { admissionDiagnostics, checkFleet, formatDiagnostic, hasErrors, type Diagnostic, type FleetSource } from '../validate/index.js';
import { Agent } from './agent.js';
import { EgressGateway } from './egress-gateway.js';
import { IngressGateway } from './ingress-gateway.js';
import type { Provider } from './provider.js';
import { materialize } from './materialize.js';

export interface FleetProps {
  /** Fleet name, used in the part-of label. @default - the construct id */
  readonly name?: string;
  /** Where the portcullis runtime runs, for agents whose auth needs it. @default - portcullis-runtime in portcullis-system, port 9002 */
  readonly runtime?: Partial<RuntimeRef>;
  /** Warnings accepted on purpose. @default [] */
  readonly acknowledge?: Acknowledgement[];
  /** Namespace of the Envoy Gateway control plane (where it runs proxies and their Services). @default "envoy-gateway-system" */
  readonly envoyGatewayNamespace?: string;
}

const FLEET = Symbol.for('portcullis.Fleet');

/** The outcome of lowering a fleet. */
export interface FleetResult {
  /** Errors and unacknowledged warnings; nothing is emitted when there is an error. */
  readonly diagnostics: readonly Diagnostic[];
  readonly acknowledged: readonly Diagnostic[];
  readonly plan?: FleetPlan;
  /** The runtime contract and arguments, when the fleet needs the runtime. */
  readonly runtime?: CompileResult['runtime'];
}

/** A fleet given as a whole model (the YAML front end) instead of child constructs. */
export interface FleetInputSource {
  readonly input: unknown;
  readonly locate?: FleetSource['locate'];
}

/**
 * The root of a portcullis app: a chart whose IngressGateway and Agent children are lowered together,
 * because each depends on the others (gateway timeouts on its agents, allowed namespaces, the runtime).
 * Lowering happens once, at synth (or on `lower()`), so constructs added after one another all count.
 */
export class Fleet extends Chart {
  /** Whether `x` is a Fleet. Also behind `instanceof Fleet`, which would otherwise inherit Chart's check (true for any chart). */
  static isFleet(x: unknown): x is Fleet {
    return typeof x === 'object' && x !== null && FLEET in x;
  }

  static override [Symbol.hasInstance](x: unknown): x is Fleet {
    return Fleet.isFleet(x);
  }

  /** Builds a fleet from a whole model (e.g. parsed YAML); entity construct ids are the entity names. */
  static fromInput(scope: Construct, id: string, source: FleetInputSource): Fleet {
    const fleet = new Fleet(scope, id);
    fleet.source = source;
    return fleet;
  }

  readonly fleetName: string;
  private readonly acknowledgements: Acknowledgement[];
  private result?: FleetResult;

  private source?: FleetInputSource;
  private manifests: unknown[] = [];

  constructor(scope: Construct, id: string, private readonly props: FleetProps = {}) {
    super(scope, id, { disableResourceNameHashes: true });
    Object.defineProperty(this, FLEET, { value: true });
    this.fleetName = props.name ?? id;
    this.acknowledgements = [...(props.acknowledge ?? [])];
    // plain `App.synth()` validates before rendering: lower there, and fail with every error at once
    this.node.addValidation({ validate: () => this.lower().diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic) });
  }

  /** Accepts a warning on purpose, everywhere or under one construct path. */
  acknowledge(code: string, reason: string, path?: string): void {
    this.acknowledgements.push({ code, reason, ...(path !== undefined && { path }) });
  }

  /** Validates, compiles and materializes the fleet once; later calls return the same result. */
  lower(): FleetResult {
    if (this.result) return this.result;
    const { input, source, scopes } = this.source ? this.fromSource(this.source) : this.fromChildren();
    const checked = checkFleet(input, source);
    let plan: FleetPlan | undefined;
    let runtime: CompileResult['runtime'];
    const diagnostics = [...checked.diagnostics];
    if (checked.fleet && !hasErrors(diagnostics)) {
      const compiled = compileFleet(checked.fleet);
      plan = compiled.plan;
      runtime = compiled.runtime;
      materialize(compiled.objects, (o: EmittedObject) => (o.owner.kind === 'fleet' || o.owner.kind === 'provider' ? this : scopes[o.owner.kind][o.owner.index]!));
      diagnostics.push(...this.admitEmitted());
    }
    this.result = { diagnostics, acknowledged: checked.acknowledged, ...(plan && { plan }), ...(runtime && { runtime }) };
    return this.result;
  }

  /**
   * The manifests of this chart, rendered once by `lower()` (they are admitted and written from the same
   * JSON). Empty when lowering found errors.
   */
  renderedManifests(): readonly unknown[] {
    this.lower();
    return this.manifests;
  }

  /** Renders every object of this chart and admits it offline, reporting on the construct that owns it. */
  private admitEmitted(): Diagnostic[] {
    const objects = this.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === this);
    this.manifests = objects.map((o) => o.toJson());
    return objects.flatMap((o, i) => admissionDiagnostics(this.manifests[i] as object, this.ownerOf(o).node.path));
  }

  /** The agent or gateway an emitted object belongs to (for YAML: its entity scope), else the fleet. */
  private ownerOf(o: ApiObject): Construct {
    for (let c = o.node.scope; c && c !== this; c = c.node.scope) {
      if (c instanceof Agent || c instanceof IngressGateway || c instanceof EgressGateway || c.node.scope === this) return c as Construct;
    }
    return this;
  }

  private fromChildren() {
    const all = this.node.findAll();
    const gateways = all.filter((c): c is IngressGateway => c instanceof IngressGateway);
    const egressGateways = all.filter((c): c is EgressGateway => c instanceof EgressGateway);
    const agents = all.filter((c): c is Agent => c instanceof Agent);
    // providers are values: every distinct one used by an egress gateway or an agent, in first-use order
    const providers = [...new Set<Provider>([...egressGateways.flatMap((g) => g.providers), ...agents.flatMap((a) => a.providers)])];
    const input = {
      apiVersion: API_VERSION,
      kind: 'Fleet',
      name: this.fleetName,
      ...(this.props.runtime && { runtime: this.props.runtime }),
      ...(this.props.envoyGatewayNamespace && { envoyGatewayNamespace: this.props.envoyGatewayNamespace }),
      gateways: gateways.map((g) => g._toModel()),
      egressGateways: egressGateways.map((g) => g._toModel()),
      providers: providers.map((p) => p.provider),
      agents: agents.map((a) => a._toModel()),
      acknowledge: this.acknowledgements,
    };
    const source: FleetSource = {
      fleetPath: this.node.path,
      gatewayPaths: gateways.map((g) => g.node.path),
      egressGatewayPaths: egressGateways.map((g) => g.node.path),
      agentPaths: agents.map((a) => a.node.path),
    };
    return { input, source, scopes: { gateway: gateways as Construct[], egressGateway: egressGateways as Construct[], agent: agents as Construct[] } };
  }

  private fromSource(s: FleetInputSource) {
    const raw = (typeof s.input === 'object' && s.input !== null ? s.input : {}) as Record<string, unknown>;
    // one id space for gateways, egress gateways and agents: they are all children of this fleet, and an
    // agent may share its name with a gateway (another kind, another namespace)
    const taken = new Set<string>();
    const scopesFor = (list: unknown, field: string) =>
      (Array.isArray(list) ? list : []).map((item, i) => {
        const name = (item as { name?: unknown })?.name;
        const namespace = (item as { namespace?: unknown })?.namespace;
        const candidates = typeof name === 'string' ? [name, ...(typeof namespace === 'string' ? [`${name}.${namespace}`] : []), `${name}.${i}`] : [];
        // a nameless entry (or one whose every name is taken) is called by where it stands in the input
        let id = candidates.find((c) => c.length > 0 && !c.includes('/') && !taken.has(c)) ?? `${field}[${i}]`;
        for (let n = 2; taken.has(id); n++) id = `${field}[${i}].${n}`; // an invalid name took it
        taken.add(id);
        return new Construct(this, id);
      });
    const gateways = scopesFor(raw.gateways, 'gateways');
    const egressGateways = scopesFor(raw.egressGateways, 'egressGateways');
    const agents = scopesFor(raw.agents, 'agents');
    const source: FleetSource = {
      fleetPath: this.node.path,
      gatewayPaths: gateways.map((g) => g.node.path),
      egressGatewayPaths: egressGateways.map((g) => g.node.path),
      agentPaths: agents.map((a) => a.node.path),
      ...(s.locate && { locate: s.locate }),
    };
    return { input: s.input, source, scopes: { gateway: gateways, egressGateway: egressGateways, agent: agents } };
  }
}

