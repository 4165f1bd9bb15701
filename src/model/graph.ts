// The typed graph: every resource of the scan, with indexes built once (on first use) so that rules never scan
// all resources inside a loop. Later families add their own indexes through `memo` without touching this class.
import { readKubernetes } from './kubernetes/reader.js';
import { compileSelector, LabelIndex, labelsSelector } from './kubernetes/selectors.js';
import { readEmbedded, readEnvoy, readEnvoyNested } from './envoy/reader.js';
import { readKong } from './kong/reader.js';
import { isWorkload, type Resource, type Workload } from './resource.js';
import { keptDocuments, type SourceDocument, type SourceFile } from '../parse/source.js';
import type { Path } from './values.js';
import { appendAll } from '../arrays.js';

/**
 * The resources of one document with their bases, sorted by base (see compareBases; of equal bases the first
 * resource comes first). A document of one resource holds it alone.
 */
interface DocumentBases {
  readonly resources: readonly Resource[];
  readonly bases: readonly Path[];
}

/** A parsed document of the scan (any format, recognised or not). */
export interface DocumentRef {
  readonly file: SourceFile;
  readonly document: SourceDocument;
}

/** Turns a parsed document into resources, or returns undefined when the document is not of its format. */
export type FormatReader = (
  file: SourceFile,
  document: SourceFile['documents'][number],
  namespace?: string,
) => Resource[] | undefined;

/** Readers in order; the first that recognises a document owns it. */
export const FORMAT_READERS: FormatReader[] = [readKubernetes, readEnvoy, readKong];

/**
 * Configs of another format held inside a resource (an EnvoyFilter's patches, an EnvoyProxy's bootstrap string):
 * run on every resource the format readers produced; what they return joins the graph.
 */
export type NestedReader = (resource: Resource) => Resource[];
const NESTED_READERS: NestedReader[] = [readEnvoyNested, readConfigMapFiles];

/** A document a reader failed on: its resources are missing, and the caller must say so. */
export type ReadFailure = (file: SourceFile, document: SourceDocument, error: unknown) => void;

export function readResources(
  files: readonly SourceFile[],
  readers: readonly FormatReader[] = FORMAT_READERS,
  nested: readonly NestedReader[] = NESTED_READERS,
  onFailure?: ReadFailure,
): Resource[] {
  const resources: Resource[] = [];
  for (const file of files) {
    // (Documents not kept hold nothing a reader recognises: see unclaimed.ts.)
    for (const document of keptDocuments(file)) {
      if (document.value === undefined) continue;
      const before = resources.length;
      try {
        for (const reader of readers) {
          const found = reader(file, document);
          if (found) {
            appendAll(resources, found);
            for (const resource of found) for (const read of nested) appendAll(resources, read(resource));
            break;
          }
        }
      } catch (error) {
        // One document that cannot be read (a reader's bug, an input beyond its limits) never stops the others.
        resources.length = before;
        if (!onFailure) throw error;
        onFailure(file, document, error);
      }
    }
  }
  return resources;
}

/**
 * A ConfigMap key holding a whole config file (an Envoy bootstrap, a decK file, as mounted into a proxy pod): the
 * string is parsed as a file of its own (positions map back into the block scalar) and read by the readers of
 * the other formats. Only keys that look like YAML or JSON documents are tried; nothing in them is a parse error.
 */
const EMBEDDED_CONFIG_MARKERS =
  /(static_resources|dynamic_resources|staticResources|dynamicResources|@type|filter_chains|filterChains|_format_version|_plugin_configs|services|routes|consumers|upstreams|plugins)["']?\s*:/;

function readConfigMapFiles(resource: Resource): Resource[] {
  if (resource.format !== 'kubernetes' || resource.kind !== 'ConfigMap' || resource.group !== '') return [];
  const data = resource.body.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return [];
  const others = FORMAT_READERS.filter((r) => r !== readKubernetes);
  const out: Resource[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string' || !value.includes('\n') || !/(\.ya?ml|\.json)$|^[^.]*$/i.test(key)) continue;
    if (!/^[ \t]*[{[]|^[ \t]*[\w"'@-]+[ \t]*:/m.test(value)) continue;
    // Parse only what an Envoy or decK reader could recognise: most ConfigMaps hold other YAML and JSON
    // (alert rules, dashboards) whose parsing would be wasted.
    if (!EMBEDDED_CONFIG_MARKERS.test(value)) continue;
    appendAll(
      out,
      readEmbedded(
        resource.source.file,
        resource.source.document,
        [...resource.source.base, 'data', key],
        others,
        resource.namespace,
      ),
    );
  }
  return out;
}

export class Graph {
  readonly resources: readonly Resource[];
  readonly #files: readonly SourceFile[];
  readonly #memo = new Map<string, unknown>();

  constructor(resources: readonly Resource[], files: readonly SourceFile[] = []) {
    this.resources = resources;
    this.#files = files;
  }

  /**
   * Every document that parsed, including those no reader recognised (for rules that scan any text), in file order.
   * Made as it is read, not kept: a list of them held for the whole run cost 48 bytes per document (48 MB for a
   * million tiny documents), while the few readers (a rule, a memo) go through it once.
   */
  get documents(): Iterable<DocumentRef> {
    return documentsOf(this.#files);
  }

  /**
   * The graph that set-wide questions answer from ("every workload of the mesh", "the first workload of a
   * namespace"): this one, or the whole workspace when rules judge only some files of it (src/lsp/focus.ts).
   */
  get whole(): Graph {
    return this;
  }

  static fromFiles(files: readonly SourceFile[]): Graph {
    return new Graph(readResources(files), files);
  }

  /** The innermost resource of a document whose source path is a prefix of `path` (List items, nested objects). */
  resourceAt(ref: DocumentRef, path: Path): Resource | undefined {
    // Each document's resources sorted by base: a lookup is a binary search per prefix of the path, whatever the
    // number of resources in the document (a decK file or an Envoy bootstrap holds hundreds of thousands). (A trie
    // of bases, a Map per node that goes on, was ~6 MB kept for the run on a decK file of 40,000 routes.)
    const byDocument = this.memo('core:resourcesByDocument', (graph) => {
      const lists = new Map<SourceDocument, { resources: Resource[]; bases: Path[] }>();
      for (const r of graph.resources) {
        const { document, base } = r.source;
        let list = lists.get(document);
        if (!list) lists.set(document, (list = { resources: [], bases: [] }));
        list.resources.push(r);
        list.bases.push(base);
      }
      const out = new Map<SourceDocument, Resource | DocumentBases>();
      for (const [document, { resources, bases }] of lists) {
        if (resources.length === 1 && bases[0].length === 0) {
          out.set(document, resources[0]);
          continue;
        }
        // (Stable: of equal bases the first resource stays first.)
        const order = resources.map((_, i) => i).sort((a, b) => compareBases(bases[a], bases[b], bases[b].length));
        out.set(document, { resources: order.map((i) => resources[i]), bases: order.map((i) => bases[i]) });
      }
      return out;
    });
    const found = byDocument.get(ref.document);
    if (found === undefined || !('bases' in found)) return found;
    const { resources, bases } = found;
    for (let length = path.length; length >= 0; length--) {
      // The first base not before the path's first `length` segments: a resource there when it is equal.
      let lo = 0;
      let hi = bases.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareBases(bases[mid], path, length) < 0) lo = mid + 1;
        else hi = mid;
      }
      if (lo < bases.length && compareBases(bases[lo], path, length) === 0) return resources[lo];
    }
    return undefined;
  }

  /** Computes an index once per graph. Keys are namespaced by their owner: 'istio:peerAuthentications'. */
  memo<T>(key: string, build: (graph: Graph) => T): T {
    if (!this.#memo.has(key)) this.#memo.set(key, build(this));
    return this.#memo.get(key) as T;
  }

  /**
   * A value computed once per graph for one object (a workload's membership or mTLS mode): a memo per object. Say
   * so rather than filling a Map held in a memo, so that a graph kept across edits knows what the values read.
   */
  memoFor<K extends object, T>(key: string, object: K, compute: () => T): T {
    const cache = this.memo(key, () => new Map<K, T>());
    if (!cache.has(object)) cache.set(object, compute());
    return cache.get(object)!;
  }

  /** Resources of a kind, optionally only from one API group. */
  ofKind(kind: string, group?: string): readonly Resource[] {
    const byKind = this.memo('core:byKind', (graph) => groupBy(graph.resources, (r) => r.kind));
    const all = byKind.get(kind) ?? [];
    return group === undefined ? all : all.filter((r) => r.group === group);
  }

  /** Resources one format reader produced ('kubernetes', 'envoy', 'kong'). */
  ofFormat<F extends Resource['format']>(format: F): readonly Extract<Resource, { readonly format: F }>[] {
    const byFormat = this.memo('core:byFormat', (graph) => groupBy<Resource, string>(graph.resources, (r) => r.format));
    return (byFormat.get(format) ?? []) as Extract<Resource, { readonly format: F }>[];
  }

  get workloads(): readonly Workload[] {
    return this.memo('core:workloads', (graph) => graph.resources.filter(isWorkload));
  }

  workloadsIn(namespace: string): readonly Workload[] {
    return (
      this.memo('core:workloadsByNamespace', (graph) => groupBy(graph.workloads, (w) => w.namespace)).get(namespace) ??
      []
    );
  }

  /** The Namespace object named so, when the scan holds one. */
  namespace(name: string): Resource | undefined {
    return this.memo('core:namespaces', (graph) => new Map(graph.ofKind('Namespace', '').map((n) => [n.name, n]))).get(
      name,
    );
  }

  /** Every namespace the scan mentions: declared by a Namespace object or used by a resource. */
  get namespaceNames(): ReadonlySet<string> {
    return this.memo('core:namespaceNames', (graph) => {
      const names = new Set<string>();
      for (const r of graph.resources) {
        if (r.namespace) names.add(r.namespace);
        if (r.kind === 'Namespace' && r.group === '' && r.name) names.add(r.name);
      }
      return names;
    });
  }

  /** Resources of one kind in one namespace. */
  inNamespace(kind: string, namespace: string): readonly Resource[] {
    const index = this.memo(`core:byNamespace:${kind}`, (graph) => groupBy(graph.ofKind(kind), (r) => r.namespace));
    return index.get(namespace) ?? [];
  }

  /** Workloads of a namespace whose pod labels match a label selector (matchLabels/matchExpressions or a plain map). */
  selectWorkloads(namespace: string, selector: unknown): readonly Workload[] {
    return this.#workloadIndex(namespace).select(compileSelector(selector));
  }

  /** Workloads whose pod labels include every given label: in one namespace, or in all when it is undefined. */
  workloadsWithLabels(labels: Readonly<Record<string, string>>, namespace?: string): readonly Workload[] {
    return this.#workloadIndex(namespace).select(labelsSelector(labels));
  }

  #workloadIndex(namespace: string | undefined): LabelIndex<Workload> {
    // One memo per namespace, built from the graph the memo hands over (a focused graph answers from the whole).
    return this.memo(
      `core:workloadLabels:${namespace ?? '*'}`,
      (graph) =>
        new LabelIndex(namespace === undefined ? graph.workloads : graph.workloadsIn(namespace), (w) => w.pod.labels),
    );
  }

  /** Finds a resource by kind, namespace and name (the first of that name, as a search of inNamespace would). */
  find(kind: string, namespace: string, name: string): Resource | undefined {
    // A few are searched; more are indexed by name once per kind and namespace (rules look up a Service or a
    // ServiceAccount per route or principal): no index kept for the many small namespaces of a large scan.
    const byName = this.memo(`core:byName:${kind}:${namespace}`, (graph) => {
      const index = new Map<string, Resource>();
      for (const r of graph.inNamespace(kind, namespace)) if (!index.has(r.name)) index.set(r.name, r);
      return index;
    });
    return byName.get(name);
  }
}

function* documentsOf(files: readonly SourceFile[]): Generator<DocumentRef> {
  for (const file of files)
    for (const document of keptDocuments(file)) if (document.value !== undefined) yield { file, document };
}

export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/**
 * A base against the first `length` segments of `path`, in a total order where segments are equal only when they are
 * the same (an index 0 is not the key "0", as a resource's base tells them apart): indexes first, by value, then keys.
 */
function compareBases(base: Path, path: Path, length: number): number {
  const shorter = Math.min(base.length, length);
  for (let k = 0; k < shorter; k++) {
    const a = base[k];
    const b = path[k];
    if (a === b) continue;
    if (typeof a !== typeof b) return typeof a === 'number' ? -1 : 1;
    return a < b ? -1 : 1;
  }
  return base.length - length;
}
