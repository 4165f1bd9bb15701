// Typed views of Envoy objects: addresses, transport sockets and TLS contexts, listeners, filter chains, filters,
// HTTP connection managers, route configurations and clusters. Pure functions of a resource's body.
// Sources: envoyproxy/data-plane-api listener.proto, cluster.proto, tls.proto, common.proto, http_connection_manager.proto.
import type { Resource } from '../resource.js';
import { arr, isObj, obj, str, type Path } from '../values.js';
import {
  at,
  bool,
  child,
  entries,
  has,
  items,
  keyOf,
  type Node,
  TYPE_PREFIX,
  typed,
  type Typed,
  TYPED_STRUCT,
  valueAt,
} from './fields.js';

export interface AddressView {
  readonly node: Node;
  /** The host ('' when not a socket address). */
  readonly host: string;
  readonly port?: number | string;
  /** 'loopback', 'local' (pipe / internal address), 'unknown' (templated), or 'network'. */
  readonly scope: 'loopback' | 'local' | 'unknown' | 'network';
}

function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    h === 'localhost' ||
    h === '::1' ||
    /^127\.\d+\.\d+\.\d+$/.test(h) ||
    h === '0:0:0:0:0:0:0:1' ||
    h === '::ffff:127.0.0.1'
  );
}

/** host:port for messages ([::]:443 for IPv6). */
export function formatAddress(a: AddressView): string {
  const host = a.host.includes(':') && !a.host.startsWith('[') ? `[${a.host}]` : a.host;
  // Joined, one flat string: a template literal is a tree of two concatenations (64 bytes where the text is 32),
  // kept with the message data of a finding per cluster.
  return a.port !== undefined ? [host, ':', a.port].join('') : host;
}

export function addressOf(node: Node): AddressView {
  // Looked through by key: only the host's Node is made (a cluster's endpoints are read once per cluster per rule).
  const socketKey = keyOf(node.value, 'socket_address');
  const socket = valueAt(node.value, socketKey);
  if (isObj(socket)) {
    const hostKey = keyOf(socket, 'address');
    const hostValue = valueAt(socket, hostKey);
    const host = String(hostValue ?? '');
    const port = valueAt(socket, keyOf(socket, 'port_value')) ?? valueAt(socket, keyOf(socket, 'named_port'));
    const scope = !host ? 'unknown' : /[${}]/.test(host) ? 'unknown' : isLoopbackHost(host) ? 'loopback' : 'network';
    return {
      node: { value: hostValue, path: [...node.path, socketKey!, hostKey ?? 'address'] },
      host,
      port: typeof port === 'number' || typeof port === 'string' ? port : undefined,
      scope,
    };
  }
  if (has(node, 'pipe') || has(node, 'envoy_internal_address')) return { node, host: '', scope: 'local' };
  return { node, host: '', scope: 'unknown' };
}

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
function transportOf(holder: Node, direction: 'downstream' | 'upstream'): TransportView {
  if (isObj(valueAt(holder.value, keyOf(holder.value, 'tls_context')))) {
    const legacyTls = child(holder, 'tls_context');
    return {
      kind: 'tls',
      node: legacyTls,
      tls: {
        context: legacyTls,
        direction,
        legacy: {
          path: legacyTls.path,
          what: '`tls_context`',
          instead: 'a `transport_socket` named envoy.transport_sockets.tls',
        },
      },
    };
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
    if (t.extension === 'envoy.transport_sockets.tls')
      return { kind: 'tls', node: socket, tls: { context: t.config, direction, legacy: t.legacy }, legacy: t.legacy };
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
  if (
    has(common, 'validation_context_sds_secret_config') ||
    has(common, 'validation_context_certificate_provider') ||
    has(common, 'validation_context_certificate_provider_instance')
  ) {
    return { present: true, pinned: false };
  }
  const combined = child(common, 'combined_validation_context');
  if (isObj(combined.value)) {
    const inner = child(combined, 'default_validation_context');
    return { present: true, context: isObj(inner.value) ? inner : undefined, pinned: pinnedBy(inner) };
  }
  const vc = child(common, 'validation_context');
  if (!isObj(vc.value)) return { present: false, pinned: false };
  const present =
    has(vc, 'trusted_ca') ||
    has(vc, 'custom_validator_config') ||
    has(vc, 'watched_directory') ||
    has(vc, 'ca_certificate_provider_instance') ||
    has(vc, 'system_root_certs');
  return { present, context: vc, pinned: pinnedBy(vc) };
}

function pinnedBy(vc: Node): boolean {
  return [
    'verify_certificate_spki',
    'verify_certificate_hash',
    'match_typed_subject_alt_names',
    'match_subject_alt_names',
    'verify_subject_alt_name',
  ].some((f) => arr(child(vc, f).value).length > 0);
}

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

export function filterView(node: Node, context: 'http' | 'network'): FilterView {
  return { ...typed(node, context), disabled: bool(child(node, 'disabled')) === true };
}

export function hcmOf(filter: FilterView): HcmView {
  const cfg = filter.config;
  const rc = child(cfg, 'route_config');
  const rdsName = str(at(cfg, 'rds', 'route_config_name').value);
  return {
    filter,
    httpFilters: items(child(cfg, 'http_filters')).map((n) => filterView(n, 'http')),
    routeConfig: isObj(rc.value) ? rc : undefined,
    rdsName,
  };
}

export function chainView(node: Node, isDefault: boolean): ChainView {
  const filters = items(child(node, 'filters')).map((n) => filterView(n, 'network'));
  const hcms = filters.filter((f) => f.extension === 'envoy.filters.network.http_connection_manager').map(hcmOf);
  return { node, isDefault, transport: transportOf(node, 'downstream'), filters, hcms };
}

/** A listener's addresses and chains; computed once per scan by `envoyListeners`. */
export function listenerView(resource: Resource): ListenerView {
  const root: Node = { value: resource.body, path: [] };
  const addresses: AddressView[] = [];
  if (has(root, 'address')) addresses.push(addressOf(child(root, 'address')));
  for (const extra of items(child(root, 'additional_addresses'))) addresses.push(addressOf(child(extra, 'address')));
  const chains = items(child(root, 'filter_chains')).map((n) => chainView(n, false));
  const def = child(root, 'default_filter_chain');
  if (isObj(def.value)) chains.push(chainView(def, true));
  const local = addresses.length > 0 && addresses.every((a) => a.scope === 'loopback' || a.scope === 'local');
  return { resource, addresses, local, chains };
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
function routeMatches(routeConfig: Node): Node[] {
  const out: Node[] = [];
  for (const vh of items(child(routeConfig, 'virtual_hosts')))
    for (const route of items(child(vh, 'routes'))) out.push(child(route, 'match'));
  return out;
}

const HEALTH_PATH =
  /^\/(healthz?|readyz?|livez?|ready|live|liveness|readiness|ping|status|health\/(live|ready|liveness|readiness))\/?$/i;

/** The route config serves only health or readiness paths (exact paths, or prefixes of such paths). */
export function onlyHealthRoutes(routeConfig: Node): boolean {
  const matches = routeMatches(routeConfig);
  if (matches.length === 0) return false;
  return matches.every((m) => {
    const p = str(child(m, 'path').value) ?? str(child(m, 'prefix').value);
    return p !== undefined && HEALTH_PATH.test(p);
  });
}

export interface ClusterView {
  readonly resource: Resource;
  readonly endpoints: readonly AddressView[];
  readonly transport: TransportView;
  /** transport_socket_matches with a TLS socket (the cluster may use TLS for some endpoints). */
  readonly tlsMatches: readonly TlsView[];
  /** EDS / ORIGINAL_DST / dynamic forward proxy: endpoints are not in the file. */
  readonly dynamic: boolean;
}

/** Cluster `type`s whose endpoints are not in the file (names, and the enum numbers of EDS and ORIGINAL_DST). */
const DYNAMIC_CLUSTER_TYPES: ReadonlySet<string> = new Set(['EDS', 'ORIGINAL_DST', '3', '4']);

/** Read once per cluster by every rule that looks at clusters. */
const ROOT_PATH: Path = Object.freeze([]);

export function clusterView(resource: Resource): ClusterView {
  // Every level is looked through by key, without a Node per level and per list item: Nodes (and their paths, made
  // whole) only for what the view holds. A file may hold tens of thousands of clusters.
  const body = resource.body;
  const root: Node = { value: body, path: ROOT_PATH };
  const endpoints: AddressView[] = [];
  const assignmentKey = keyOf(body, 'load_assignment');
  const assignment = valueAt(body, assignmentKey);
  const localitiesKey = keyOf(assignment, 'endpoints');
  const localities = arr(valueAt(assignment, localitiesKey));
  for (let l = 0; l < localities.length; l++) {
    const lbEndpointsKey = keyOf(localities[l], 'lb_endpoints');
    const lbEndpoints = arr(valueAt(localities[l], lbEndpointsKey));
    for (let e = 0; e < lbEndpoints.length; e++) {
      const endpointKey = keyOf(lbEndpoints[e], 'endpoint');
      const endpoint = valueAt(lbEndpoints[e], endpointKey);
      const addressKey = keyOf(endpoint, 'address');
      const address = valueAt(endpoint, addressKey);
      if (isObj(address))
        endpoints.push(
          addressOf({
            value: address,
            path: [assignmentKey!, localitiesKey!, l, lbEndpointsKey!, e, endpointKey!, addressKey!],
          }),
        );
    }
  }
  const hostsKey = keyOf(body, 'hosts');
  const hosts = arr(valueAt(body, hostsKey));
  for (let h = 0; h < hosts.length; h++) endpoints.push(addressOf({ value: hosts[h], path: [hostsKey!, h] }));
  const type = String(valueAt(body, keyOf(body, 'type')) ?? '');
  const dynamic = DYNAMIC_CLUSTER_TYPES.has(type) || has(root, 'cluster_type') || has(root, 'eds_cluster_config');
  const tlsMatches: TlsView[] = [];
  const matchesKey = keyOf(body, 'transport_socket_matches');
  const matches = arr(valueAt(body, matchesKey));
  for (let m = 0; m < matches.length; m++) {
    const tls = transportOf({ value: matches[m], path: [matchesKey!, m] }, 'upstream').tls;
    if (tls !== undefined) tlsMatches.push(tls);
  }
  return { resource, endpoints, transport: transportOf(root, 'upstream'), tlsMatches, dynamic };
}
