// Graphs for a language server, where one file changes at a time in a large workspace.
//
// WorkspaceGraph: the whole workspace, which records what each index (`memo`) read (kinds of resources, or
// everything) so that the next graph, after an edit, keeps the indexes the edited file cannot have changed.
//
// FocusedGraph: makes the rules judge only some files while every lookup sees the whole workspace. Rules iterate
// their subjects through `resources`, `workloads`, `ofKind` and `documents` (the focused files'); indexes (`memo`),
// lookups (`find`, `namespace`, `inNamespace`, `selectWorkloads`...) and set-wide questions (`whole`) answer from
// the whole graph, so a PeerAuthentication in another file still decides a workload's mode.
import { Graph, type DocumentRef } from '../model/graph.js';
import { isWorkload, type Resource, type Workload } from '../model/resource.js';
import type { SourceFile } from '../parse/source.js';
import type { Path } from '../model/values.js';

/**
 * What an index depends on: every resource of a kind (`kind:<Kind>`) or format (`format:<format>`), every workload
 * (`workload`), those of a kind in a namespace (`in:<Kind>/<namespace>`), the workloads of a namespace
 * (`workloads:<namespace>`), one resource looked up by name (`name:<Kind>/<namespace>/<name>`), or anything (`*`).
 */
type Dependency = string;
const ANYTHING = '*';

/** The dependencies a change to these resources touches. */
export function dependenciesOf(resources: readonly Resource[]): Set<Dependency> {
  const touched = new Set<Dependency>();
  for (const r of resources) {
    touched.add(`kind:${r.kind}`);
    touched.add(`format:${r.format}`);
    touched.add(`in:${r.kind}/${r.namespace}`);
    touched.add(`name:${r.kind}/${r.namespace}/${r.name}`);
    if (isWorkload(r)) {
      touched.add('workload');
      touched.add(`workloads:${r.namespace}`);
    }
  }
  return touched;
}

interface MemoEntry {
  readonly value: unknown;
  /** Grows for per-object memos (`memoFor`) as values are computed. */
  readonly reads: Set<Dependency>;
  /** A per-object memo: each value was computed from its object and what `reads` lists, nothing else. */
  perObject?: true;
}

export class WorkspaceGraph extends Graph {
  readonly #memo = new Map<string, MemoEntry>();
  /** One set per index being built (they nest); what the graph is asked is added to the innermost. */
  readonly #recording: Set<Dependency>[] = [];

  /**
   * `previous` and `touched`: the graph before an edit and the dependencies the edit touched (old and new resources
   * of the changed files). Its indexes that read none of them are kept. An index that read nothing while it was
   * built (a cache filled later, as rules ask) is never kept, what filled it being unknown; per-object memos
   * (`memoFor`) are, since each value's reads are recorded (a value of an edited object is not asked for again: the
   * object is new).
   */
  constructor(
    resources: readonly Resource[],
    files: readonly SourceFile[],
    previous?: WorkspaceGraph,
    touched?: ReadonlySet<Dependency>,
  ) {
    super(resources, []);
    // Reading every resource or document makes an index depend on everything. The document list of a large
    // workspace is built only if something asks for it (after an edit, usually nothing does).
    Object.defineProperty(this, 'resources', {
      get: () => {
        this.#record(ANYTHING);
        return resources;
      },
    });
    Object.defineProperty(this, 'documents', {
      get: () => {
        this.#record(ANYTHING);
        return new Graph([], files).documents;
      },
    });
    if (previous && touched) {
      for (const [key, entry] of previous.#memo) {
        const known = entry.reads.size > 0 || entry.perObject;
        if (known && !entry.reads.has(ANYTHING) && ![...entry.reads].some((d) => touched.has(d)))
          this.#memo.set(key, entry);
      }
    }
  }

  /** The keys of the indexes it holds: kept from the previous graph, or built since (for tests). */
  get indexes(): string[] {
    return [...this.#memo.keys()];
  }

  /** Whether an index or a per-object value is being computed (it must see the whole graph). */
  get building(): boolean {
    return this.#recording.length > 0;
  }

  #record(dependency: Dependency): void {
    this.#recording.at(-1)?.add(dependency);
  }

  /** Answers without recording what the answer is made of (the caller recorded something narrower). */
  #quietly<T>(answer: () => T): T {
    this.#recording.push(new Set());
    try {
      return answer();
    } finally {
      this.#recording.pop();
    }
  }

  override memo<T>(key: string, build: (graph: Graph) => T): T {
    if (key.startsWith('core:')) {
      // The graph's own indexes (by kind, by namespace) are rebuilt cheaply for every graph; what they read is
      // not what the caller asked for (`ofKind` records its kind itself).
      this.#recording.push(new Set());
      try {
        return super.memo(key, build);
      } finally {
        this.#recording.pop();
      }
    }
    let entry = this.#memo.get(key);
    if (!entry) {
      const reads = new Set<Dependency>();
      this.#recording.push(reads);
      try {
        entry = { value: build(this), reads };
      } finally {
        this.#recording.pop();
      }
      this.#memo.set(key, entry);
    }
    const outer = this.#recording.at(-1);
    if (outer) for (const d of entry.reads) outer.add(d);
    return entry.value as T;
  }

  override memoFor<K extends object, T>(key: string, object: K, compute: () => T): T {
    const cache = this.memo(key, () => new Map<K, T>());
    this.#memo.get(key)!.perObject = true;
    if (!cache.has(object)) {
      const reads = new Set<Dependency>();
      this.#recording.push(reads);
      try {
        cache.set(object, compute());
      } finally {
        this.#recording.pop();
      }
      const entry = this.#memo.get(key)!;
      for (const d of reads) entry.reads.add(d);
      const outer = this.#recording.at(-1);
      if (outer) for (const d of reads) outer.add(d);
    }
    return cache.get(object)!;
  }

  override ofKind(kind: string, group?: string): readonly Resource[] {
    this.#record(`kind:${kind}`);
    return super.ofKind(kind, group);
  }

  override ofFormat<F extends Resource['format']>(format: F): readonly Extract<Resource, { readonly format: F }>[] {
    this.#record(`format:${format}`);
    return super.ofFormat(format);
  }

  override get workloads(): readonly Workload[] {
    this.#record('workload');
    return super.workloads;
  }

  override workloadsIn(namespace: string): readonly Workload[] {
    this.#record(`workloads:${namespace}`);
    return this.#quietly(() => super.workloadsIn(namespace));
  }

  override namespace(name: string): Resource | undefined {
    // Namespaces change rarely: any of them is a dependency.
    this.#record('kind:Namespace');
    return this.#quietly(() => super.namespace(name));
  }

  override get namespaceNames(): ReadonlySet<string> {
    this.#record(ANYTHING);
    return super.namespaceNames;
  }

  override inNamespace(kind: string, namespace: string): readonly Resource[] {
    this.#record(`in:${kind}/${namespace}`);
    return this.#quietly(() => super.inNamespace(kind, namespace));
  }

  override selectWorkloads(namespace: string, selector: unknown): readonly Workload[] {
    this.#record(`workloads:${namespace}`);
    return this.#quietly(() => super.selectWorkloads(namespace, selector));
  }

  override workloadsWithLabels(labels: Readonly<Record<string, string>>, namespace?: string): readonly Workload[] {
    this.#record(namespace === undefined ? 'workload' : `workloads:${namespace}`);
    return this.#quietly(() => super.workloadsWithLabels(labels, namespace));
  }

  override find(kind: string, namespace: string, name: string): Resource | undefined {
    this.#record(`name:${kind}/${namespace}/${name}`);
    return this.#quietly(() => super.find(kind, namespace, name));
  }

  override resourceAt(ref: DocumentRef, path: Path): Resource | undefined {
    this.#record(ANYTHING);
    return super.resourceAt(ref, path);
  }
}

export class FocusedGraph extends Graph {
  readonly #whole: Graph;
  readonly #files: ReadonlySet<SourceFile>;
  readonly #narrowed = new Map<string, unknown>();

  /** `resources`: those of the focused files (the rules' subjects). */
  constructor(whole: Graph, files: readonly SourceFile[], resources: readonly Resource[]) {
    super(resources, files);
    this.#whole = whole;
    this.#files = new Set(files);
  }

  override get whole(): Graph {
    return this.#whole;
  }

  override memoFor<K extends object, T>(key: string, object: K, compute: () => T): T {
    return this.#whole.memoFor(key, object, compute);
  }

  override memo<T>(key: string, build: (graph: Graph) => T): T {
    // Its own core indexes (by kind, workloads) list the subjects; every other index is the whole graph's.
    if (key === 'core:byKind' || key === 'core:workloads' || key === 'core:byFormat') return super.memo(key, build);
    const value = this.#whole.memo(key, build);
    if (this.#whole instanceof WorkspaceGraph && this.#whole.building) return value;
    // A list of per-resource views (every PeerAuthentication, every Kong route) asked for outside an index is what
    // a rule iterates: its subjects, narrowed to the focused files. (Lookups use maps and per-object memos.)
    if (!this.#narrowed.has(key)) this.#narrowed.set(key, this.#narrow(value));
    return this.#narrowed.get(key) as T;
  }

  #narrow(value: unknown): unknown {
    if (!Array.isArray(value) || value.length === 0) return value;
    const fileOf = (item: unknown): SourceFile | undefined => {
      // A view of a resource, a finding's anchor (a namespace's first workload), or the resource itself.
      const resource =
        (item as { resource?: Resource })?.resource ?? (item as { anchor?: Resource })?.anchor ?? (item as Resource);
      const file = (resource as Resource | undefined)?.source?.file;
      return file && rootFile(file);
    };
    if (!value.every((item) => fileOf(item) !== undefined)) return value;
    return value.filter((item) => this.#files.has(fileOf(item)!));
  }

  override resourceAt(ref: DocumentRef, path: Path): Resource | undefined {
    return this.#whole.resourceAt(ref, path);
  }

  override workloadsIn(namespace: string): readonly Workload[] {
    return this.#whole.workloadsIn(namespace);
  }

  override namespace(name: string): Resource | undefined {
    return this.#whole.namespace(name);
  }

  override get namespaceNames(): ReadonlySet<string> {
    return this.#whole.namespaceNames;
  }

  override inNamespace(kind: string, namespace: string): readonly Resource[] {
    return this.#whole.inNamespace(kind, namespace);
  }

  override selectWorkloads(namespace: string, selector: unknown): readonly Workload[] {
    return this.#whole.selectWorkloads(namespace, selector);
  }

  override workloadsWithLabels(labels: Readonly<Record<string, string>>, namespace?: string): readonly Workload[] {
    return this.#whole.workloadsWithLabels(labels, namespace);
  }

  override find(kind: string, namespace: string, name: string): Resource | undefined {
    return this.#whole.find(kind, namespace, name);
  }
}

function rootFile(file: SourceFile): SourceFile {
  return file.origin ? rootFile(file.origin.file) : file;
}
