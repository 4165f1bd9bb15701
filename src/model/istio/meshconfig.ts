// Istio's mesh-wide settings (MeshConfig, istio/api mesh/v1alpha1/config.proto) where a repository holds them:
// - the `mesh` key of the ConfigMap `istio` (or `istio-<revision>`) in the control plane's namespace, which istiod
//   reads (pkg/config/mesh/kubemesh/watcher.go ReadConfigMap -> mesh.ApplyMeshConfigDefaults) and the istiod chart
//   writes (manifests/charts/istio-control/istio-discovery/templates/configmap.yaml);
// - an IstioOperator's `spec.meshConfig`, a Sail Operator Istio's `spec.values.meshConfig`;
// - the `meshConfig:` of the istiod chart's Helm values: a values file the chart is known to read, a Flux HelmRelease's
//   `spec.values`, an Argo CD Application's `helm.valuesObject` or `helm.values`.
// A setting absent from all of them has istiod's default (pkg/config/mesh/mesh.go DefaultMeshConfig).
import type { DocumentRef, Graph } from '../graph.js';
import { type Resource, relocated } from '../resource.js';
import { MESH_CONFIG_VALUE_KEY } from '../unclaimed.js';
import { get, isObj, str, strMap, type Obj, type Path } from '../values.js';
import { parseEmbedded } from '../../parse/embedded.js';
import { parseSource, type SourceDocument, type SourceFile } from '../../parse/source.js';
import { MANIFEST_PARSE_OPTIONS } from '../kubernetes/reader.js';
import type { MeshSettings } from './resources.js';

/** Where a mesh config was read from. */
export type MeshConfigOrigin = 'configmap' | 'istio-operator' | 'sail-operator' | 'helm-values' | 'helm-release';

export interface MeshConfigSource {
  readonly origin: MeshConfigOrigin;
  /** The control-plane revision it configures ('' for the default revision). */
  readonly revision: string;
  /** The MeshConfig as plain data ({} when its text does not parse). */
  readonly values: Obj;
  /**
   * What findings are reported on, with `base` the path of the MeshConfig mapping in it: the resource (for a
   * ConfigMap, a view of it whose source is the parsed `mesh` text, so that findings land inside the block scalar),
   * or the document of a Helm values file (not a resource).
   */
  readonly site: { readonly resource: Resource } | { readonly document: DocumentRef };
  readonly base: Path;
  /**
   * The text it was parsed from when it is held in a string (a ConfigMap's `mesh` key, an Argo CD Application's
   * `helm.values`): its parse problems are the host file's.
   */
  readonly embedded?: SourceFile;
}

/** A values file that holds `meshConfig:` but that meshlint cannot tie to the istiod chart: not applied. */
export interface UnappliedValues {
  readonly document: DocumentRef;
  readonly reason: string;
}

export interface MeshConfigs {
  readonly sources: readonly MeshConfigSource[];
  readonly unapplied: readonly UnappliedValues[];
}

/** Charts that render the mesh ConfigMap from `.Values.meshConfig` (the istiod chart, by its two names). */
const ISTIOD_CHARTS = new Set(['istiod', 'istio-discovery']);

/** Top-level keys that make a document a Kubernetes object rather than Helm values. */
const KUBERNETES_KEYS = ['apiVersion', 'kind'];

/** Every mesh config of the repository, in scan order; one index per graph. */
export function meshConfigs(graph: Graph): MeshConfigs {
  return graph.memo('istio:meshConfigs', (g) => {
    const sources: MeshConfigSource[] = [];
    const controlPlane = controlPlaneNamespaces(g);
    for (const cm of g.ofKind('ConfigMap', '')) {
      const source = configMapSource(cm, controlPlane);
      if (source) sources.push(source);
    }
    for (const iop of g.ofKind('IstioOperator', 'install.istio.io')) {
      const values = get(iop.body, 'spec', 'meshConfig');
      if (!isObj(values)) continue;
      sources.push({
        origin: 'istio-operator',
        revision: str(get(iop.body, 'spec', 'revision')) ?? '',
        values,
        site: { resource: iop },
        base: ['spec', 'meshConfig'],
      });
    }
    for (const istio of sailIstios(g)) {
      const values = get(istio.body, 'spec', 'values');
      if (!isObj(get(values, 'meshConfig'))) continue;
      sources.push({
        origin: 'sail-operator',
        revision: sailRevision(istio),
        values: get(values, 'meshConfig') as Obj,
        site: { resource: istio },
        base: ['spec', 'values', 'meshConfig'],
      });
    }
    for (const release of g.ofKind('HelmRelease', 'helm.toolkit.fluxcd.io')) {
      if (!ISTIOD_CHARTS.has(str(get(release.body, 'spec', 'chart', 'spec', 'chart')) ?? '')) continue;
      const values = get(release.body, 'spec', 'values');
      const meshConfig = get(values, 'meshConfig');
      if (!isObj(meshConfig)) continue;
      sources.push({
        origin: 'helm-release',
        revision: str(get(values, 'revision')) ?? '',
        values: meshConfig,
        site: { resource: release },
        base: ['spec', 'values', 'meshConfig'],
      });
    }
    for (const app of g.ofKind('Application', 'argoproj.io')) {
      const single = get(app.body, 'spec', 'source');
      const list = get(app.body, 'spec', 'sources');
      const entries: [unknown, Path][] = isObj(single)
        ? [[single, ['spec', 'source']]]
        : Array.isArray(list)
          ? list.map((entry, i): [unknown, Path] => [entry, ['spec', 'sources', i]])
          : [];
      for (const [entry, path] of entries) {
        if (!ISTIOD_CHARTS.has(str(get(entry, 'chart')) ?? '')) continue;
        const source = argoValuesSource(app, entry, path);
        if (source) sources.push(source);
      }
    }
    const unapplied: UnappliedValues[] = [];
    const charts = chartNames(g);
    for (const ref of g.documents) {
      const value = ref.document.value;
      if (!isObj(value) || !isObj(value[MESH_CONFIG_VALUE_KEY]) || KUBERNETES_KEYS.some((k) => k in value)) continue;
      const file = ref.file.path;
      const dir = directoryOf(file);
      const name = file.slice(dir.length);
      if (!/values/i.test(name)) continue;
      const reason = valuesFileReason(name, dir, charts.get(dir));
      if (reason) {
        unapplied.push({ document: ref, reason });
        continue;
      }
      sources.push({
        origin: 'helm-values',
        revision: str(value.revision) ?? '',
        values: value[MESH_CONFIG_VALUE_KEY],
        site: { document: ref },
        base: [MESH_CONFIG_VALUE_KEY],
      });
    }
    return { sources, unapplied };
  });
}

/** The Sail Operator's Istio resources (sailoperator.io, formerly operator.istio.io). */
function sailIstios(graph: Graph): readonly Resource[] {
  return [...graph.ofKind('Istio', 'sailoperator.io'), ...graph.ofKind('Istio', 'operator.istio.io')];
}

/**
 * The revision a Sail Operator Istio installs: its name, except `default` with the InPlace strategy (the default
 * revision); with RevisionBased updates, `<name>-<version with dots as dashes>` (the IstioRevision it creates).
 */
function sailRevision(istio: Resource): string {
  const strategy = str(get(istio.body, 'spec', 'updateStrategy', 'type'));
  const version = str(get(istio.body, 'spec', 'version'));
  if (strategy === 'RevisionBased' && version) return `${istio.name}-${version.replace(/\./g, '-')}`;
  return istio.name === 'default' ? '' : istio.name;
}

/**
 * Why a values file with `meshConfig:` is not read as the istiod chart's, or undefined when it is: a values file in
 * the chart's folder (a Chart.yaml naming istiod or istio-discovery), or one whose name or folder says istiod
 * (`istiod-values.yaml`, `istiod/values-prod.yaml`), as passed to `helm install -f`.
 */
function valuesFileReason(name: string, dir: string, chart: string | undefined): string | undefined {
  if (chart !== undefined)
    return ISTIOD_CHARTS.has(chart) ? undefined : `it belongs to the Helm chart ${chart}, which is not istiod`;
  if (/istiod|istio-discovery/i.test(name) || /(^|\/)(istiod|istio-discovery)\/$/i.test(dir)) return undefined;
  return 'no Chart.yaml of the istiod chart sits next to it and neither its name nor its folder says istiod';
}

function directoryOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/') + 1);
}

/** Folder -> the name in its Chart.yaml, for the Chart.yaml files among the scanned documents. */
function chartNames(graph: Graph): Map<string, string> {
  const out = new Map<string, string>();
  for (const ref of graph.documents) {
    const path = ref.file.path;
    if (!/(^|\/)Chart\.yaml$/.test(path)) continue;
    const name = str(get(ref.document.value, 'name'));
    if (name) out.set(directoryOf(path), name);
  }
  return out;
}

/**
 * Namespaces an istiod runs in, as far as the repository says: istio-system (the default `istioNamespace`), where an
 * istiod Deployment is, an IstioOperator's `values.global.istioNamespace` and a Sail Operator Istio's `spec.namespace`. A ConfigMap named istio anywhere else
 * is some application's, not the mesh config.
 */
function controlPlaneNamespaces(graph: Graph): Set<string> {
  const out = new Set(['istio-system']);
  for (const d of graph.ofKind('Deployment', 'apps'))
    if (/^istiod(-|$)/.test(d.name) || d.labels.app === 'istiod') out.add(d.namespace);
  for (const iop of graph.ofKind('IstioOperator', 'install.istio.io')) {
    const ns = str(get(iop.body, 'spec', 'values', 'global', 'istioNamespace'));
    if (ns) out.add(ns);
  }
  for (const istio of sailIstios(graph)) {
    const ns = str(get(istio.body, 'spec', 'namespace'));
    if (ns) out.add(ns);
  }
  return out;
}

function configMapSource(cm: Resource, controlPlane: ReadonlySet<string>): MeshConfigSource | undefined {
  const revision = /^istio(?:-([a-z0-9][a-z0-9-]*))?$/.exec(cm.name);
  const text = get(cm.body, 'data', 'mesh');
  if (!revision || typeof text !== 'string') return undefined;
  // The chart labels what it renders; without that, only a control-plane namespace makes it the mesh config.
  if (!controlPlane.has(cm.namespace) && cm.labels['operator.istio.io/component'] !== 'Pilot') return undefined;
  const held = readHeldText(cm, ['data', 'mesh']);
  if (held) {
    const values = isObj(held.value) && !held.refused ? held.value : {};
    return {
      origin: 'configmap',
      revision: revision[1] ?? '',
      values,
      site: { resource: held.site },
      base: [],
      embedded: held.embedded,
    };
  }
  // A text that cannot be mapped back (rendered from a Helm template): read it all the same, and point at the key.
  let values: unknown;
  try {
    values = firstDocument(parseSource(cm.source.file.path, text, MANIFEST_PARSE_OPTIONS))?.value;
  } catch {
    values = undefined; // beyond the parser's limits: nothing to read, as with any text that does not parse
  }
  return {
    origin: 'configmap',
    revision: revision[1] ?? '',
    values: isObj(values) ? values : {},
    site: { resource: cm },
    base: ['data', 'mesh'],
  };
}

function firstDocument(file: SourceFile): SourceDocument | undefined {
  return file.documents.find((d) => d.value !== undefined) ?? file.documents[0];
}

/**
 * The mesh config an Argo CD Application passes to the istiod chart: `helm.valuesObject` wins over the `helm.values`
 * string ("parameters > valuesObject > values > valueFiles", Argo CD's Helm guide), so the first that holds meshConfig.
 */
function argoValuesSource(app: Resource, entry: unknown, path: Path): MeshConfigSource | undefined {
  const object = get(entry, 'helm', 'valuesObject');
  if (isObj(object) && isObj(object.meshConfig))
    return {
      origin: 'helm-release',
      revision: str(object.revision) ?? '',
      values: object.meshConfig,
      site: { resource: app },
      base: [...path, 'helm', 'valuesObject', 'meshConfig'],
    };
  const held = readHeldText(app, [...path, 'helm', 'values']);
  if (!held || !isObj(held.value) || !isObj(held.value.meshConfig)) return undefined;
  return {
    origin: 'helm-release',
    revision: str(held.value.revision) ?? '',
    values: held.refused ? {} : held.value.meshConfig,
    site: { resource: held.site },
    base: ['meshConfig'],
    embedded: held.embedded,
  };
}

/**
 * YAML held in a string of a resource, parsed so that findings land inside it: its value, whether it fails to parse
 * (istiod and Helm refuse such a text as a whole: none of its settings are in force), and the resource seen through
 * the text (same name and annotations, its source the parsed text).
 */
function readHeldText(
  host: Resource,
  path: Path,
): { embedded: SourceFile; value: unknown; refused: boolean; site: Resource } | undefined {
  const { file, document, base } = host.source;
  const embedded = parseEmbedded(file, document, [...base, ...path], MANIFEST_PARSE_OPTIONS);
  const inner = embedded && firstDocument(embedded);
  if (!embedded || !inner) return undefined;
  return {
    embedded,
    value: inner.value,
    refused: embedded.problems.some((p) => p.code === 'parse-error'),
    site: relocated(host, { file: embedded, document: inner, base: [] }, []),
  };
}

/**
 * Texts the model parsed that their system must be able to read, with what they are: their parse problems are
 * reported (istiod refuses a mesh text that does not parse and keeps its last config, kubemesh/watcher.go).
 */
export function meshConfigTexts(graph: Graph): readonly { readonly file: SourceFile; readonly what: string }[] {
  return meshConfigs(graph).sources.flatMap((s) =>
    s.embedded
      ? [
          {
            file: s.embedded,
            what:
              s.origin === 'configmap'
                ? `the mesh config of ${meshConfigName(s)}, which istiod refuses`
                : `the Helm values of ${meshConfigName(s)}, which cannot be rendered`,
          },
        ]
      : [],
  );
}

/** Where a finding about a setting of this mesh config points: pass it to `report`. */
export function meshConfigSite(
  source: MeshConfigSource,
  ...path: Path
): { resource: Resource; path: Path } | { document: DocumentRef; path: Path } {
  const at = [...source.base, ...path];
  return 'resource' in source.site
    ? { resource: source.site.resource, path: at }
    : { document: source.site.document, path: at };
}

/** How messages name a mesh config's source. */
export function meshConfigName(source: MeshConfigSource): string {
  if ('resource' in source.site) {
    const r = source.site.resource;
    return `${r.kind} ${r.namespace}/${r.name}`;
  }
  return source.site.document.file.path;
}

/** The file a mesh config is written in. */
export function meshConfigFile(source: MeshConfigSource): string {
  return 'resource' in source.site ? source.site.resource.source.file.path : source.site.document.file.path;
}

/** A setting of a mesh config, when it is written there (undefined when absent). */
export function meshSetting(source: MeshConfigSource, ...path: Path): unknown {
  return get(source.values, ...path);
}

/**
 * The root namespace the mesh configs of the repository agree on, with the source that says it; undefined when none
 * sets it or when they disagree (the disagreement is a finding).
 */
export function meshRootNamespace(graph: Graph): { value: string; source: MeshConfigSource } | undefined {
  let found: { value: string; source: MeshConfigSource } | undefined;
  for (const source of meshConfigs(graph).sources) {
    const value = str(meshSetting(source, 'rootNamespace'));
    if (!value) continue;
    if (found && found.value !== value) return undefined;
    found ??= { value, source };
  }
  return found;
}

/** A mesh config of the repository that turns auto mTLS off (enableAutoMtls: false), if any. */
export function autoMtlsDisabledBy(graph: Graph): MeshConfigSource | undefined {
  return meshConfigs(graph).sources.find((s) => meshSetting(s, 'enableAutoMtls') === false);
}

/**
 * The mesh settings the rules apply to this graph: the root namespace of the repository's mesh config, unless the
 * configuration sets `mesh.rootNamespace` (an explicit setting wins; a disagreement is a finding).
 */
export function meshSettingsOf<M extends MeshSettings>(graph: Graph, mesh: M): M {
  if (mesh.rootNamespaceConfigured) return mesh;
  const root = meshRootNamespace(graph);
  return root && root.value !== mesh.rootNamespace ? { ...mesh, rootNamespace: root.value } : mesh;
}

/** The istio.io/rev a workload is tied to ('' for the default revision): pod label, else its namespace's label. */
export function workloadRevision(graph: Graph, namespace: string, podLabels: Readonly<Record<string, string>>): string {
  const rev =
    podLabels['istio.io/rev'] ?? strMap(get(graph.namespace(namespace)?.body, 'metadata', 'labels'))['istio.io/rev'];
  return !rev || rev === 'default' ? '' : rev;
}
