// Kong indexes over the whole graph, computed once per scan (graph.memo). The central one is, for every route (decK
// routes and Kong-served Ingress / HTTPRoute / GRPCRoute), the plugins that apply to it. Sources:
// Kong/kubernetes-ingress-controller internal/annotations/annotations.go and internal/store/store.go; Kong's
// "Plugin scoping" documentation.
import type { Graph } from '../graph.js';
import type { Resource } from '../resource.js';
import { arr, get, obj, str, type Path } from '../values.js';
import {
  annotatedPlugins,
  type ClusterDns,
  crdPluginView,
  type DeckFile,
  KONG_GROUP,
  type KongCrdPlugin,
  type KongPluginView,
  type KongRouteView,
  type KongServiceView,
  parseServiceUrl,
  terminatingPlugin,
} from './views.js';
import { appendAll } from '../../arrays.js';

function kongPluginCrds(graph: Graph): readonly KongCrdPlugin[] {
  return graph.memo('kong:crdPlugins', (g) =>
    [...g.ofKind('KongPlugin', KONG_GROUP), ...g.ofKind('KongClusterPlugin', KONG_GROUP)]
      .filter((r) => r.format === 'kubernetes')
      .map(crdPluginView),
  );
}

/** Resolves a plugin reference from an object in `namespace`: a KongPlugin there, else a KongClusterPlugin. */
function resolvePlugin(graph: Graph, namespace: string, ref: string): KongCrdPlugin | undefined {
  const index = graph.memo('kong:crdByName', (g) => {
    const m = new Map<string, KongCrdPlugin>();
    for (const p of kongPluginCrds(g))
      m.set(p.cluster ? `cluster/${p.resource.name}` : `${p.resource.namespace}/${p.resource.name}`, p);
    return m;
  });
  const [ns, name] = ref.includes(':') ? ref.split(':', 2) : [namespace, ref];
  return index.get(`${ns}/${name}`) ?? index.get(`cluster/${name}`);
}

function isKongClass(value: string | undefined): boolean {
  return value !== undefined && /kong/i.test(value);
}

function hasKongAnnotation(resource: Resource): boolean {
  return Object.keys(resource.annotations).some((k) => k.startsWith('konghq.com/'));
}

/** Is this Ingress / HTTPRoute served by Kong? (ingress class, konghq.com annotations, a Kong Gateway parent). */
function servedByKong(graph: Graph, resource: Resource): boolean {
  if (hasKongAnnotation(resource)) return true;
  if (resource.kind === 'Ingress')
    return (
      isKongClass(str(get(resource.body, 'spec', 'ingressClassName'))) ||
      isKongClass(resource.annotations['kubernetes.io/ingress.class'])
    );
  const refs = arr(get(resource.body, 'spec', 'rules')).flatMap((rule) => arr(get(rule, 'filters')));
  if (refs.some((f) => get(f, 'extensionRef', 'group') === KONG_GROUP)) return true;
  for (const parent of arr(get(resource.body, 'spec', 'parentRefs'))) {
    const name = str(get(parent, 'name'));
    const ns = str(get(parent, 'namespace')) ?? resource.namespace;
    if (!name) continue;
    const gateway = graph.find('Gateway', ns, name);
    const className = str(get(gateway?.body, 'spec', 'gatewayClassName'));
    if (isKongClass(className)) return true;
    const gc = className ? graph.ofKind('GatewayClass').find((c) => c.name === className) : undefined;
    if (gc && /^konghq\.com\//.test(str(get(gc.body, 'spec', 'controllerName')) ?? '')) return true;
  }
  return false;
}

/** Backend Service names of an Ingress (v1 and v1beta1 shapes) or HTTPRoute. */
function backendServices(resource: Resource): string[] {
  const names = new Set<string>();
  const spec = obj(resource.body.spec);
  if (resource.kind === 'Ingress') {
    const add = (b: unknown) => {
      const n = str(get(b, 'service', 'name')) ?? str(get(b, 'serviceName'));
      if (n) names.add(n);
    };
    add(spec.defaultBackend ?? spec.backend);
    for (const rule of arr(spec.rules)) for (const p of arr(get(rule, 'http', 'paths'))) add(get(p, 'backend'));
  } else {
    for (const rule of arr(spec.rules)) {
      for (const b of arr(get(rule, 'backendRefs'))) {
        const kind = str(get(b, 'kind')) ?? 'Service';
        const n = str(get(b, 'name'));
        if (n && kind === 'Service') names.add(n);
      }
    }
  }
  return [...names];
}

function k8sRouteView(graph: Graph, resource: Resource): KongRouteView {
  const annotations = resource.annotations;
  const unresolved: string[] = [];
  const plugins: KongPluginView[] = [];
  const take = (owner: Resource) => {
    for (const ref of annotatedPlugins(owner)) {
      const p = resolvePlugin(graph, owner.namespace, ref);
      if (!p) unresolved.push(ref);
      else if (p.view.enabled && !p.resource.body.consumerRef) plugins.push(p.view);
    }
  };
  take(resource);
  for (const filter of arr(get(resource.body, 'spec', 'rules')).flatMap((rule) => arr(get(rule, 'filters')))) {
    if (get(filter, 'type') !== 'ExtensionRef' || get(filter, 'extensionRef', 'group') !== KONG_GROUP) continue;
    const name = str(get(filter, 'extensionRef', 'name'));
    if (!name) continue;
    const p = resolvePlugin(graph, resource.namespace, name);
    if (!p) unresolved.push(name);
    else if (p.view.enabled) plugins.push(p.view);
  }
  for (const svc of backendServices(resource)) {
    const service = graph.find('Service', resource.namespace, svc);
    if (service) take(service);
  }
  for (const p of globalCrdPlugins(graph)) plugins.push(p.view);
  const raw = annotations['konghq.com/protocols'];
  const forceSsl = annotations['ingress.kubernetes.io/force-ssl-redirect'] === 'true';
  // The deprecated KongIngress (konghq.com/override) may still set route.protocols.
  const override = annotations['konghq.com/override']
    ? graph.find('KongIngress', resource.namespace, annotations['konghq.com/override'].trim())
    : undefined;
  const overridden = arr(get(override?.body, 'route', 'protocols')).map((p) => String(p).toLowerCase());
  const protocols = raw
    ? raw
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean)
    : forceSsl
      ? ['https']
      : overridden.length > 0
        ? overridden
        : ['http', 'https'];
  const annotationsPath: Path =
    Object.keys(resource.annotations).length > 0 ? ['metadata', 'annotations'] : resource.anchor;
  return {
    resource,
    protocols,
    protocolsExplicit: raw !== undefined || forceSsl || overridden.length > 0,
    protocolsPath: raw !== undefined ? ['metadata', 'annotations', 'konghq.com/protocols'] : annotationsPath,
    pluginsPath:
      annotations['konghq.com/plugins'] !== undefined
        ? ['metadata', 'annotations', 'konghq.com/plugins']
        : resource.anchor,
    plugins,
    unresolved,
    active: true,
    redirectsHttps: !protocols.includes('http'),
  };
}

function globalCrdPlugins(graph: Graph): readonly KongCrdPlugin[] {
  return graph.memo('kong:globalCrds', (g) => kongPluginCrds(g).filter((p) => p.global && p.view.enabled));
}

/** Kong's route protocols when none are set (one frozen list shared by every such route). */
const DEFAULT_PROTOCOLS: readonly string[] = Object.freeze(['http', 'https']);

/** A decK route's plugins are all in its file: no reference is unresolved (shared, frozen). */
const NONE_UNRESOLVED: readonly string[] = Object.freeze([]);

function deckRouteViews(deck: DeckFile): KongRouteView[] {
  const byService = new Map<string, KongServiceView>();
  for (const s of deck.services) {
    if (s.name) byService.set(s.name, s);
    if (s.id) byService.set(s.id, s);
  }
  const defaults = obj(get(deck.value, '_info', 'defaults', 'route'));
  // Only plugins without a consumer (group) scope apply to every request of a route: a consumer-scoped plugin
  // runs only once that consumer has been identified (Kong plugin precedence, "Plugin scoping").
  const general = deck.plugins.filter((p) => p.enabled && !p.scope.consumer && !p.scope.consumerGroup);
  const global = general.filter((p) => p.scope.global);
  const byServiceRef = new Map<string, KongPluginView[]>();
  const byRouteRef = new Map<string, KongPluginView[]>();
  for (const p of general) {
    if (p.scope.route) (byRouteRef.get(p.scope.route) ?? byRouteRef.set(p.scope.route, []).get(p.scope.route)!).push(p);
    else if (p.scope.service)
      (byServiceRef.get(p.scope.service) ?? byServiceRef.set(p.scope.service, []).get(p.scope.service)!).push(p);
  }
  // The plugins of a route without plugins of its own are its service's (and the global ones): one list per service,
  // shared by those routes (most routes of a large file), not a list and its intermediate copies per route.
  const serviceLists = new Map<KongServiceView | undefined, readonly KongPluginView[]>();
  const servicePlugins = (service: KongServiceView | undefined): KongPluginView[] =>
    service
      ? [
          ...(byServiceRef.get(service.name) ?? []),
          ...(service.id && service.id !== service.name ? (byServiceRef.get(service.id) ?? []) : []),
        ]
      : [];
  return deck.routes.map((resource, i) => {
    const serviceRef = deck.routeServices[i];
    const service = serviceRef ? byService.get(serviceRef) : undefined;
    const b = resource.body;
    const explicit = Array.isArray(b.protocols)
      ? b.protocols.map((p) => String(p).toLowerCase())
      : Array.isArray(defaults.protocols)
        ? defaults.protocols.map((p) => String(p).toLowerCase())
        : undefined;
    const protocols = explicit ?? DEFAULT_PROTOCOLS;
    const name = str(b.name);
    const id = str(b.id);
    const byName = name ? byRouteRef.get(name) : undefined;
    const byId = id ? byRouteRef.get(id) : undefined;
    let plugins: readonly KongPluginView[];
    if (byName || byId)
      plugins = [...new Set([...global, ...servicePlugins(service), ...(byName ?? []), ...(byId ?? [])])];
    else {
      const shared = serviceLists.get(service) ?? [...new Set([...global, ...servicePlugins(service)])];
      serviceLists.set(service, shared);
      plugins = shared;
    }
    return new DeckRouteView(resource, service, protocols, explicit !== undefined, plugins);
  });
}

/**
 * A decK route: what is its own is kept, what follows from it is read when asked (five fields, not ten: a file of
 * 40,000 routes keeps one per route for the run).
 */
class DeckRouteView implements KongRouteView {
  constructor(
    readonly resource: Resource,
    readonly service: KongServiceView | undefined,
    readonly protocols: readonly string[],
    readonly protocolsExplicit: boolean,
    readonly plugins: readonly KongPluginView[],
  ) {}

  get protocolsPath(): Path {
    return Array.isArray(this.resource.body.protocols) ? PROTOCOLS_PATH : this.resource.anchor;
  }

  get pluginsPath(): Path {
    return this.resource.anchor;
  }

  get unresolved(): readonly string[] {
    return NONE_UNRESOLVED;
  }

  get active(): boolean {
    return this.service ? this.service.enabled : true;
  }

  get redirectsHttps(): boolean {
    return !this.protocols.includes('http');
  }
}

const PROTOCOLS_PATH: Path = Object.freeze(['protocols']);

/** A KongService of Kong Operator (configuration.konghq.com/v1alpha1): the Gateway Service's fields under `spec`. */
function operatorServiceView(resource: Resource): KongServiceView {
  const spec = obj(resource.body.spec);
  const url = str(spec.url);
  const parsed = url ? parseServiceUrl(url) : {};
  return {
    resource,
    name: str(spec.name) ?? resource.name,
    enabled: spec.enabled !== false,
    protocol: (str(spec.protocol) ?? parsed.protocol ?? 'http').toLowerCase(),
    host: str(spec.host) ?? parsed.host ?? '',
    protocolPath: spec.protocol !== undefined ? ['spec', 'protocol'] : url !== undefined ? ['spec', 'url'] : ['spec'],
    hostPath: spec.host !== undefined ? ['spec', 'host'] : url !== undefined ? ['spec', 'url'] : ['spec'],
  };
}

function operatorKinds(graph: Graph, kind: string): readonly Resource[] {
  return graph
    .ofKind(kind, KONG_GROUP)
    .filter(
      (r) =>
        r.format === 'kubernetes' && r.apiVersion !== `${KONG_GROUP}/v1` && r.apiVersion !== `${KONG_GROUP}/v1beta1`,
    );
}

function operatorServices(graph: Graph): readonly KongServiceView[] {
  return graph.memo('kong:operatorServices', (g) => operatorKinds(g, 'KongService').map(operatorServiceView));
}

/** The control plane an operator object belongs to ('' when it names none): bindings apply within one. */
function controlPlaneOf(resource: Resource): string {
  const ref = get(resource.body, 'spec', 'controlPlaneRef');
  return str(get(ref, 'konnectNamespacedRef', 'name')) ?? str(get(ref, 'konnectID')) ?? str(get(ref, 'name')) ?? '';
}

/**
 * Kong Operator's KongRoute (configuration.konghq.com/v1alpha1): protocols, hosts and paths under `spec`, its
 * KongService through `spec.serviceRef.namespacedRef`, plugins through KongPluginBindings (targets routeRef /
 * serviceRef without a consumer, or `scope: GlobalInControlPlane`) and `konghq.com/plugins` annotations on the route
 * and its service (Kong Operator, "KongPluginBinding").
 */
function operatorRouteView(graph: Graph, resource: Resource): KongRouteView {
  const spec = obj(resource.body.spec);
  const serviceName = str(get(spec, 'serviceRef', 'namespacedRef', 'name'));
  const service = serviceName
    ? operatorServices(graph).find(
        (s) => s.resource.namespace === resource.namespace && s.resource.name === serviceName,
      )
    : undefined;
  const plugins: KongPluginView[] = [];
  const unresolved: string[] = [];
  const use = (ref: string, namespace: string, consumerScoped: boolean) => {
    const p = resolvePlugin(graph, namespace, ref);
    if (!p) unresolved.push(ref);
    else if (p.view.enabled && !consumerScoped && !p.resource.body.consumerRef) plugins.push(p.view);
  };
  for (const owner of [resource, service?.resource])
    if (owner) for (const ref of annotatedPlugins(owner)) use(ref, owner.namespace, false);
  const plane = controlPlaneOf(resource);
  for (const binding of operatorKinds(graph, 'KongPluginBinding')) {
    if (binding.namespace !== resource.namespace) continue;
    const b = obj(binding.body.spec);
    const targets = obj(b.targets);
    const pluginName = str(get(b, 'pluginRef', 'name'));
    if (!pluginName) continue;
    const consumerScoped = targets.consumerRef !== undefined || targets.consumerGroupRef !== undefined;
    const routeRef = str(get(targets, 'routeRef', 'name'));
    const serviceRef = str(get(targets, 'serviceRef', 'name'));
    const global = b.scope === 'GlobalInControlPlane' && controlPlaneOf(binding) === plane;
    const applies =
      global ||
      (routeRef !== undefined
        ? routeRef === resource.name && (serviceRef === undefined || serviceRef === serviceName)
        : serviceRef !== undefined && serviceRef === serviceName);
    if (applies) use(pluginName, binding.namespace, consumerScoped);
  }
  const protocols = Array.isArray(spec.protocols)
    ? spec.protocols.map((p) => String(p).toLowerCase())
    : ['http', 'https'];
  return {
    resource,
    service,
    protocols,
    protocolsExplicit: Array.isArray(spec.protocols),
    protocolsPath: Array.isArray(spec.protocols)
      ? ['spec', 'protocols']
      : isObjSpec(resource)
        ? ['spec']
        : resource.anchor,
    pluginsPath:
      resource.annotations['konghq.com/plugins'] !== undefined
        ? ['metadata', 'annotations', 'konghq.com/plugins']
        : resource.anchor,
    plugins: [...new Set(plugins)],
    unresolved,
    active: service ? service.enabled : true,
    redirectsHttps: !protocols.includes('http'),
  };
}

function isObjSpec(resource: Resource): boolean {
  return typeof resource.body.spec === 'object' && resource.body.spec !== null;
}

/** Every Kong route of the scan (decK routes, Kong Operator KongRoutes, Kong-served Ingresses and HTTPRoutes) with the plugins that apply. */
export function kongRoutes(graph: Graph): readonly KongRouteView[] {
  return graph.memo('kong:routes', (g) => {
    const out: KongRouteView[] = [];
    for (const deck of deckFiles(g)) appendAll(out, deckRouteViews(deck));
    for (const route of operatorKinds(g, 'KongRoute')) out.push(operatorRouteView(g, route));
    for (const kind of ['Ingress', 'HTTPRoute', 'GRPCRoute']) {
      for (const r of g.ofKind(kind)) {
        if (r.format === 'kubernetes' && servedByKong(g, r)) out.push(k8sRouteView(g, r));
      }
    }
    return out;
  });
}

function deckFiles(graph: Graph): readonly DeckFile[] {
  return graph.memo('kong:deckFiles', (g) => {
    const seen = new Set<DeckFile>();
    for (const r of g.ofFormat('kong')) seen.add(r.deck);
    return [...seen];
  });
}

/** Every enabled plugin instance: decK plugins and KongPlugin / KongClusterPlugin CRDs. */
export function kongPlugins(graph: Graph): readonly KongPluginView[] {
  return graph.memo('kong:plugins', (g) =>
    [...deckFiles(g).flatMap((d) => d.plugins), ...kongPluginCrds(g).map((p) => p.view)].filter((p) => p.enabled),
  );
}

/** Every decK service and Kong Operator KongService. */
export function kongServices(graph: Graph): readonly KongServiceView[] {
  return graph.memo('kong:services', (g) => [...deckFiles(g).flatMap((d) => d.services), ...operatorServices(g)]);
}

/** The routes of a service (decK or operator), to tell whether any of them reaches it. */
export function routesOfService(graph: Graph, service: KongServiceView): readonly KongRouteView[] {
  return (
    graph
      .memo('kong:routesByService', (g) => {
        const m = new Map<KongServiceView, KongRouteView[]>();
        for (const route of kongRoutes(g))
          if (route.service) (m.get(route.service) ?? m.set(route.service, []).get(route.service)!).push(route);
        return m;
      })
      .get(service) ?? []
  );
}

/** How names resolve in the cluster: the configured cluster domain and every namespace the scan mentions. */
export function clusterDns(graph: Graph, clusterDomain = 'cluster.local'): ClusterDns {
  return graph.memo(`kong:dns:${clusterDomain}`, (g) => {
    const namespaces = new Set<string>();
    for (const r of g.resources) if (r.namespace) namespaces.add(r.namespace);
    for (const n of g.ofKind('Namespace', '')) namespaces.add(n.name);
    return { clusterDomain, namespaces };
  });
}

/**
 * Consumer-scoped plugins and ACL groups of a consumer named by id or username (decK consumers and plugins, KongConsumer
 * CRDs with `konghq.com/plugins`, Kong Operator KongCredentialACL): what happens to requests once Kong has identified it.
 * `groups` is undefined when the consumer is not in the scan.
 */
export function consumerPolicy(
  graph: Graph,
  scopeOf: KongRouteView,
  consumer: string,
): { found: boolean; plugins: readonly KongPluginView[]; groups?: readonly string[] } {
  const deck = scopeOf.resource.format === 'kong' ? scopeOf.resource.deck : undefined;
  if (deck) {
    const entry = deck.consumers.find(
      (c) => c.body.username === consumer || c.body.id === consumer || c.name === consumer,
    );
    const keys = new Set(
      [consumer, str(entry?.body.username), str(entry?.body.id)].filter((k): k is string => Boolean(k)),
    );
    const plugins = deck.plugins.filter(
      (p) => p.enabled && p.scope.consumer !== undefined && keys.has(p.scope.consumer),
    );
    const groups = entry
      ? arr(entry.body.acls)
          .map((a) => str(get(a, 'group')))
          .filter((g): g is string => Boolean(g))
      : undefined;
    return { found: entry !== undefined, plugins, groups };
  }
  const namespace = scopeOf.resource.namespace;
  const entry = graph
    .ofKind('KongConsumer', KONG_GROUP)
    .find(
      (c) =>
        c.format === 'kubernetes' &&
        c.namespace === namespace &&
        (c.body.username === consumer || c.name === consumer || c.body.custom_id === consumer),
    );
  if (!entry) return { found: false, plugins: [] };
  const plugins = annotatedPlugins(entry)
    .map((ref) => resolvePlugin(graph, entry.namespace, ref))
    .filter((p): p is KongCrdPlugin => p !== undefined && p.view.enabled)
    .map((p) => p.view);
  for (const binding of operatorKinds(graph, 'KongPluginBinding')) {
    if (
      binding.namespace !== namespace ||
      str(get(binding.body, 'spec', 'targets', 'consumerRef', 'name')) !== entry.name
    )
      continue;
    const p = resolvePlugin(graph, namespace, str(get(binding.body, 'spec', 'pluginRef', 'name')) ?? '');
    if (p?.view.enabled) plugins.push(p.view);
  }
  const groups = operatorKinds(graph, 'KongCredentialACL')
    .filter((c) => c.namespace === namespace && str(get(c.body, 'spec', 'consumerRef', 'name')) === entry.name)
    .map((c) => str(get(c.body, 'spec', 'group')) ?? '');
  // KIC credentials: Secrets labelled konghq.com/credential (or with kongCredType); an acl one names a group.
  for (const name of arr(entry.body.credentials)) {
    const secret = typeof name === 'string' ? graph.find('Secret', namespace, name) : undefined;
    if (!secret) return { found: true, plugins }; // a credential outside the scan: the groups are unknown
    const type = secret.labels['konghq.com/credential'] ?? secretField(secret, 'kongCredType');
    if (type === 'acl') groups.push(secretField(secret, 'group') ?? '');
  }
  return { found: true, plugins, groups };
}

/**
 * Kubernetes Services a Kong-served route proxies to (a route that ends in a terminating plugin proxies nowhere, so
 * its backends count only if another route reaches them).
 */
export function kongBackendServices(graph: Graph): readonly Resource[] {
  return graph.memo('kong:k8sBackends', (g) => {
    const out = new Set<Resource>();
    for (const route of kongRoutes(g)) {
      if (route.resource.format !== 'kubernetes' || terminatingPlugin(route)) continue;
      for (const name of backendServices(route.resource)) {
        const svc = g.find('Service', route.resource.namespace, name);
        if (svc) out.add(svc);
      }
    }
    return [...out];
  });
}

/** A KongConsumer CRD: username, custom_id and its credential Secrets (resolved in its namespace when in the scan). */
export interface KongConsumerView {
  readonly resource: Resource;
  readonly username?: string;
  readonly customId?: string;
  readonly credentials: readonly { readonly name: string; readonly secret?: Resource; readonly type?: string }[];
  readonly plugins: readonly string[];
}

export function kongConsumers(graph: Graph): readonly KongConsumerView[] {
  return graph.memo('kong:consumers', (g) =>
    g
      .ofKind('KongConsumer', KONG_GROUP)
      .filter((r) => r.format === 'kubernetes')
      .map((r) => ({
        resource: r,
        username: str(r.body.username),
        customId: str(r.body.custom_id),
        credentials: arr(r.body.credentials)
          .filter((c): c is string => typeof c === 'string')
          .map((name) => {
            const secret = g.find('Secret', r.namespace, name);
            return {
              name,
              secret,
              type: secret?.labels['konghq.com/credential'] ?? str(get(secret?.body, 'stringData', 'kongCredType')),
            };
          }),
        plugins: annotatedPlugins(r),
      })),
  );
}

/** A Secret's field from stringData, else data (base64). */
function secretField(secret: Resource, key: string): string | undefined {
  const plain = str(get(secret.body, 'stringData', key));
  if (plain !== undefined) return plain;
  const encoded = str(get(secret.body, 'data', key));
  return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
}
