import { parse } from 'yaml';
import { Fleet, PortcullisApp } from '../../src/index.js';
import type { Diagnostic } from '../../src/index.js';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
}

/** Builds a fleet with `build`, lowers it, and returns the rendered objects and diagnostics. */
export function synth(build: (fleet: Fleet) => void): { objects: K8sObject[]; diagnostics: Diagnostic[]; fleet: Fleet } {
  const app = new PortcullisApp({ outdir: '/nonexistent', report: () => {} });
  const fleet = new Fleet(app, 'fleet');
  build(fleet);
  const diagnostics = app.lower();
  const objects = diagnostics.some((d) => d.severity === 'error') ? [] : [...app.render()].filter(([f]) => f.endsWith('.yaml')).map(([, t]) => parse(t) as K8sObject);
  return { objects, diagnostics, fleet };
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} in ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
}

export function kinds(objects: K8sObject[]): string[] {
  return objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();
}
