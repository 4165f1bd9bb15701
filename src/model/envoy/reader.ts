// Envoy configuration -> resources: a v3 bootstrap, an xDS resource list, a bare list of listeners or clusters, lone
// filters; inside Kubernetes objects, EnvoyFilter patches (fragments) and EnvoyProxy bootstrap strings.
// Sources: envoyproxy/data-plane-api bootstrap.proto and discovery.proto; Istio's EnvoyFilter API reference.
import { keptDocuments, type SourceDocument, type SourceFile } from '../../parse/source.js';
import { parseEmbedded } from '../../parse/embedded.js';
import { MANIFEST_PARSE_OPTIONS } from '../kubernetes/reader.js';
import type { EnvoyResource, Resource, SourceRef } from '../resource.js';
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

/**
 * Where Envoy resources were read, one for the items of a list: their file and document, the path (the list's, or a
 * resource's own base: the caller's, never changed after), their namespace and how they were read.
 */
class EnvoyPlace {
  constructor(
    readonly file: SourceFile,
    readonly document: SourceDocument,
    readonly at: Path,
    readonly namespace: string,
    readonly meta: EnvoyMeta,
  ) {}
}

/**
 * An Envoy resource: one object, its own SourceRef, with its place (shared by a list's items) and, on its prototype,
 * what every Envoy resource has alike (format, apiVersion, no API group, no labels). An item of a list has the list's
 * path and its index: its base is made when asked for (per finding, not per resource). A plain object each, with a
 * SourceRef and a base of its own, was ~250 bytes per cluster kept for the run; this is 72.
 */
class EnvoyObject implements EnvoyResource {
  constructor(
    private readonly place: EnvoyPlace,
    /** Its index in the list at the place's path; -1 when that path is its base. */
    private readonly item: number,
    readonly kind: EnvoyKind,
    readonly name: string,
    readonly body: Obj,
    readonly anchor: Path,
  ) {}

  get format(): 'envoy' {
    return 'envoy';
  }
  get apiVersion(): string {
    return 'envoy/v3';
  }
  get group(): string {
    return '';
  }
  get labels(): Readonly<Record<string, string>> {
    return NO_LABELS;
  }
  get annotations(): Readonly<Record<string, string>> {
    return NO_LABELS;
  }
  get namespace(): string {
    return this.place.namespace;
  }
  get partial(): boolean {
    // Filters and chains on their own are fragments of listeners we cannot see.
    return this.place.meta.partial || FRAGMENT_KINDS.has(this.kind);
  }
  get origin(): EnvoyOrigin {
    return this.place.meta.origin;
  }
  get source(): SourceRef {
    return this;
  }
  get file(): SourceFile {
    return this.place.file;
  }
  get document(): SourceDocument {
    return this.place.document;
  }
  get base(): Path {
    return this.item === -1 ? this.place.at : this.place.at.concat(this.item);
  }
}

const FRAGMENT_KINDS: ReadonlySet<EnvoyKind> = new Set(['EnvoyHttpFilter', 'EnvoyNetworkFilter', 'EnvoyFilterChain']);

/**
 * The resource read from `body` at `place`: its item `index` when `item` (the place is its list's), else at the
 * place's path itself. Named by its name field, or `#index`, unless `named`.
 */
function makeResource(
  place: EnvoyPlace,
  kind: EnvoyKind,
  body: unknown,
  index: number,
  item = false,
  named?: { readonly name: string; readonly anchor: Path },
): EnvoyResource {
  const b = obj(body);
  const nameKey = keyOf(b, 'name');
  const name = named ? named.name : (nameKey && str(b[nameKey])) || `#${index}`;
  const anchor = named ? named.anchor : nameAnchor(nameKey);
  return new EnvoyObject(place, item ? index : -1, kind, name, b, anchor);
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
    const place = new EnvoyPlace(file, document, base, namespace, meta('list'));
    for (let index = 0; index < value.length; index++) {
      const kind = guessKind(value[index]);
      if (kind) {
        known++;
        out.push(makeResource(place, kind, value[index], index, true));
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
      // The list's path is its items' (no Node and path per item of a list that may hold tens of thousands of clusters).
      const list = child(sr, field);
      const values = arr(list.value);
      const place = new EnvoyPlace(file, document, list.path, namespace, bootstrapMeta);
      for (let index = 0; index < values.length; index++) {
        if (isObj(values[index])) out.push(makeResource(place, kind, values[index], index, true));
      }
    }
    const admin = child(root, 'admin');
    if (isObj(admin.value)) {
      const addressKey = keyOf(admin.value, 'address');
      const place = new EnvoyPlace(file, document, admin.path, namespace, bootstrapMeta);
      out.push(
        makeResource(place, 'EnvoyAdmin', admin.value, 0, false, {
          name: 'admin',
          anchor: addressKey ? [addressKey] : [],
        }),
      );
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
    // The list's path is its items' (as for a bootstrap's lists above).
    const listPath = [...base, resourcesKey];
    const place = new EnvoyPlace(file, document, listPath, namespace, xdsMeta);
    list.forEach((item, index) => {
      if (!isObj(item) || typeof item['@type'] !== 'string') return;
      typedItems++;
      // A DiscoveryResponse wraps each resource in a Resource { name, resource: Any }.
      const wrapped = /envoy\.service\.discovery\.v3\.Resource$/.test(item['@type'] as string) && isObj(item.resource);
      const body = wrapped ? item.resource : item;
      const kind = guessKind(body);
      if (!kind) return;
      out.push(
        wrapped
          ? makeResource(
              new EnvoyPlace(file, document, [...listPath, index, 'resource'], namespace, xdsMeta),
              kind,
              body,
              index,
            )
          : makeResource(place, kind, body, index, true),
      );
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
    if (kind) return [makeResource(new EnvoyPlace(file, document, base, namespace, meta('xds')), kind, value, 0)];
  }
  // A lone HTTP or network filter document.
  if (!(typeof value.apiVersion === 'string')) {
    const kind = guessKind(value);
    if (kind === 'EnvoyHttpFilter' || kind === 'EnvoyNetworkFilter')
      return [makeResource(new EnvoyPlace(file, document, base, namespace, meta('list')), kind, value, 0)];
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
      const path = [...base, 'spec', 'configPatches', index, 'patch', 'value'];
      const meta: EnvoyMeta = { partial, origin: 'envoyfilter' };
      out.push(makeResource(new EnvoyPlace(file, document, path, resource.namespace, meta), kind, value, index));
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
