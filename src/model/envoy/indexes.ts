// Envoy indexes over the whole graph, computed once per scan (graph.memo): listeners, HTTP connection managers,
// filters and RBAC configs wherever they sit (full listeners, EnvoyFilter fragments), route configurations by name.
import type { Graph } from '../graph.js';
import type { Resource } from '../resource.js';
import { arr, get, isObj, obj, str } from '../values.js';
import { child, entries, type Node, TYPE_PREFIX, walk } from './fields.js';
import {
  chainView,
  type ChainView,
  filterView,
  type FilterView,
  hcmOf,
  type HcmView,
  listenerView,
  type ListenerView,
} from './views.js';

/** Every HCM in the scan, with where it is: listener chains, EnvoyFilter network-filter and chain fragments. */
export interface HcmSite {
  readonly resource: Resource;
  readonly hcm: HcmView;
  /** The listener, when the HCM sits in a full listener. */
  readonly listener?: ListenerView;
  readonly chain?: ChainView;
}

export function envoyListeners(graph: Graph): readonly ListenerView[] {
  // Each listener's view is its own memo: after an edit, only the edited file's listeners are read again.
  return graph.memo('envoy:listeners', (g) =>
    g
      .ofKind('EnvoyListener')
      .filter((r) => r.format === 'envoy')
      .map((r) => g.memoFor('envoy:listenerView', r, () => listenerView(r))),
  );
}

export function hcmSites(graph: Graph): readonly HcmSite[] {
  return graph.memo('envoy:hcms', (g) => {
    const out: HcmSite[] = [];
    for (const listener of envoyListeners(g)) {
      for (const chain of listener.chains)
        for (const hcm of chain.hcms) out.push({ resource: listener.resource, hcm, listener, chain });
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
    for (const site of hcmSites(g))
      for (const f of site.hcm.httpFilters) out.push({ resource: site.resource, filter: f, hcm: site, layer: 'http' });
    for (const listener of envoyListeners(g)) {
      for (const chain of listener.chains)
        for (const f of chain.filters) out.push({ resource: listener.resource, filter: f, layer: 'network' });
    }
    for (const r of g.ofKind('EnvoyFilterChain')) {
      for (const f of chainView({ value: r.body, path: [] }, false).filters)
        out.push({ resource: r, filter: f, layer: 'network' });
    }
    for (const r of g.ofKind('EnvoyNetworkFilter'))
      out.push({ resource: r, filter: filterView({ value: r.body, path: [] }, 'network'), layer: 'network' });
    for (const r of g.ofKind('EnvoyHttpFilter'))
      out.push({ resource: r, filter: filterView({ value: r.body, path: [] }, 'http'), layer: 'http' });
    return out;
  });
}

/** Route configurations by name (RDS targets), from xDS lists or bare lists in the scan. */
function routeConfigsByName(graph: Graph): ReadonlyMap<string, Resource> {
  return graph.memo(
    'envoy:routeConfigs',
    (g) =>
      new Map(
        g
          .ofKind('EnvoyRouteConfiguration')
          .filter((r) => r.format === 'envoy')
          .map((r) => [r.name, r]),
      ),
  );
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
      if (
        site.filter.extension === 'envoy.filters.http.rbac' ||
        site.filter.extension === 'envoy.filters.network.rbac'
      ) {
        out.push({ resource: site.resource, holder: site.filter.config, layer: site.layer, filter: site });
      }
    }
    // Per-route overrides (RBACPerRoute { rbac: RBAC filter config }) in inline and RDS route configs.
    const seen = new Set<Resource>();
    const routeConfigs: { resource: Resource; node: Node }[] = [];
    for (const site of hcmSites(g))
      if (site.hcm.routeConfig) routeConfigs.push({ resource: site.resource, node: site.hcm.routeConfig });
    for (const r of g.ofKind('EnvoyRouteConfiguration'))
      if (!seen.has(r)) {
        seen.add(r);
        routeConfigs.push({ resource: r, node: { value: r.body, path: [] } });
      }
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

/**
 * Clusters reached only through CONNECT routes: routes that match CONNECT requests (`match.connect_matcher`) or
 * upgrade them (`upgrade_configs` with `upgrade_type: CONNECT`). Envoy then relays the client's tunnelled bytes (the
 * client's own TLS for https) to the cluster unchanged (Envoy's "HTTP upgrades" / "CONNECT support"; route_components.proto
 * `ConnectMatcher`, `RouteAction.UpgradeConfig.connect_config`). Every other `cluster` / `cluster_name` reference in the
 * scan (other routes, tcp_proxy, ext_authz, JWKS fetches ...) counts as a plain use.
 */
export function connectOnlyClusters(graph: Graph): ReadonlySet<string> {
  return graph.memo('envoy:connectOnlyClusters', (g) => {
    const connect = new Set<string>();
    const other = new Set<string>();
    for (const resource of g.resources) {
      if (resource.format !== 'envoy' || resource.kind === 'EnvoyCluster') continue;
      const tunnels: string[] = [];
      walk({ value: resource.body, path: [] }, (node) => {
        const match = child(node, 'match');
        const action = child(node, 'route');
        if (isObj(match.value) && isObj(action.value) && isConnectRoute(match, action))
          tunnels.push(pathKey(action.path));
      });
      walk({ value: resource.body, path: [] }, (node) => {
        for (const field of ['cluster', 'cluster_name']) {
          const name = str(child(node, field).value);
          if (!name) continue;
          const key = pathKey(node.path);
          (tunnels.some((t) => key.startsWith(t)) ? connect : other).add(name);
        }
      });
    }
    return new Set([...connect].filter((name) => !other.has(name)));
  });
}

function isConnectRoute(match: Node, action: Node): boolean {
  if (child(match, 'connect_matcher').value !== undefined) return true;
  return arr(child(action, 'upgrade_configs').value).some(
    (u) => String(get(u, 'upgrade_type') ?? get(u, 'upgradeType') ?? '').toUpperCase() === 'CONNECT',
  );
}

function pathKey(path: readonly (string | number)[]): string {
  return `${path.map(String).join('\u0000')}\u0000`;
}
