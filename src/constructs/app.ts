import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { App, Yaml, type AppProps } from 'cdk8s';
import { renderReport, renderSecretsMarkdown, runtimeDockerfile, runtimeDockerignore, secretInstructions } from '../compile/index.js';
import { installedPackage } from '../version.js';
import { DiagnosticsError, formatDiagnostic, hasErrors, type Diagnostic } from '../validate/index.js';
import { Fleet } from './fleet.js';

export interface PortcullisAppProps extends AppProps {
  /** Receives every diagnostic of every fleet before anything is written. @default - printed to stderr, one per line */
  readonly report?: (diagnostics: readonly Diagnostic[]) => void;
}

/**
 * A cdk8s App that lowers its fleets before writing, fails once with every problem, cleans its output
 * directory (cdk8s never deletes stale files), and writes one file per object:
 * `<outdir>/<fleet>/<namespace>/<kind>.<name>.yaml`, stable across runs and machines.
 */
export class PortcullisApp extends App {
  private readonly report: (diagnostics: readonly Diagnostic[]) => void;

  constructor(props: PortcullisAppProps = {}) {
    super(props);
    this.report = props.report ?? ((ds) => ds.forEach((d) => process.stderr.write(`${formatDiagnostic(d)}\n`)));
  }

  /** cdk8s's own construct validations (the ones `App.synth()` runs), all problems at once. */
  private validateConstructs(): void {
    const errors = this.node.findAll().flatMap((c) => c.node.validate().map((e) => `[${c.node.path}] ${e}`));
    if (errors.length > 0) throw new Error(`validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  }

  /** Lowers every fleet and returns all diagnostics, without writing anything. */
  lower(): Diagnostic[] {
    return this.fleets().flatMap((f) => [...f.lower().diagnostics]);
  }

  private fleets(): Fleet[] {
    return this.node.findAll().filter(Fleet.isFleet);
  }

  /** Lowers, reports, and writes the manifests; throws DiagnosticsError (nothing written) on any error. */
  override synth(): void {
    const diagnostics = this.lower();
    if (diagnostics.length > 0) this.report(diagnostics);
    if (hasErrors(diagnostics)) throw new DiagnosticsError(diagnostics);
    const files = this.render();
    assertSafeToClean(this.outdir);
    rmSync(this.outdir, { recursive: true, force: true });
    for (const [file, text] of files) {
      mkdirSync(join(this.outdir, file, '..'), { recursive: true });
      writeFileSync(join(this.outdir, file), text);
    }
  }

  /** The output files, path -> YAML text, in a stable order. Throws when any construct fails validation. */
  render(): Map<string, string> {
    this.validateConstructs();
    const files = new Map<string, string>();
    for (const chart of this.charts) {
      const manifests = Fleet.isFleet(chart) ? chart.renderedManifests() : (chart.toJson() as unknown[]);
      for (const obj of manifests as { kind: string; metadata: { name: string; namespace?: string } }[]) {
        const file = join(chart.node.id, obj.metadata.namespace ?? '_cluster', `${obj.kind.toLowerCase()}.${obj.metadata.name}.yaml`);
        if (file.startsWith('..') || isAbsolute(file)) throw new Error(`object ${obj.kind} ${obj.metadata.name} of chart "${chart.node.id}" would be written outside the output directory: name charts and fleets with DNS labels`);
        if (files.has(file)) throw new Error(`internal: two objects render to ${file}`);
        files.set(file, Yaml.stringify(obj));
      }
    }
    const secrets = this.fleets().flatMap((f) => {
      const plan = f.lower().plan;
      return plan ? [{ name: f.fleetName, secrets: secretInstructions(plan) }] : [];
    });
    if (secrets.some((f) => f.secrets.length > 0)) files.set('SECRETS.md', renderSecretsMarkdown(secrets));
    const reported = this.fleets().flatMap((f) => {
      const r = f.lower();
      return r.plan ? [{ name: f.fleetName, plan: r.plan, diagnostics: r.diagnostics, acknowledged: r.acknowledged }] : [];
    });
    if (reported.length > 0) files.set('report.html', renderReport(reported));
    const runtime = this.fleets().map((f) => f.lower().runtime).find((r) => r !== undefined);
    if (runtime) {
      const pkg = installedPackage();
      files.set(join('runtime', 'Dockerfile'), runtimeDockerfile(pkg, runtime.args));
      files.set(join('runtime', '.dockerignore'), runtimeDockerignore(pkg));
    }
    return files;
  }
}

/** The output directory is deleted before writing: never let that be the working directory or above it. */
function assertSafeToClean(outdir: string): void {
  const rel = relative(resolve(outdir), process.cwd());
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel)))
    throw new Error(`refusing to use "${outdir}" as the output directory: it is deleted before writing and it holds the working directory; use a dedicated folder such as "out"`);
}
