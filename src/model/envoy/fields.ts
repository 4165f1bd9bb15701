// Envoy field access. Envoy reads YAML through the proto3 JSON mapping, so every field may be spelled snake_case or
// lowerCamelCase (Istio and Envoy Gateway emit camelCase): `child` looks both up and keeps the spelling found, so that
// findings point at the real key. Extensions are identified by their typed_config `@type` (Envoy >= 1.22 ignores the
// name), TypedStruct is unwrapped, and the legacy v2 shapes (`config:`, deprecated names) are still read.
// Sources: envoyproxy/data-plane-api (listener.proto, common.proto ...), envoy changelogs 1.14.0 / 1.20.0 / 1.22.0.
import { arr, isObj, obj, str, type Obj, type Path } from '../values.js';

/** A value inside a resource and its path relative to the resource. */
export interface Node {
  readonly value: unknown;
  readonly path: Path;
}

export function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

// Field names are the code's own (a few hundred): their spellings are worked out once, not at every lookup, which
// every document of a scan goes through when the readers try to recognise it.
const spellingsByName = new Map<string, readonly string[]>();

function spellings(name: string): readonly string[] {
  let list = spellingsByName.get(name);
  if (!list)
    spellingsByName.set(
      name,
      (list = [name, camel(name), `hidden_envoy_deprecated_${name}`, camel(`hidden_envoy_deprecated_${name}`)]),
    );
  return list;
}

/** Every spelling of the named fields (snake, camel, the v2 dump prefix): to test an object's own few keys against. */
export function spellingSet(names: readonly string[]): ReadonlySet<string> {
  return new Set(names.flatMap(spellings));
}

/**
 * Every key by which a document or a list item is recognised as Envoy's (isBootstrap, readEnvoyValue and guessKind in reader.ts), in
 * every spelling. An object holding none of them is not Envoy's: its own few keys are looked up in this one set,
 * instead of each field's four spellings in the object (most documents of a scan are some other format's).
 */
export const ENVOY_RECOGNISING_KEYS: ReadonlySet<string> = new Set([
  '@type',
  ...spellingSet([
    'static_resources',
    'admin',
    'dynamic_resources',
    'node',
    'layered_runtime',
    'cluster_manager',
    'stats_sinks',
    'overload_manager',
    'resources',
    'name',
    'typed_config',
    'filter_chains',
    'default_filter_chain',
    'listener_filters',
    'api_listener',
    'address',
    'connect_timeout',
    'load_assignment',
    'lb_policy',
    'eds_cluster_config',
    'cluster_type',
    'transport_socket',
    'type',
    'hosts',
    'virtual_hosts',
    'tls_certificate',
    'validation_context',
    'session_ticket_keys',
    'generic_secret',
  ]),
]);

/** The key under which an object holds a snake_case field: the snake or camel spelling, or the v2 dump prefix. */
export function keyOf(o: unknown, name: string): string | undefined {
  if (!isObj(o)) return undefined;
  for (const key of spellings(name)) {
    if (Object.hasOwn(o, key)) return key;
  }
  return undefined;
}

/** The value under a key `keyOf` found (undefined for no key): a field looked at without making a Node. */
export function valueAt(o: unknown, key: string | undefined): unknown {
  return key === undefined ? undefined : (o as Obj)[key];
}

/** A field (snake_case name); when absent, the path still names it so findings land on its nearest parent. */
export function child(node: Node, name: string): Node {
  const key = keyOf(node.value, name);
  return key === undefined
    ? { value: undefined, path: [...node.path, name] }
    : { value: (node.value as Obj)[key], path: [...node.path, key] };
}

export function at(node: Node, ...names: (string | number)[]): Node {
  let current = node;
  for (const name of names)
    current =
      typeof name === 'number'
        ? { value: arr(current.value)[name], path: [...current.path, name] }
        : child(current, name);
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

export const TYPE_PREFIX = /^type\.googleapis\.com\//;

export const TYPED_STRUCT = new Set(['udpa.type.v1.TypedStruct', 'xds.type.v3.TypedStruct']);

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

/**
 * Envoy's rate-limit filters by canonical name: a global one asks a rate-limit service (or a quota server) per
 * request, a local one counts in the proxy itself.
 */
export const RATE_LIMIT_FILTERS: ReadonlyMap<string, 'global' | 'local'> = new Map([
  ['envoy.filters.http.ratelimit', 'global'],
  ['envoy.filters.http.rate_limit_quota', 'global'],
  ['envoy.filters.http.local_ratelimit', 'local'],
  ['envoy.filters.network.ratelimit', 'global'],
  ['envoy.filters.network.local_ratelimit', 'local'],
  ['envoy.filters.listener.local_ratelimit', 'local'],
]);

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
  let extension = type ? (extensionOfType(type) ?? '') : '';
  if (/^envoy\.(api\.v2|config\.filter)\./.test(type) && !legacy)
    legacy = {
      path: [...child(node, 'typed_config').path, '@type'],
      what: `the v2 type ${type}`,
      instead: 'the v3 type',
    };
  const fromName =
    name === 'envoy.ext_authz'
      ? `envoy.filters.${context === 'http' ? 'http' : 'network'}.ext_authz`
      : DEPRECATED_NAMES[name];
  if (fromName) {
    legacy = legacy ?? {
      path: child(node, 'name').path,
      what: `the deprecated name "${name}"`,
      instead: `"${fromName}"`,
    };
    if (!extension) extension = fromName;
  }
  if (!extension && /^envoy\.(filters|transport_sockets)\./.test(name)) extension = name;
  return { extension, type, config, node, name, legacy };
}

/** Visits every object in a tree (with the key it is under), depth-first; bounded by the tree's size. */
export function walk(node: Node, visit: (node: Node, key: string | number | undefined) => void): void {
  // Several rules walk every Envoy resource of a scan: only objects and lists get a Node (a scalar is never visited),
  // and an object's keys are read without a [key, value] pair each. Visited in the same order as every value pushed.
  const nodes: Node[] = [node];
  const keys: (string | number | undefined)[] = [undefined];
  const push = (parent: Node, key: string | number, value: unknown) => {
    if (typeof value !== 'object' || value === null) return;
    nodes.push({ value, path: [...parent.path, key] });
    keys.push(key);
  };
  while (nodes.length > 0) {
    const n = nodes.pop()!;
    const key = keys.pop();
    const value = n.value;
    if (isObj(value)) {
      visit(n, key);
      for (const k of Object.keys(value)) push(n, k, value[k]);
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) push(n, i, value[i]);
    }
  }
}
