import { readdirSync, readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import type { OpenApiSchema } from './types.js';

/** Vendored CRDs, located relative to this module (works from `src/` and from compiled `lib/`). */
const CRD_DIR = new URL('../../../schemas/crds/', import.meta.url);

/** One version of a vendored CRD. */
export interface CrdVersion {
  name: string;
  served: boolean;
  /** Whether the status subresource is on; the API server then ignores `status` when an object is created. */
  statusSubresource: boolean;
  /** The version's `schema.openAPIV3Schema`. */
  schema: OpenApiSchema;
}

/** A vendored CustomResourceDefinition, reduced to what admission needs. */
export interface Crd {
  group: string;
  kind: string;
  versions: CrdVersion[];
}

/** Generated CRDs have no duplicate keys; not checking for them makes parsing about a third faster. */
/**
 * The vendored CRDs are large, trusted files: js-yaml loads them several times faster than the `yaml`
 * package (kept for user input, where its source positions matter). JSON schema: plain data only.
 */
function parse(text: string): unknown {
  return load(text, { json: true });
}

/** The subset of a CRD manifest that is read here. */
interface CrdManifest {
  kind?: unknown;
  spec?: {
    group?: unknown;
    names?: { kind?: unknown };
    versions?: Array<{
      name: string;
      served?: boolean;
      subresources?: { status?: unknown };
      schema?: { openAPIV3Schema?: OpenApiSchema };
    }>;
  };
}

/** A CRD document found in the sources; its schemas are parsed on first use. */
interface CrdDocument {
  text: string;
  crd?: Crd;
}

let index: Map<string, Map<string, CrdDocument>> | undefined;

/** Whether CRDs are vendored for `group` (`gateway.networking.k8s.io`, `gateway.envoyproxy.io`, ...). */
export function isCrdGroup(group: string): boolean {
  return crdIndex().has(group);
}

/** The kinds vendored for `group`, sorted (empty when the group is unknown). */
export function crdKinds(group: string): string[] {
  return [...(crdIndex().get(group)?.keys() ?? [])].sort();
}

/** The vendored CRD for `group` and `kind`, or `undefined` when there is none. */
export function findCrd(group: string, kind: string): Crd | undefined {
  const doc = crdIndex().get(group)?.get(kind);
  if (!doc) return undefined;
  doc.crd ??= toCrd(parse(doc.text) as CrdManifest);
  return doc.crd;
}

/**
 * Indexes every CRD document of the sources by group and kind. Only the small head of each
 * document (everything before `spec.versions`) is parsed here; the multi-megabyte schemas
 * are parsed by {@link findCrd} when a kind is first used.
 */
function crdIndex(): Map<string, Map<string, CrdDocument>> {
  if (index) return index;
  index = new Map();
  for (const file of sourceFiles()) {
    for (const text of splitDocuments(readFileSync(file, 'utf8'))) {
      const id = identify(text);
      if (!id) continue;
      const kinds = index.get(id.group) ?? new Map<string, CrdDocument>();
      kinds.set(id.kind, { text });
      index.set(id.group, kinds);
    }
  }
  return index;
}

/** Envoy Gateway installs the experimental Gateway API channel, so that bundle is the one loaded. */
function sourceFiles(): URL[] {
  return [
    new URL('gateway-api/gatewayapi-crds.experimental-bundle.yaml', CRD_DIR),
    ...yamlFiles('envoy-gateway/'),
    ...yamlFiles('ai-gateway/'),
  ];
}

function yamlFiles(dir: string): URL[] {
  const url = new URL(dir, CRD_DIR);
  return readdirSync(url)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => new URL(name, url));
}

function splitDocuments(text: string): string[] {
  return text.split(/^---[ \t]*$/m).filter((doc) => doc.trim() !== '');
}

/** Group and kind of a CRD document, or `undefined` for any other document. */
function identify(text: string): { group: string; kind: string } | undefined {
  const cut = text.search(/^ {2}versions:/m);
  let manifest = parse(cut >= 0 ? text.slice(0, cut) : text) as CrdManifest | null;
  if (manifest?.kind !== 'CustomResourceDefinition') return undefined;
  if (typeof manifest.spec?.group !== 'string' || typeof manifest.spec.names?.kind !== 'string') {
    manifest = parse(text) as CrdManifest;
  }
  const { group, names } = manifest.spec ?? {};
  return typeof group === 'string' && typeof names?.kind === 'string' ? { group, kind: names.kind } : undefined;
}

function toCrd(manifest: CrdManifest): Crd {
  const spec = manifest.spec ?? {};
  return {
    group: String(spec.group),
    kind: String(spec.names?.kind),
    versions: (spec.versions ?? []).map((version) => ({
      name: version.name,
      served: version.served === true,
      statusSubresource: version.subresources?.status !== undefined,
      schema: version.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    })),
  };
}
