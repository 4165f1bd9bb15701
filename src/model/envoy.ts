// Envoy configuration -> typed resources and views. Envoy reads YAML through the proto3 JSON mapping, so every
// field may be spelled snake_case or lowerCamelCase (Istio and Envoy Gateway emit camelCase): views look both up
// and keep the spelling found, so that findings point at the real key. Extensions are identified by their
// typed_config `@type` (Envoy >= 1.22 ignores the name), TypedStruct is unwrapped, and the legacy v2 shapes
// (`config:`, `tls_context`, deprecated names) are still read.
// Sources: envoyproxy/data-plane-api (bootstrap.proto, listener.proto, cluster.proto, tls.proto, common.proto,
// rbac.proto ...), envoy changelogs 1.14.0 / 1.20.0 / 1.22.0; see ../shared/reference/envoy-kong.md part A.
import type { SourceDocument, SourceFile } from '../parse/source.js';
import { parseEmbedded } from '../parse/embedded.js';
import type { Graph } from './graph.js';
import type { Resource } from './resource.js';
import { arr, get, isObj, obj, str, type Obj, type Path } from './values.js';

// ---------------------------------------------------------------------------------------------------------------
// Field access with snake/camel normalisation

/** A value inside a resource and its path relative to the resource. */
export interface Node {
  readonly value: unknown;
  readonly path: Path;
}

export function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The key under which an object holds a snake_case field: the snake or camel spelling, or the v2 dump prefix. */
export function keyOf(o: unknown, name: string): string | undefined {
  if (!isObj(o)) return undefined;
  for (const key of [name, camel(name), `hidden_envoy_deprecated_${name}`, camel(`hidden_envoy_deprecated_${name}`)]) {
    if (Object.hasOwn(o, key)) return key;
  }
  return undefined;
}

/** A field (snake_case name); when absent, the path still names it so findings land on its nearest parent. */
export function child(node: Node, name: string): Node {
  const key = keyOf(node.value, name);
  return key === undefined ? { value: undefined, path: [...node.path, name] } : { value: (node.value as Obj)[key], path: [...node.path, key] };
}

export function at(node: Node, ...names: (string | number)[]): Node {
  let current = node;
  for (const name of names) current = typeof name === 'number' ? { value: arr(current.value)[name], path: [...current.path, name] } : child(current, name);
  return current;
}

export function has(node: Node, name: string): boolean {
  return keyOf(node.value, name) !== undefined && (node.value as Obj)[keyOf(node.value, name)!] !== null;
}

export function items(node: Node): Node[] {
  return arr(node.value).map((value, index) => ({ value, path: [...node.path, index] }));
}

/** Entries of a map whose keys are data (policy names, per-filter config names): not normalised. */
export function entries(node: Node): [string, Node][] {
  return Object.entries(obj(node.value)).map(([key, value]) => [key, { value, path: [...node.path, key] }]);
}

export function bool(node: Node): boolean | undefined {
  const v = node.value;
  if (typeof v === 'boolean') return v;
  if (isObj(v) && typeof v.value === 'boolean') return v.value; // BoolValue written as {value: true}
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Extension identity

const TYPE_PREFIX = /^type\.googleapis\.com\//;
const TYPED_STRUCT = new Set(['udpa.type.v1.TypedStruct', 'xds.type.v3.TypedStruct']);

/** Deprecated extension names (envoy changelogs/1.14.0.yaml) -> canonical; `envoy.ext_authz` depends on where it is. */
export const DEPRECATED_NAMES: Readonly<Record<string, string>> = {
  'envoy.http_connection_manager': 'envoy.filters.network.http_connection_manager',
  'envoy.router': 'envoy.filters.http.router',
  'envoy.rate_limit': 'envoy.filters.http.ratelimit',
  'envoy.ratelimit': 'envoy.filters.network.ratelimit',
  'envoy.tcp_proxy': 'envoy.filters.network.tcp_proxy',
  'envoy.cors': 'envoy.filters.http.cors',
  'envoy.csrf': 'envoy.filters.http.csrf',
  'envoy.fault': 'envoy.filters.http.fault',
  'envoy.lua': 'envoy.filters.http.lua',
  'envoy.buffer': 'envoy.filters.http.buffer',
  'envoy.gzip': 'envoy.filters.http.gzip',
  'envoy.health_check': 'envoy.filters.http.health_check',
  'envoy.ip_tagging': 'envoy.filters.http.ip_tagging',
  'envoy.grpc_web': 'envoy.filters.http.grpc_web',
  'envoy.grpc_json_transcoder': 'envoy.filters.http.grpc_json_transcoder',
  'envoy.grpc_http1_bridge': 'envoy.filters.http.grpc_http1_bridge',
  'envoy.squash': 'envoy.filters.http.squash',
  'envoy.http_dynamo_filter': 'envoy.filters.http.dynamo',
  'envoy.listener.tls_inspector': 'envoy.filters.listener.tls_inspector',
  'envoy.listener.http_inspector': 'envoy.filters.listener.http_inspector',
  'envoy.listener.original_dst': 'envoy.filters.listener.original_dst',
  'envoy.listener.original_src': 'envoy.filters.listener.original_src',
  'envoy.listener.proxy_protocol': 'envoy.filters.listener.proxy_protocol',
  'envoy.client_ssl_auth': 'envoy.filters.network.client_ssl_auth',
  'envoy.echo': 'envoy.filters.network.echo',
  'envoy.mongo_proxy': 'envoy.filters.network.mongo_proxy',
  'envoy.redis_proxy': 'envoy.filters.network.redis_proxy',
  'envoy.file_access_log': 'envoy.access_loggers.file',
  'envoy.http_grpc_access_log': 'envoy.access_loggers.http_grpc',
  'envoy.tcp_grpc_access_log': 'envoy.access_loggers.tcp_grpc',
  tls: 'envoy.transport_sockets.tls',
  raw_buffer: 'envoy.transport_sockets.raw_buffer',
};

/** Canonical extension name for a type name (`envoy.extensions.filters.http.rbac.v3.RBAC` -> envoy.filters.http.rbac). */
export function extensionOfType(type: string): string | undefined {
  const t = type.replace(TYPE_PREFIX, '');
  let m = /(?:^|\.)filters?\.(http|network|listener|udp)\.([a-z0-9_]+)\.v\d/.exec(t);
  if (m) return `envoy.filters.${m[1]}.${m[2] === 'rate_limit' ? 'ratelimit' : m[2]}`;
  m = /(?:^|\.)transport_sockets\.([a-z0-9_]+)\.v\d/.exec(t);
  if (m) return `envoy.transport_sockets.${m[1]}`;
  if (/^envoy\.api\.v2\.auth\.(Downstream|Upstream)TlsContext$/.test(t)) return 'envoy.transport_sockets.tls';
  return undefined;
}

export interface Typed {
  /** Canonical extension name ('envoy.filters.http.rbac'), from @type, else from the name; '' when unknown. */
  readonly extension: string;
  /** The type name without the type.googleapis.com/ prefix ('' when the config is untyped). */
  readonly type: string;
  /** The configuration object (TypedStruct unwrapped; the v2 `config:` struct). */
  readonly config: Node;
  /** The filter's own node (holding name and typed_config). */
  readonly node: Node;
  readonly name: string;
  /** How it is written in a deprecated way, if it is. */
  readonly legacy?: { readonly path: Path; readonly what: string; readonly instead: string };
}

/** Reads an extension config holder (a filter, a transport socket): `name` + `typed_config` (or v2 `config`). */
export function typed(node: Node, context: 'http' | 'network' | 'listener' | 'transport' = 'network'): Typed {
  const name = str(child(node, 'name').value) ?? '';
  let config = child(node, 'typed_config');
  let type = str(obj(config.value)['@type'])?.replace(TYPE_PREFIX, '') ?? '';
  let legacy: Typed['legacy'];
  if (TYPED_STRUCT.has(type)) {
    type = str(child(config, 'type_url').value)?.replace(TYPE_PREFIX, '') ?? '';
    config = child(config, 'value');
  }
  if (config.value === undefined && keyOf(node.value, 'config') !== undefined) {
    config = child(node, 'config');
    legacy = { path: config.path, what: 'the untyped v2 `config:` field', instead: '`typed_config` with an "@type"' };
  }
  let extension = type ? extensionOfType(type) ?? '' : '';
  if (/^envoy\.(api\.v2|config\.filter)\./.test(type) && !legacy) legacy = { path: [...child(node, 'typed_config').path, '@type'], what: `the v2 type ${type}`, instead: 'the v3 type' };
  const fromName = name === 'envoy.ext_authz' ? `envoy.filters.${context === 'http' ? 'http' : 'network'}.ext_authz` : DEPRECATED_NAMES[name];
  if (fromName) {
    legacy = legacy ?? { path: child(node, 'name').path, what: `the deprecated name "${name}"`, instead: `"${fromName}"` };
    if (!extension) extension = fromName;
  }
  if (!extension && /^envoy\.(filters|transport_sockets)\./.test(name)) extension = name;
  return { extension, type, config, node, name, legacy };
}

// ---------------------------------------------------------------------------------------------------------------
// Addresses

export interface AddressView {
  readonly node: Node;
  /** The host ('' when not a socket address). */
  readonly host: string;
  readonly port?: number | string;
  /** 'loopback', 'local' (pipe / internal address), 'unknown' (templated), or 'network'. */
  readonly scope: 'loopback' | 'local' | 'unknown' | 'network';
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '0:0:0:0:0:0:0:1' || h === '::ffff:127.0.0.1';
}

/** host:port for messages ([::]:443 for IPv6). */
export function formatAddress(a: AddressView): string {
  const host = a.host.includes(':') && !a.host.startsWith('[') ? `[${a.host}]` : a.host;
  return a.port !== undefined ? `${host}:${a.port}` : host;
}

export function addressOf(node: Node): AddressView {
  const socket = child(node, 'socket_address');
  if (isObj(socket.value)) {
    const host = String(child(socket, 'address').value ?? '');
    const port = child(socket, 'port_value').value ?? child(socket, 'named_port').value;
    const scope = !host ? 'unknown' : /[${}]/.test(host) ? 'unknown' : isLoopbackHost(host) ? 'loopback' : 'network';
    return { node: child(socket, 'address'), host, port: typeof port === 'number' || typeof port === 'string' ? port : undefined, scope };
  }
  if (has(node, 'pipe') || has(node, 'envoy_internal_address')) return { node, host: '', scope: 'local' };
  return { node, host: '', scope: 'unknown' };
}

// ---------------------------------------------------------------------------------------------------------------
// Transport sockets and TLS contexts

export interface TlsView {
  /** The DownstreamTlsContext / UpstreamTlsContext object. */
  readonly context: Node;
  readonly direction: 'downstream' | 'upstream';
  readonly legacy?: Typed['legacy'];
}

export interface TransportView {
  readonly kind: 'none' | 'tls' | 'raw' | 'other';
  readonly node: Node;
  readonly tls?: TlsView;
  readonly legacy?: Typed['legacy'];
}

/** The transport socket of a filter chain or cluster, wrappers (proxy_protocol, tcp_stats) unwrapped, QUIC looked into. */
export function transportOf(holder: Node, direction: 'downstream' | 'upstream'): TransportView {
  const legacyTls = child(holder, 'tls_context');
  if (isObj(legacyTls.value)) {
    return { kind: 'tls', node: legacyTls, tls: { context: legacyTls, direction, legacy: { path: legacyTls.path, what: '`tls_context`', instead: 'a `transport_socket` named envoy.transport_sockets.tls' } } };
  }
  let socket = child(holder, 'transport_socket');
  for (let depth = 0; depth < 4; depth++) {
    if (!isObj(socket.value)) return { kind: 'none', node: socket };
    const t = typed(socket, 'transport');
    const inner = child(t.config, 'transport_socket');
    if (isObj(inner.value) && /proxy_protocol|tcp_stats|internal_upstream|http_11_proxy/.test(t.extension)) {
      socket = inner;
      continue;
    }
    if (t.extension === 'envoy.transport_sockets.tls') return { kind: 'tls', node: socket, tls: { context: t.config, direction, legacy: t.legacy }, legacy: t.legacy };
    if (t.extension === 'envoy.transport_sockets.quic') {
      const ctx = child(t.config, direction === 'downstream' ? 'downstream_tls_context' : 'upstream_tls_context');
      return { kind: 'tls', node: socket, tls: { context: ctx, direction } };
    }
    if (t.extension === 'envoy.transport_sockets.starttls') {
      const ctx = child(t.config, 'tls_socket_config'); // StartTlsConfig / UpstreamStartTlsConfig: cleartext first, then this TLS context
      return { kind: 'tls', node: socket, tls: { context: ctx, direction } };
    }
    if (t.extension === 'envoy.transport_sockets.alts') return { kind: 'other', node: socket };
    if (t.extension === 'envoy.transport_sockets.raw_buffer') return { kind: 'raw', node: socket, legacy: t.legacy };
    return { kind: 'other', node: socket, legacy: t.legacy };
  }
  return { kind: 'other', node: socket };
}

export interface ValidationView {
  /** Some validation source exists (trusted CA, SDS, SPIFFE validator ...). */
  readonly present: boolean;
  /** The CertificateValidationContext object, when inline. */
  readonly context?: Node;
  /** Pinning that makes a client certificate mandatory even without require_client_certificate. */
  readonly pinned: boolean;
}

/** How a TLS context verifies the peer's certificate (common.proto CertificateValidationContext). */
export function validationOf(tls: Node): ValidationView {
  const common = child(tls, 'common_tls_context');
  if (has(common, 'validation_context_sds_secret_config') || has(common, 'validation_context_certificate_provider') || has(common, 'validation_context_certificate_provider_instance')) {
    return { present: true, pinned: false };
  }
  const combined = child(common, 'combined_validation_context');
  if (isObj(combined.value)) {
    const inner = child(combined, 'default_validation_context');
    return { present: true, context: isObj(inner.value) ? inner : undefined, pinned: pinnedBy(inner) };
  }
  const vc = child(common, 'validation_context');
  if (!isObj(vc.value)) return { present: false, pinned: false };
  const present = has(vc, 'trusted_ca') || has(vc, 'custom_validator_config') || has(vc, 'watched_directory') || has(vc, 'ca_certificate_provider_instance') || has(vc, 'system_root_certs');
  return { present, context: vc, pinned: pinnedBy(vc) };
}

function pinnedBy(vc: Node): boolean {
  return ['verify_certificate_spki', 'verify_certificate_hash', 'match_typed_subject_alt_names', 'match_subject_alt_names', 'verify_subject_alt_name'].some((f) => arr(child(vc, f).value).length > 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Resources

export const ENVOY_KINDS = ['EnvoyListener', 'EnvoyCluster', 'EnvoyAdmin', 'EnvoyRouteConfiguration', 'EnvoySecret', 'EnvoyFilterChain', 'EnvoyNetworkFilter', 'EnvoyHttpFilter'] as const;
export type EnvoyKind = (typeof ENVOY_KINDS)[number];

interface EnvoyMeta {
  /** A fragment merged into config we cannot see (an EnvoyFilter MERGE / INSERT patch): only what it sets counts. */
  readonly partial: boolean;
  readonly origin: 'bootstrap' | 'xds' | 'list' | 'envoyfilter' | 'embedded';
}
const META = new WeakMap<Resource, EnvoyMeta>();

export function isPartial(resource: Resource): boolean {
  return META.get(resource)?.partial ?? false;
}

function makeResource(file: SourceFile, document: SourceDocument, base: Path, kind: EnvoyKind, body: unknown, meta: EnvoyMeta, index: number, namespace = ''): Resource {
  // Filters and chains on their own are fragments of listeners we cannot see.
  if (!meta.partial && (kind === 'EnvoyHttpFilter' || kind === 'EnvoyNetworkFilter' || kind === 'EnvoyFilterChain')) meta = { ...meta, partial: true };
  const b = obj(body);
  const nameKey = keyOf(b, 'name');
  const name = (nameKey && str(b[nameKey])) || `#${index}`;
  const resource: Resource = {
    format: 'envoy',
    apiVersion: 'envoy/v3',
    group: '',
    kind,
    name,
    namespace,
    labels: {},
    annotations: {},
    body: b,
    source: { file, document, base },
    anchor: nameKey ? [nameKey] : [],
  };
  META.set(resource, meta);
  return resource;
}

const XDS_KINDS: Record<string, EnvoyKind> = {
  Listener: 'EnvoyListener',
  Cluster: 'EnvoyCluster',
  RouteConfiguration: 'EnvoyRouteConfiguration',
  Secret: 'EnvoySecret',
};

/** The kind of a bare object, by its fields (bare lists of resources, as Envoy Gateway writes them). */
function guessKind(o: unknown): EnvoyKind | undefined {
  if (!isObj(o)) return undefined;
  const t = str(o['@type'])?.replace(TYPE_PREFIX, '');
  if (t) {
    const last = t.split('.').pop()!;
    return /^envoy\.(config\.(listener|cluster|route)|api\.v2|extensions\.transport_sockets\.tls)\./.test(t) ? XDS_KINDS[last] : undefined;
  }
  const k = (name: string) => keyOf(o, name) !== undefined;
  // A lone filter (Istio's generated RBAC / ext_authz filters are written this way): name + typed_config @type.
  const tc = keyOf(o, 'typed_config');
  if (tc && typeof o.name === 'string') {
    const ext = typed({ value: o, path: [] }).extension;
    if (ext.startsWith('envoy.filters.http.')) return 'EnvoyHttpFilter';
    if (ext.startsWith('envoy.filters.network.')) return 'EnvoyNetworkFilter';
  }
  if ((k('filter_chains') || k('default_filter_chain') || k('listener_filters') || k('api_listener')) && (k('address') || k('name'))) return 'EnvoyListener';
  if (k('address') && isObj(get(o, keyOf(o, 'address')!)) && (k('filter_chains') || k('name'))) return k('connect_timeout') || k('load_assignment') ? 'EnvoyCluster' : 'EnvoyListener';
  if (k('name') && (k('load_assignment') || k('connect_timeout') || k('lb_policy') || k('eds_cluster_config') || k('cluster_type') || k('transport_socket') || (k('type') && k('hosts')))) return 'EnvoyCluster';
  if (k('virtual_hosts')) return 'EnvoyRouteConfiguration';
  if (k('name') && (k('tls_certificate') || k('validation_context') || k('session_ticket_keys') || k('generic_secret'))) return 'EnvoySecret';
  return undefined;
}

function isBootstrap(o: Obj): boolean {
  if (typeof o.apiVersion === 'string' && typeof o.kind === 'string') return false;
  const sr = keyOf(o, 'static_resources');
  if (sr && isObj(o[sr])) return true;
  const admin = keyOf(o, 'admin');
  return Boolean(admin && isObj(o[admin]) && (keyOf(o, 'dynamic_resources') || keyOf(o, 'node') || keyOf(o, 'layered_runtime') || keyOf(o, 'cluster_manager') || keyOf(o, 'stats_sinks') || keyOf(o, 'overload_manager')));
}

/** Format reader: a v3 bootstrap, an xDS resource list (`resources:` with @type), or a bare list of listeners/clusters. */
export function readEnvoy(file: SourceFile, document: SourceDocument): Resource[] | undefined {
  return readEnvoyValue(file, document, document.value, [], 'bootstrap');
}

function readEnvoyValue(file: SourceFile, document: SourceDocument, value: unknown, base: Path, origin: EnvoyMeta['origin'], namespace = ''): Resource[] | undefined {
  const meta = (o: EnvoyMeta['origin']): EnvoyMeta => ({ partial: false, origin: origin === 'embedded' ? 'embedded' : o });
  if (Array.isArray(value)) {
    const out: Resource[] = [];
    let known = 0;
    value.forEach((item, index) => {
      const kind = guessKind(item);
      if (kind) {
        known++;
        out.push(makeResource(file, document, [...base, index], kind, item, meta('list'), index, namespace));
      }
    });
    // A list is ours only when most of it looks like Envoy resources (a YAML list of anything else is not).
    return known > 0 && known * 2 >= value.length ? out : undefined;
  }
  if (!isObj(value)) return undefined;
  if (isBootstrap(value)) {
    const out: Resource[] = [];
    const root: Node = { value, path: base };
    const sr = child(root, 'static_resources');
    const lists: [string, EnvoyKind][] = [['listeners', 'EnvoyListener'], ['clusters', 'EnvoyCluster'], ['secrets', 'EnvoySecret']];
    for (const [field, kind] of lists) {
      for (const item of items(child(sr, field))) {
        if (isObj(item.value)) out.push(makeResource(file, document, item.path, kind, item.value, meta('bootstrap'), item.path.at(-1) as number, namespace));
      }
    }
    const admin = child(root, 'admin');
    if (isObj(admin.value)) {
      const r = makeResource(file, document, admin.path, 'EnvoyAdmin', admin.value, meta('bootstrap'), 0, namespace);
      out.push({ ...r, name: 'admin', anchor: keyOf(admin.value, 'address') ? [keyOf(admin.value, 'address')!] : [] });
      META.set(out.at(-1)!, meta('bootstrap'));
    }
    return out;
  }
  const resourcesKey = keyOf(value, 'resources');
  if (resourcesKey && Array.isArray(value[resourcesKey]) && !(typeof value.apiVersion === 'string' && typeof value.kind === 'string')) {
    const list = value[resourcesKey] as unknown[];
    const out: Resource[] = [];
    let typedItems = 0;
    list.forEach((item, index) => {
      if (!isObj(item) || typeof item['@type'] !== 'string') return;
      typedItems++;
      let body: unknown = item;
      let path: Path = [...base, resourcesKey, index];
      // A DiscoveryResponse wraps each resource in a Resource { name, resource: Any }.
      if (/envoy\.service\.discovery\.v3\.Resource$/.test(item['@type'] as string) && isObj(item.resource)) {
        body = item.resource;
        path = [...path, 'resource'];
      }
      const kind = guessKind(body);
      if (kind) out.push(makeResource(file, document, path, kind, body, meta('xds'), index, namespace));
    });
    return typedItems > 0 && list.every((item) => !isObj(item) || typeof item['@type'] === 'string' || typeof item['@type'] === 'undefined') && typedItems * 2 >= list.length ? out : undefined;
  }
  // A single listener or cluster object written as a file of its own.
  if (!(typeof value.apiVersion === 'string') && typeof value['@type'] === 'string') {
    const kind = guessKind(value);
    if (kind) return [makeResource(file, document, base, kind, value, meta('xds'), 0, namespace)];
  }
  // A lone HTTP or network filter document.
  if (!(typeof value.apiVersion === 'string')) {
    const kind = guessKind(value);
    if (kind === 'EnvoyHttpFilter' || kind === 'EnvoyNetworkFilter') return [makeResource(file, document, base, kind, value, meta('list'), 0, namespace)];
  }
  return undefined;
}

/** Envoy inside Kubernetes objects: EnvoyFilter patches, EnvoyProxy bootstrap strings. (ConfigMap keys: see graph.ts.) */
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
      const kind: EnvoyKind | undefined = ({ LISTENER: 'EnvoyListener', CLUSTER: 'EnvoyCluster', FILTER_CHAIN: 'EnvoyFilterChain', NETWORK_FILTER: 'EnvoyNetworkFilter', HTTP_FILTER: 'EnvoyHttpFilter', ROUTE_CONFIGURATION: 'EnvoyRouteConfiguration', VIRTUAL_HOST: undefined } as Record<string, EnvoyKind | undefined>)[applyTo];
      if (!kind) return;
      // A whole listener or cluster only when added; everything else merges into config generated elsewhere.
      const partial = !(operation === 'ADD' && (kind === 'EnvoyListener' || kind === 'EnvoyCluster'));
      const r = makeResource(file, document, [...base, 'spec', 'configPatches', index, 'patch', 'value'], kind, value, { partial, origin: 'envoyfilter' }, index, resource.namespace);
      out.push(r);
    });
    return out;
  }
  if (resource.kind === 'EnvoyProxy' && resource.group === 'gateway.envoyproxy.io' && typeof get(resource.body, 'spec', 'bootstrap', 'value') === 'string') {
    return readEmbedded(file, document, [...base, 'spec', 'bootstrap', 'value'], [readEnvoy], resource.namespace);
  }
  return [];
}

/** Parses a string held at `path` of a document and reads it with the given readers (positions map back to the host). */
export function readEmbedded(file: SourceFile, document: SourceDocument, path: Path, readers: readonly ((f: SourceFile, d: SourceDocument) => Resource[] | undefined)[], namespace = ''): Resource[] {
  const inner = parseEmbedded(file, document, path);
  if (!inner) return [];
  const out: Resource[] = [];
  for (const doc of inner.documents) {
    if (doc.value === undefined) continue;
    for (const reader of readers) {
      const found = reader(inner, doc);
      if (found) {
        for (const r of found) {
          // The host's namespace (same object: readers keep per-resource state keyed by identity).
          if (namespace && !r.namespace && r.format !== 'kubernetes') (r as { namespace: string }).namespace = namespace;
          out.push(r);
        }
        break;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Views: listeners, chains, filters, HTTP connection managers

export interface FilterView extends Typed {
  /** An HCM http filter with `disabled: true` (off unless a route enables it). */
  readonly disabled: boolean;
}

export interface HcmView {
  readonly filter: FilterView;
  readonly httpFilters: readonly FilterView[];
  /** The inline route_config, when there is one. */
  readonly routeConfig?: Node;
  /** The RDS route config name, when routes come from RDS. */
  readonly rdsName?: string;
}

export interface ChainView {
  readonly node: Node;
  readonly isDefault: boolean;
  readonly transport: TransportView;
  readonly filters: readonly FilterView[];
  readonly hcms: readonly HcmView[];
}

export interface ListenerView {
  readonly resource: Resource;
  readonly addresses: readonly AddressView[];
  /** Every address is loopback or local (pipe, internal): not reachable from the network. */
  readonly local: boolean;
  readonly chains: readonly ChainView[];
}

function filterView(node: Node, context: 'http' | 'network'): FilterView {
  return { ...typed(node, context), disabled: bool(child(node, 'disabled')) === true };
}

export function hcmOf(filter: FilterView): HcmView {
  const cfg = filter.config;
  const rc = child(cfg, 'route_config');
  const rdsName = str(at(cfg, 'rds', 'route_config_name').value);
  return { filter, httpFilters: items(child(cfg, 'http_filters')).map((n) => filterView(n, 'http')), routeConfig: isObj(rc.value) ? rc : undefined, rdsName };
}

export function chainView(node: Node, isDefault: boolean): ChainView {
  const filters = items(child(node, 'filters')).map((n) => filterView(n, 'network'));
  const hcms = filters.filter((f) => f.extension === 'envoy.filters.network.http_connection_manager').map(hcmOf);
  return { node, isDefault, transport: transportOf(node, 'downstream'), filters, hcms };
}

const listenerViews = new WeakMap<Resource, ListenerView>();

export function listenerView(resource: Resource): ListenerView {
  let view = listenerViews.get(resource);
  if (view) return view;
  const root: Node = { value: resource.body, path: [] };
  const addresses: AddressView[] = [];
  if (has(root, 'address')) addresses.push(addressOf(child(root, 'address')));
  for (const extra of items(child(root, 'additional_addresses'))) addresses.push(addressOf(child(extra, 'address')));
  const chains = items(child(root, 'filter_chains')).map((n) => chainView(n, false));
  const def = child(root, 'default_filter_chain');
  if (isObj(def.value)) chains.push(chainView(def, true));
  const local = addresses.length > 0 && addresses.every((a) => a.scope === 'loopback' || a.scope === 'local');
  view = { resource, addresses, local, chains };
  listenerViews.set(resource, view);
  return view;
}

/** Every HCM in the scan, with where it is: listener chains, EnvoyFilter network-filter and chain fragments. */
export interface HcmSite {
  readonly resource: Resource;
  readonly hcm: HcmView;
  /** The listener, when the HCM sits in a full listener. */
  readonly listener?: ListenerView;
  readonly chain?: ChainView;
}

export function envoyListeners(graph: Graph): readonly ListenerView[] {
  return graph.memo('envoy:listeners', (g) => g.ofKind('EnvoyListener').filter((r) => r.format === 'envoy').map(listenerView));
}

export function hcmSites(graph: Graph): readonly HcmSite[] {
  return graph.memo('envoy:hcms', (g) => {
    const out: HcmSite[] = [];
    for (const listener of envoyListeners(g)) {
      for (const chain of listener.chains) for (const hcm of chain.hcms) out.push({ resource: listener.resource, hcm, listener, chain });
    }
    for (const r of g.ofKind('EnvoyFilterChain')) {
      const chain = chainView({ value: r.body, path: [] }, false);
      for (const hcm of chain.hcms) out.push({ resource: r, hcm, chain });
    }
    for (const r of g.ofKind('EnvoyNetworkFilter')) {
      const f = filterView({ value: r.body, path: [] }, 'network');
      if (f.extension === 'envoy.filters.network.http_connection_manager') out.push({ resource: r, hcm: hcmOf(f) });
    }
    return out;
  });
}

/** A filter (HTTP or network) anywhere in the scan, with the resource it is in. */
export interface FilterSite {
  readonly resource: Resource;
  readonly filter: FilterView;
  readonly hcm?: HcmSite;
  readonly layer: 'http' | 'network';
}

export function filterSites(graph: Graph): readonly FilterSite[] {
  return graph.memo('envoy:filters', (g) => {
    const out: FilterSite[] = [];
    for (const site of hcmSites(g)) for (const f of site.hcm.httpFilters) out.push({ resource: site.resource, filter: f, hcm: site, layer: 'http' });
    for (const listener of envoyListeners(g)) {
      for (const chain of listener.chains) for (const f of chain.filters) out.push({ resource: listener.resource, filter: f, layer: 'network' });
    }
    for (const r of g.ofKind('EnvoyFilterChain')) {
      for (const f of chainView({ value: r.body, path: [] }, false).filters) out.push({ resource: r, filter: f, layer: 'network' });
    }
    for (const r of g.ofKind('EnvoyNetworkFilter')) out.push({ resource: r, filter: filterView({ value: r.body, path: [] }, 'network'), layer: 'network' });
    for (const r of g.ofKind('EnvoyHttpFilter')) out.push({ resource: r, filter: filterView({ value: r.body, path: [] }, 'http'), layer: 'http' });
    return out;
  });
}

/** Route configurations by name (RDS targets), from xDS lists or bare lists in the scan. */
export function routeConfigsByName(graph: Graph): ReadonlyMap<string, Resource> {
  return graph.memo('envoy:routeConfigs', (g) => new Map(g.ofKind('EnvoyRouteConfiguration').filter((r) => r.format === 'envoy').map((r) => [r.name, r])));
}

/** The route configuration an HCM uses: inline, or the RDS one when the scan holds it; undefined when unknown. */
export function routeConfigOf(graph: Graph, site: HcmSite): { resource: Resource; node: Node } | undefined {
  if (site.hcm.routeConfig) return { resource: site.resource, node: site.hcm.routeConfig };
  if (site.hcm.rdsName) {
    const r = routeConfigsByName(graph).get(site.hcm.rdsName);
    if (r) return { resource: r, node: { value: r.body, path: [] } };
  }
  return undefined;
}

/** Per-route / per-vhost configs of one filter (typed_per_filter_config keyed by the filter's name). */
export function perRouteConfigs(routeConfig: Node, filterName: string): Node[] {
  const out: Node[] = [];
  const take = (holder: Node) => {
    for (const [key, value] of entries(child(holder, 'typed_per_filter_config'))) {
      if (key !== filterName) continue;
      let n = value;
      const t = str(obj(n.value)['@type'])?.replace(TYPE_PREFIX, '') ?? '';
      if (TYPED_STRUCT.has(t)) n = child(n, 'value');
      else if (/envoy\.config\.route\.v3\.FilterConfig$/.test(t)) n = child(n, 'config');
      out.push(n);
    }
  };
  for (const vh of items(child(routeConfig, 'virtual_hosts'))) {
    take(vh);
    for (const route of items(child(vh, 'routes'))) take(route);
  }
  return out;
}

/** Every route match of a route configuration (for "health-only" listeners). */
export function routeMatches(routeConfig: Node): Node[] {
  const out: Node[] = [];
  for (const vh of items(child(routeConfig, 'virtual_hosts'))) for (const route of items(child(vh, 'routes'))) out.push(child(route, 'match'));
  return out;
}

const HEALTH_PATH = /^\/(healthz?|readyz?|livez?|ready|live|liveness|readiness|ping|status|health\/(live|ready|liveness|readiness))\/?$/i;

/** The route config serves only health or readiness paths (exact paths, or prefixes of such paths). */
export function onlyHealthRoutes(routeConfig: Node): boolean {
  const matches = routeMatches(routeConfig);
  if (matches.length === 0) return false;
  return matches.every((m) => {
    const p = str(child(m, 'path').value) ?? str(child(m, 'prefix').value);
    return p !== undefined && HEALTH_PATH.test(p);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Clusters

export interface ClusterView {
  readonly resource: Resource;
  readonly endpoints: readonly AddressView[];
  readonly transport: TransportView;
  /** transport_socket_matches with a TLS socket (the cluster may use TLS for some endpoints). */
  readonly tlsMatches: readonly TlsView[];
  /** EDS / ORIGINAL_DST / dynamic forward proxy: endpoints are not in the file. */
  readonly dynamic: boolean;
}

export function clusterView(resource: Resource): ClusterView {
  const root: Node = { value: resource.body, path: [] };
  const endpoints: AddressView[] = [];
  for (const locality of items(at(root, 'load_assignment', 'endpoints'))) {
    for (const lb of items(child(locality, 'lb_endpoints'))) {
      const address = at(lb, 'endpoint', 'address');
      if (isObj(address.value)) endpoints.push(addressOf(address));
    }
  }
  for (const host of items(child(root, 'hosts'))) endpoints.push(addressOf(host));
  const type = String(child(root, 'type').value ?? '');
  const dynamic = ['EDS', 'ORIGINAL_DST', '3', '4'].includes(type) || has(root, 'cluster_type') || has(root, 'eds_cluster_config');
  const tlsMatches = items(child(root, 'transport_socket_matches')).map((m) => transportOf(m, 'upstream').tls).filter((t): t is TlsView => t !== undefined);
  return { resource, endpoints, transport: transportOf(root, 'upstream'), tlsMatches, dynamic };
}

// ---------------------------------------------------------------------------------------------------------------
// Shared-rule detections (tls-weak-version, authz-wildcard-principal): exported for the rule files that own the ids.

export interface EnvoyFinding {
  readonly resource: Resource;
  /** Relative to the resource. */
  readonly path: Path;
  /** Data for the message. */
  readonly data: Readonly<Record<string, string>>;
}

const WEAK_TLS = new Map<string, string>([['TLSv1_0', 'TLSv1_0'], ['TLSv1_1', 'TLSv1_1'], ['1', 'TLSv1_0'], ['2', 'TLSv1_1']]);

/** Every resource holding TLS parameters: listeners, clusters, secrets and EnvoyFilter fragments. */
function tlsHolders(graph: Graph): Resource[] {
  return graph.ofFormat('envoy').filter((r) => r.kind !== 'EnvoyAdmin');
}

/**
 * `tls-weak-version` for Envoy: `tls_minimum_protocol_version` (or `tls_maximum_protocol_version`, which caps the
 * connection below it) set to TLSv1_0 / TLSv1_1, by name or by enum number (TlsParameters.TlsProtocol: 1, 2), in
 * any TlsParameters of a listener, cluster, static secret or EnvoyFilter fragment. data: {field, version}.
 */
export function envoyWeakTlsVersions(graph: Graph): EnvoyFinding[] {
  const out: EnvoyFinding[] = [];
  for (const resource of tlsHolders(graph)) {
    walk({ value: resource.body, path: [] }, (node, key) => {
      if (key !== 'tls_params' && key !== 'tlsParams') return;
      for (const field of ['tls_minimum_protocol_version', 'tls_maximum_protocol_version']) {
        const v = child(node, field);
        const version = v.value === undefined || v.value === null ? undefined : WEAK_TLS.get(String(v.value));
        if (version) out.push({ resource, path: v.path, data: { field: String(v.path.at(-1)), version } });
      }
    });
  }
  return out;
}

/** Visits every object in a tree (with the key it is under), depth-first; bounded by the tree's size. */
export function walk(node: Node, visit: (node: Node, key: string | number | undefined) => void): void {
  const stack: { node: Node; key: string | number | undefined }[] = [{ node, key: undefined }];
  while (stack.length > 0) {
    const { node: n, key } = stack.pop()!;
    if (isObj(n.value)) {
      visit(n, key);
      for (const [k, v] of Object.entries(n.value)) stack.push({ node: { value: v, path: [...n.path, k] }, key: k });
    } else if (Array.isArray(n.value)) {
      n.value.forEach((v, i) => stack.push({ node: { value: v, path: [...n.path, i] }, key: i }));
    }
  }
}

/** An RBAC config (config.rbac.v3.RBAC) with where it comes from. */
export interface RbacSite {
  readonly resource: Resource;
  /** The RBAC filter (or per-route override) config holding `rules`. */
  readonly holder: Node;
  readonly layer: 'http' | 'network';
  readonly filter?: FilterSite;
}

export function rbacSites(graph: Graph): readonly RbacSite[] {
  return graph.memo('envoy:rbac', (g) => {
    const out: RbacSite[] = [];
    for (const site of filterSites(g)) {
      if (site.filter.extension === 'envoy.filters.http.rbac' || site.filter.extension === 'envoy.filters.network.rbac') {
        out.push({ resource: site.resource, holder: site.filter.config, layer: site.layer, filter: site });
      }
    }
    // Per-route overrides (RBACPerRoute { rbac: RBAC filter config }) in inline and RDS route configs.
    const seen = new Set<Resource>();
    const routeConfigs: { resource: Resource; node: Node }[] = [];
    for (const site of hcmSites(g)) if (site.hcm.routeConfig) routeConfigs.push({ resource: site.resource, node: site.hcm.routeConfig });
    for (const r of g.ofKind('EnvoyRouteConfiguration')) if (!seen.has(r)) (seen.add(r), routeConfigs.push({ resource: r, node: { value: r.body, path: [] } }));
    for (const rc of routeConfigs) {
      walk(rc.node, (node, key) => {
        if (key !== 'typed_per_filter_config' && key !== 'typedPerFilterConfig') return;
        for (const [, value] of entries(node)) {
          const t = str(obj(value.value)['@type'])?.replace(TYPE_PREFIX, '') ?? '';
          if (/filters\.http\.rbac\.v3\.RBACPerRoute$/.test(t)) {
            const rbac = child(value, 'rbac');
            if (isObj(rbac.value)) out.push({ resource: rc.resource, holder: rbac, layer: 'http' });
          }
        }
      });
    }
    return out;
  });
}

/** Matches every string: safe_regex .*, prefix "" or "spiffe://", suffix/contains "". */
export function matchesAll(matcher: Node): boolean {
  if (!isObj(matcher.value)) return true; // authenticated: {} or a principal_name that is absent
  const regex = str(at(matcher, 'safe_regex', 'regex').value) ?? str(child(matcher, 'regex').value);
  if (regex !== undefined) return /^\^?(\.\*|\.\+)\$?$/.test(regex);
  const prefix = str(child(matcher, 'prefix').value);
  if (prefix !== undefined) return prefix === '' || prefix === 'spiffe://';
  for (const f of ['suffix', 'contains']) if (str(child(matcher, f).value) === '') return true;
  return false;
}

/** A principal that lets anyone in: any, authenticated with a match-all name, a /0 source range (or an OR of one). */
function wildcardPrincipal(p: Node, depth = 0): Node | undefined {
  if (depth > 20 || !isObj(p.value)) return undefined;
  if (bool(child(p, 'any')) === true) return child(p, 'any');
  const auth = child(p, 'authenticated');
  if (isObj(auth.value) || auth.value === null) {
    const name = child(auth, 'principal_name');
    return matchesAll(name) ? (isObj(name.value) ? name : auth) : undefined;
  }
  for (const f of ['source_ip', 'direct_remote_ip', 'remote_ip']) {
    const cidr = child(p, f);
    if (isObj(cidr.value)) {
      const len = child(cidr, 'prefix_len');
      const n = typeof len.value === 'object' && isObj(len.value) ? (len.value as Obj).value : len.value;
      if (n === 0 || n === '0' || (len.value === undefined && /^(0\.0\.0\.0|::)$/.test(String(child(cidr, 'address_prefix').value)))) return has(cidr, 'prefix_len') ? len : cidr;
    }
  }
  const or = child(p, 'or_ids');
  if (isObj(or.value)) {
    for (const id of items(child(or, 'ids'))) {
      const w = wildcardPrincipal(id, depth + 1);
      if (w) return w;
    }
  }
  const and = child(p, 'and_ids');
  if (isObj(and.value)) {
    const ids = items(child(and, 'ids'));
    if (ids.length > 0 && ids.every((id) => wildcardPrincipal(id, depth + 1))) return and;
  }
  return undefined;
}

/**
 * `authz-wildcard-principal` for Envoy: an RBAC filter (HTTP or network, or a per-route RBACPerRoute) whose
 * `rules.action` is ALLOW (the default) with a policy principal that matches everyone: `any: true`,
 * `authenticated` with no or a match-all `principal_name`, a 0-length source/remote IP prefix, or an `or_ids`
 * containing one of those (an `and_ids` only when all of its ids are). `shadow_rules` are not enforced and are
 * skipped. data: {policy, principal}.
 */
export function envoyWildcardPrincipals(graph: Graph): EnvoyFinding[] {
  const out: EnvoyFinding[] = [];
  for (const site of rbacSites(graph)) {
    const rules = child(site.holder, 'rules');
    if (!isObj(rules.value)) continue;
    const action = child(rules, 'action').value;
    if (!(action === undefined || action === 'ALLOW' || action === 0)) continue;
    for (const [policy, body] of entries(child(rules, 'policies'))) {
      for (const principal of items(child(body, 'principals'))) {
        const hit = wildcardPrincipal(principal);
        if (hit) out.push({ resource: site.resource, path: hit.path, data: { policy, principal: describePrincipal(hit) } });
      }
    }
  }
  return out;
}

function describePrincipal(n: Node): string {
  const key = String(n.path.at(-1));
  if (key === 'any') return 'any: true';
  if (/principal_?[nN]ame|authenticated/.test(key)) return 'any authenticated peer';
  if (/prefix_?[lL]en/.test(key) || /ip$|Ip$/.test(key)) return 'any source address (/0)';
  return 'everyone';
}
