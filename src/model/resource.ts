import type { SourceDocument, SourceFile } from '../parse/source.js';
import type { EnvoyKind, EnvoyOrigin } from './envoy/reader.js';
import type { DeckFile, DeckKind } from './kong/views.js';
import type { Obj, Path } from './values.js';

/** Where a resource lives: its file, its document, and its path inside the document (['items', 3] for a List item). */
export interface SourceRef {
  readonly file: SourceFile;
  readonly document: SourceDocument;
  readonly base: Path;
}

/** A container of a pod template, with its path relative to the resource. */
export interface Container {
  readonly name: string;
  readonly group: 'containers' | 'initContainers' | 'ephemeralContainers';
  readonly index: number;
  readonly path: Path;
  readonly spec: Obj;
}

/** The pod template of a workload (the pod itself for a Pod). */
export interface PodTemplate {
  /** Path of the template object (holding metadata and spec), relative to the resource; [] for a Pod. */
  readonly path: Path;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: Obj;
  readonly specPath: Path;
  readonly containers: readonly Container[];
}

/** What every resource has, whatever its format. */
interface ResourceBase {
  readonly apiVersion: string;
  /** API group: '' for the core group, 'apps', 'security.istio.io' ... */
  readonly group: string;
  readonly name: string;
  /** '' for cluster-scoped kinds; 'default' when a namespaced resource names none. */
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** The object itself, as plain data. */
  readonly body: Obj;
  readonly source: SourceRef;
  /** Where a finding about the whole resource points, relative to the resource: metadata.name. */
  readonly anchor: Path;
}

/** A Kubernetes object (any kind, read generically); workloads carry their pod template. */
export interface KubernetesResource extends ResourceBase {
  readonly format: 'kubernetes';
  readonly kind: string;
  /** Set on workloads (Pod, Deployment, CronJob ...). */
  readonly pod?: PodTemplate;
}

/** An Envoy object (listener, cluster ...) from a bootstrap, an xDS list, an EnvoyFilter patch or embedded text. */
export interface EnvoyResource extends ResourceBase {
  readonly format: 'envoy';
  readonly kind: EnvoyKind;
  /** A fragment merged into config we cannot see (an EnvoyFilter MERGE / INSERT patch): only what it sets counts. */
  readonly partial: boolean;
  readonly origin: EnvoyOrigin;
}

/** A decK entity (service, route, consumer, plugin); Kong's Kubernetes CRDs are KubernetesResources. */
export interface KongResource extends ResourceBase {
  readonly format: 'kong';
  readonly kind: DeckKind;
  /** The decK document it belongs to (a decK file is its own configuration: scopes do not cross files). */
  readonly deck: DeckFile;
}

/**
 * One configuration object: a Kubernetes resource, or (for other formats) a named object such as an Envoy
 * listener or a Kong route, told apart by `format`.
 */
export type Resource = KubernetesResource | EnvoyResource | KongResource;

export type Workload = KubernetesResource & { readonly pod: PodTemplate };

export function isWorkload(resource: Resource): resource is Workload {
  return resource.format === 'kubernetes' && resource.pod !== undefined;
}

/**
 * The resource seen at another place (inside a text it holds): everything as the resource has it but its source and
 * anchor. A copy that reads what a resource class keeps on its prototype (format, apiVersion), not a spread alone,
 * which would drop it; not Object.create(resource) either: V8 gives an object made a prototype a map of its own (a
 * dictionary), and the corpus's four such resources made every site that reads all resources megamorphic (the rules'
 * `resource.format`, `resource.source`, resourceAt's index).
 */
export function relocated(resource: Resource, source: SourceRef, anchor: Path): Resource {
  return { ...resource, format: resource.format, apiVersion: resource.apiVersion, source, anchor } as Resource;
}

/** "Deployment shop/web", "Namespace shop": how messages name a resource. */
export function describe(resource: Pick<Resource, 'kind' | 'namespace' | 'name'>): string {
  const name = resource.name || '(unnamed)';
  return resource.namespace ? `${resource.kind} ${resource.namespace}/${name}` : `${resource.kind} ${name}`;
}

/** A stable key: kind/namespace/name (group-qualified for non-core groups). */
export function resourceKey(resource: Resource): string {
  const kind = resource.group ? `${resource.kind}.${resource.group}` : resource.kind;
  return `${kind}/${resource.namespace}/${resource.name}`;
}
