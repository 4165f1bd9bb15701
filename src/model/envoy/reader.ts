// Envoy configuration -> resources: a v3 bootstrap, an xDS resource list, a bare list of listeners or clusters, lone
// filters; inside Kubernetes objects, EnvoyFilter patches (fragments) and EnvoyProxy bootstrap strings.
// Sources: envoyproxy/data-plane-api bootstrap.proto and discovery.proto; Istio's EnvoyFilter API reference.
import { keptDocuments, type SourceDocument, type SourceFile } from '../../parse/source.js';
import { parseEmbedded } from '../../parse/embedded.js';
import { MANIFEST_PARSE_OPTIONS } from '../kubernetes/reader.js';
import type { EnvoyResource, Resource } from '../resource.js';
import { arr, get, isObj, obj, str, strMap, type Obj, type Path } from '../values.js';
import { child, ENVOY_RECOGNISING_KEYS, keyOf, type Node, TYPE_PREFIX, typed } from './fields.js';
import { appendAll } from '../../arrays.js';

const ENVOY_KINDS = [
  'EnvoyListener',
  'EnvoyCluster',
  'EnvoyAdmin',
  'EnvoyRouteConfiguration',
  'EnvoySecret',
  'EnvoyFilterChain',
  'EnvoyNetworkFilter',
  'EnvoyHttpFilter',
] as const;

export type EnvoyKind = (typeof ENVOY_KINDS)[number];

/** Where an Envoy resource was read from. */
export type EnvoyOrigin = 'bootstrap' | 'xds' | 'list' | 'envoyfilter' | 'embedded';

interface EnvoyMeta {
  readonly partial: boolean;
  readonly origin: EnvoyOrigin;
}

/** A fragment merged into config we cannot see: judge only what it sets. */
export function isPartial(resource: Resource): boolean {
  return resource.format === 'envoy' && resource.partial;
}

// Envoy objects carry no labels or annotations: every resource shares values' frozen empty map, and the frozen
// anchor of its name key (one per spelling), instead of three objects of its own (a file may hold 40,000 clusters).
const NO_LABELS = strMap(undefined);
const NO_ANCHOR: Path = Object.freeze([]);
const nameAnchors = new Map<string, Path>();

function nameAnchor(nameKey: string | undefined): Path {
  if (nameKey === undefined) return NO_ANCHOR;
  let anchor = nameAnchors.get(nameKey);
  if (!anchor) nameAnchors.set(nameKey, (anchor = Object.freeze([nameKey])));
  return anchor;
}

function makeResource(
  file: SourceFile,
  document: SourceDocument,
  base: Path,
  kind: EnvoyKind,
  body: unknown,
  meta: EnvoyMeta,
  index: number,
  namespace = '',
): EnvoyResource {
  // Filters and chains on their own are fragments of listeners we cannot see.
  if (!meta.partial && (kind === 'EnvoyHttpFilter' || kind === 'EnvoyNetworkFilter' || kind === 'EnvoyFilterChain'))
    meta = { ...meta, partial: true };
  const b = obj(body);
  const nameKey = keyOf(b, 'name');
  const name = (nameKey && str(b[nameKey])) || `#${index}`;
  return {
    format: 'envoy',
    apiVersion: 'envoy/v3',
    group: '',
    kind,
    name,
    namespace,
    labels: NO_LABELS,
    annotations: NO_LABELS,
    body: b,
    // A copy of exact size: the caller's path grew in steps (or is reused for the next item), one is kept per resource.
    source: { file, document, base: base.slice() },
    anchor: nameAnchor(nameKey),
    partial: meta.partial,
    origin: meta.origin,
  };
}

const XDS_KINDS: Record<string, EnvoyKind> = {
  Listener: 'EnvoyListener',
  Cluster: 'EnvoyCluster',
  RouteConfiguration: 'EnvoyRouteConfiguration',
  Secret: 'EnvoySecret',
};

function holdsRecognisingKey(o: Obj): boolean {
  // for...in: no list of keys made per object (a bare list of 40,000 clusters is looked at item by item). The
  // objects are parsed values: their prototype adds no enumerable key.
  for (const key in o) if (ENVOY_RECOGNISING_KEYS.has(key)) return true;
  return false;
}

/** The kind of a bare object, by its fields (bare lists of resources, as Envoy Gateway writes them). */
function guessKind(o: unknown): EnvoyKind | undefined {
  if (!isObj(o) || !holdsRecognisingKey(o)) return undefined;
  const t = str(o['@type'])?.replace(TYPE_PREFIX, '');
  if (t) {
    const last = t.split('.').pop()!;
    return /^envoy\.(config\.(listener|cluster|route)|api\.v2|extensions\.transport_sockets\.tls)\./.test(t)
      ? XDS_KINDS[last]
      : undefined;
  }
  const k = (name: string) => keyOf(o, name) !== undefined;
  // A lone filter (Istio's generated RBAC / ext_authz filters are written this way): name + typed_config @type.
  const tc = keyOf(o, 'typed_config');
  if (tc && typeof o.name === 'string') {
    const ext = typed({ value: o, path: [] }).extension;
    if (ext.startsWith('envoy.filters.http.')) return 'EnvoyHttpFilter';
    if (ext.startsWith('envoy.filters.network.')) return 'EnvoyNetworkFilter';
  }
  if (
    (k('filter_chains') || k('default_filter_chain') || k('listener_filters') || k('api_listener')) &&
    (k('address') || k('name'))
  )
    return 'EnvoyListener';
  if (k('address') && isObj(get(o, keyOf(o, 'address')!)) && (k('filter_chains') || k('name')))
    return k('connect_timeout') || k('load_assignment') ? 'EnvoyCluster' : 'EnvoyListener';
  if (
    k('name') &&
    (k('load_assignment') ||
      k('connect_timeout') ||
      k('lb_policy') ||
      k('eds_cluster_config') ||
      k('cluster_type') ||
      k('transport_socket') ||
      (k('type') && k('hosts')))
  )
    return 'EnvoyCluster';
  if (k('virtual_hosts')) return 'EnvoyRouteConfiguration';
  if (k('name') && (k('tls_certificate') || k('validation_context') || k('session_ticket_keys') || k('generic_secret')))
    return 'EnvoySecret';
  return undefined;
}

function isBootstrap(o: Obj): boolean {
  if (typeof o.apiVersion === 'string' && typeof o.kind === 'string') return false;
  const sr = keyOf(o, 'static_resources');
  if (sr && isObj(o[sr])) return true;
  const admin = keyOf(o, 'admin');
  return Boolean(
    admin &&
      isObj(o[admin]) &&
      (keyOf(o, 'dynamic_resources') ||
        keyOf(o, 'node') ||
        keyOf(o, 'layered_runtime') ||
        keyOf(o, 'cluster_manager') ||
        keyOf(o, 'stats_sinks') ||
        keyOf(o, 'overload_manager')),
  );
}

/** Format reader: a v3 bootstrap, an xDS resource list (`resources:` with @type), or a bare list of listeners/clusters. */
export function readEnvoy(file: SourceFile, document: SourceDocument, namespace = ''): Resource[] | undefined {
  return readEnvoyValue(file, document, document.value, [], 'bootstrap', namespace);
}

function readEnvoyValue(
  file: SourceFile,
  document: SourceDocument,
  value: unknown,
  base: Path,
  origin: EnvoyMeta['origin'],
  namespace = '',
): Resource[] | undefined {
  const meta = (o: EnvoyMeta['origin']): EnvoyMeta => ({
    partial: false,
    origin: origin === 'embedded' ? 'embedded' : o,
  });
  if (Array.isArray(value)) {
    const out: Resource[] = [];
    let known = 0;
    const listMeta = meta('list');
    const path = [...base, 0]; // its last step set per item, as for a bootstrap's lists below
    for (let index = 0; index < value.length; index++) {
      const kind = guessKind(value[index]);
      if (kind) {
        known++;
        path[path.length - 1] = index;
        out.push(makeResource(file, document, path, kind, value[index], listMeta, index, namespace));
      }
    }
    // A list is ours only when most of it looks like Envoy resources (a YAML list of anything else is not).
    return known > 0 && known * 2 >= value.length ? out : undefined;
  }
  if (!isObj(value) || !holdsRecognisingKey(value)) return undefined;
  if (isBootstrap(value)) {
    const out: Resource[] = [];
    const root: Node = { value, path: base };
    const sr = child(root, 'static_resources');
    const lists: [string, EnvoyKind][] = [
      ['listeners', 'EnvoyListener'],
      ['clusters', 'EnvoyCluster'],
      ['secrets', 'EnvoySecret'],
    ];
    const bootstrapMeta = meta('bootstrap');
    for (const [field, kind] of lists) {
      // One path, its last step set per item (makeResource keeps a copy): no Node and path per item of a list that
      // may hold tens of thousands of clusters.
      const list = child(sr, field);
      const values = arr(list.value);
      const path = [...list.path, 0];
      for (let index = 0; index < values.length; index++) {
        path[path.length - 1] = index;
        if (isObj(values[index]))
          out.push(makeResource(file, document, path, kind, values[index], bootstrapMeta, index, namespace));
      }
    }
    const admin = child(root, 'admin');
    if (isObj(admin.value)) {
      const r = makeResource(file, document, admin.path, 'EnvoyAdmin', admin.value, meta('bootstrap'), 0, namespace);
      out.push({ ...r, name: 'admin', anchor: keyOf(admin.value, 'address') ? [keyOf(admin.value, 'address')!] : [] });
    }
    return out;
  }
  const resourcesKey = keyOf(value, 'resources');
  if (
    resourcesKey &&
    Array.isArray(value[resourcesKey]) &&
    !(typeof value.apiVersion === 'string' && typeof value.kind === 'string')
  ) {
    const list = value[resourcesKey] as unknown[];
    const out: Resource[] = [];
    let typedItems = 0;
    const xdsMeta = meta('xds');
    // Paths with the item's index set per item, as for a bootstrap's lists below.
    const itemPath = [...base, resourcesKey, 0];
    const wrappedPath = [...itemPath, 'resource'];
    list.forEach((item, index) => {
      if (!isObj(item) || typeof item['@type'] !== 'string') return;
      typedItems++;
      let body: unknown = item;
      let path = itemPath;
      // A DiscoveryResponse wraps each resource in a Resource { name, resource: Any }.
      if (/envoy\.service\.discovery\.v3\.Resource$/.test(item['@type'] as string) && isObj(item.resource)) {
        body = item.resource;
        path = wrappedPath;
      }
      path[base.length + 1] = index;
      const kind = guessKind(body);
      if (kind) out.push(makeResource(file, document, path, kind, body, xdsMeta, index, namespace));
    });
    return typedItems > 0 &&
      list.every((item) => !isObj(item) || typeof item['@type'] === 'string' || typeof item['@type'] === 'undefined') &&
      typedItems * 2 >= list.length
      ? out
      : undefined;
  }
  // A single listener or cluster object written as a file of its own.
  if (!(typeof value.apiVersion === 'string') && typeof value['@type'] === 'string') {
    const kind = guessKind(value);
    if (kind) return [makeResource(file, document, base, kind, value, meta('xds'), 0, namespace)];
  }
  // A lone HTTP or network filter document.
  if (!(typeof value.apiVersion === 'string')) {
    const kind = guessKind(value);
    if (kind === 'EnvoyHttpFilter' || kind === 'EnvoyNetworkFilter')
      return [makeResource(file, document, base, kind, value, meta('list'), 0, namespace)];
  }
  return undefined;
}

/** Envoy inside Kubernetes objects: EnvoyFilter patches, EnvoyProxy bootstrap strings. (ConfigMap keys: see readConfigMapFiles in ../graph.ts.) */
export function readEnvoyNested(resource: Resource): Resource[] {
  if (resource.format !== 'kubernetes') return [];
  const { file, document, base } = resource.source;
  if (resource.kind === 'EnvoyFilter' && resource.group === 'networking.istio.io') {
    const out: Resource[] = [];
    arr(get(resource.body, 'spec', 'configPatches')).forEach((patch, index) => {
      const applyTo = str(get(patch, 'applyTo')) ?? '';
      const operation = str(get(patch, 'patch', 'operation')) ?? '';
      const value = get(patch, 'patch', 'value');
      if (!isObj(value)) return;
      const kind: EnvoyKind | undefined = (
        {
          LISTENER: 'EnvoyListener',
          CLUSTER: 'EnvoyCluster',
          FILTER_CHAIN: 'EnvoyFilterChain',
          NETWORK_FILTER: 'EnvoyNetworkFilter',
          HTTP_FILTER: 'EnvoyHttpFilter',
          ROUTE_CONFIGURATION: 'EnvoyRouteConfiguration',
          VIRTUAL_HOST: undefined,
        } as Record<string, EnvoyKind | undefined>
      )[applyTo];
      if (!kind) return;
      // A whole listener or cluster only when added; everything else merges into config generated elsewhere.
      const partial = !(operation === 'ADD' && (kind === 'EnvoyListener' || kind === 'EnvoyCluster'));
      const r = makeResource(
        file,
        document,
        [...base, 'spec', 'configPatches', index, 'patch', 'value'],
        kind,
        value,
        { partial, origin: 'envoyfilter' },
        index,
        resource.namespace,
      );
      out.push(r);
    });
    return out;
  }
  if (
    resource.kind === 'EnvoyProxy' &&
    resource.group === 'gateway.envoyproxy.io' &&
    typeof get(resource.body, 'spec', 'bootstrap', 'value') === 'string'
  ) {
    return readEmbedded(file, document, [...base, 'spec', 'bootstrap', 'value'], [readEnvoy], resource.namespace);
  }
  return [];
}

/** Parses a string held at `path` of a document and reads it with the given readers (positions map back to the host). */
export function readEmbedded(
  file: SourceFile,
  document: SourceDocument,
  path: Path,
  readers: readonly ((f: SourceFile, d: SourceDocument, namespace?: string) => Resource[] | undefined)[],
  namespace = '',
): Resource[] {
  const inner = parseEmbedded(file, document, path, MANIFEST_PARSE_OPTIONS);
  if (!inner) return [];
  const out: Resource[] = [];
  for (const doc of keptDocuments(inner)) {
    if (doc.value === undefined) continue;
    for (const reader of readers) {
      // Objects of another format held in a Kubernetes object belong to its namespace.
      const found = reader(inner, doc, namespace);
      if (found) {
        appendAll(out, found);
        break;
      }
    }
  }
  return out;
}
