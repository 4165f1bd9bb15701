// Kong configuration -> typed resources and views: decK declarative files (services, routes, consumers, plugins
// at every scope) and Kong on Kubernetes (KongPlugin, KongClusterPlugin, KongConsumer, credential Secrets, the
// konghq.com/* annotations on Ingress, Service and HTTPRoute). The central index is, for every route, the plugins
// that apply to it. Sources: Kong/go-database-reconciler pkg/file/types.go and kong_json_schema.json (decK),
// Kong/kong kong/db/schema/entities/{services,routes}.lua, Kong/kubernetes-ingress-controller
// internal/annotations/annotations.go and internal/store/store.go; ../shared/reference/envoy-kong.md part B.
import type { SourceDocument, SourceFile } from '../parse/source.js';
import type { DocumentRef, Graph } from './graph.js';
import type { Resource } from './resource.js';
import { arr, get, isObj, obj, str, type Obj, type Path } from './values.js';

export const KONG_GROUP = 'configuration.konghq.com';

/** Top-level keys of a decK file (kong_json_schema.json `properties`). */
const DECK_KEYS = new Set([
  '_format_version', '_info', '_konnect', '_plugin_configs', '_transform', '_workspace', 'ca_certificates', 'certificates',
  'cloned_plugins', 'consumer_groups', 'consumers', 'custom_entities', 'custom_plugins', 'filter_chains', 'key_sets', 'keys',
  'licenses', 'partials', 'plugins', 'rbac_roles', 'routes', 'service_packages', 'services', 'upstreams', 'vaults',
]);
const DECK_ENTITY_LISTS = ['services', 'routes', 'consumers', 'plugins', 'upstreams', 'consumer_groups', 'certificates', 'ca_certificates'];

export const AUTH_PLUGINS = new Set([
  'key-auth', 'key-auth-enc', 'jwt', 'oauth2', 'oauth2-introspection', 'basic-auth', 'hmac-auth', 'openid-connect',
  'ldap-auth', 'ldap-auth-advanced', 'mtls-auth', 'header-cert-auth', 'session', 'vault-auth', 'saml', 'jwe-decrypt',
]);
export const RATE_LIMIT_PLUGINS = new Set([
  'rate-limiting', 'rate-limiting-advanced', 'response-ratelimiting', 'service-protection', 'graphql-rate-limiting-advanced', 'ai-rate-limiting-advanced',
]);
/** Route protocols that speak HTTP (auth and rate-limit plugins run on these; stream routes cannot carry them). */
export const HTTP_PROTOCOLS = new Set(['http', 'https', 'grpc', 'grpcs', 'ws', 'wss']);

// ---------------------------------------------------------------------------------------------------------------
// Views

/** Where a value sits: a document and a path from its root (configs may live in `_plugin_configs`). */
export interface Located {
  readonly document: DocumentRef;
  readonly path: Path;
}

export interface KongPluginView {
  /** The plugin's own resource: a decK KongPlugin (format kong) or a KongPlugin / KongClusterPlugin CRD. */
  readonly resource: Resource;
  /** The plugin type: key-auth, cors ... */
  readonly name: string;
  readonly enabled: boolean;
  /** Where `enabled: false` / `disabled: true` is, when it is. */
  readonly protocols?: readonly string[];
  readonly scope: { readonly global: boolean; readonly service?: string; readonly route?: string; readonly consumer?: string; readonly consumerGroup?: string };
  /** A config field: value and where it is (the plugin's config, else its `_plugin_configs` entry). */
  field(name: string): { value: unknown; at: Located; present: boolean };
  /** The `config` object's location (or the plugin's, when it has none). */
  readonly configAt: Located;
}

export interface KongServiceView {
  readonly resource: Resource;
  readonly name: string;
  readonly id?: string;
  readonly enabled: boolean;
  /** Effective upstream protocol, host and where they are written. */
  readonly protocol: string;
  readonly host: string;
  readonly protocolPath: Path;
  readonly hostPath: Path;
}

export interface KongRouteView {
  /** A decK KongRoute, or a Kong-routed Ingress / HTTPRoute. */
  readonly resource: Resource;
  readonly service?: KongServiceView;
  /** Effective protocols (Kong's default: http and https). */
  readonly protocols: readonly string[];
  readonly protocolsExplicit: boolean;
  /** Where protocols are (or would be) set, relative to the resource. */
  readonly protocolsPath: Path;
  /** Where a finding about the plugins of the route points, relative to the resource. */
  readonly pluginsPath: Path;
  /** Plugins applying to every request of the route: global + service + route, enabled, without consumer scope. */
  readonly plugins: readonly KongPluginView[];
  /** Some plugin reference could not be resolved (a KongPlugin outside the scan): the plugin set is unknown. */
  readonly unresolved: readonly string[];
  /** The route can be served: its service is enabled. */
  readonly active: boolean;
  readonly redirectsHttps: boolean;
}

/** Does the plugin run for all of the route's protocols? (a key-auth limited to https leaves http open). */
export function coversRoute(plugin: KongPluginView, route: KongRouteView): boolean {
  if (!plugin.protocols || plugin.protocols.length === 0) return true;
  return route.protocols.filter((p) => HTTP_PROTOCOLS.has(p)).every((p) => plugin.protocols!.includes(p));
}

export function isHttpRoute(route: KongRouteView): boolean {
  return route.protocols.some((p) => HTTP_PROTOCOLS.has(p));
}

// ---------------------------------------------------------------------------------------------------------------
// decK reader

interface DeckMeta {
  readonly deck: DeckFile;
}
const META = new WeakMap<Resource, DeckMeta>();

/** One decK document: its resources and lookups (a decK file is its own configuration: scopes do not cross files). */
export interface DeckFile {
  readonly ref: DocumentRef;
  readonly base: Path;
  readonly services: KongServiceView[];
  readonly routes: { resource: Resource; serviceRef?: string }[];
  readonly plugins: KongPluginView[];
  readonly consumers: Resource[];
  readonly value: Obj;
}

function isDeck(value: unknown): value is Obj {
  if (!isObj(value) || typeof value.apiVersion === 'string' || typeof value.kind === 'string') return false;
  if ('_format_version' in value) return true;
  const keys = Object.keys(value);
  if (keys.length === 0 || !keys.every((k) => DECK_KEYS.has(k))) return false;
  return DECK_ENTITY_LISTS.some((k) => Array.isArray(value[k]) && (value[k] as unknown[]).length > 0 && (value[k] as unknown[]).every(isObj));
}

function kongResource(file: SourceFile, document: SourceDocument, base: Path, kind: string, body: unknown, index: number): Resource {
  const b = obj(body);
  const name = str(b.name) ?? str(b.username) ?? str(b.custom_id) ?? str(b.id) ?? `#${index}`;
  const anchorKey = ['name', 'username', 'custom_id', 'id'].find((k) => b[k] !== undefined);
  return {
    format: 'kong',
    apiVersion: 'deck/v3',
    group: '',
    kind,
    name,
    namespace: '',
    labels: {},
    annotations: {},
    body: b,
    source: { file, document, base },
    anchor: anchorKey ? [anchorKey] : [],
  };
}

/** Format reader: a decK declarative file. */
export function readKong(file: SourceFile, document: SourceDocument): Resource[] | undefined {
  const value = document.value;
  if (!isDeck(value)) return undefined;
  const ref: DocumentRef = { file, document };
  const deck: DeckFile = { ref, base: [], services: [], routes: [], plugins: [], consumers: [], value };
  const out: Resource[] = [];
  const add = (r: Resource) => {
    META.set(r, { deck });
    out.push(r);
    return r;
  };
  const defaults = obj(get(value, '_info', 'defaults'));
  const pluginConfigs = obj(value._plugin_configs);

  const plugin = (body: unknown, base: Path, index: number, scope: KongPluginView['scope']) => {
    if (!isObj(body)) return;
    const r = add(kongResource(file, document, base, 'KongPlugin', body, index));
    const explicit = {
      service: refName(body.service),
      route: refName(body.route),
      consumer: refName(body.consumer),
      consumerGroup: refName(body.consumer_group),
    };
    const s = {
      global: scope.global && !explicit.service && !explicit.route && !explicit.consumer && !explicit.consumerGroup,
      service: scope.service ?? explicit.service,
      route: scope.route ?? explicit.route,
      consumer: scope.consumer ?? explicit.consumer,
      consumerGroup: scope.consumerGroup ?? explicit.consumerGroup,
    };
    const shared = str(body._config);
    deck.plugins.push(pluginView(r, ref, base, body, s, shared !== undefined && isObj(pluginConfigs[shared]) ? { value: pluginConfigs[shared] as Obj, path: ['_plugin_configs', shared] } : undefined));
  };

  arr(value.services).forEach((svc, i) => {
    if (!isObj(svc)) return;
    const base: Path = ['services', i];
    const r = add(kongResource(file, document, base, 'KongService', svc, i));
    const view = serviceView(r, obj(defaults.service));
    deck.services.push(view);
    arr(svc.plugins).forEach((p, k) => plugin(p, [...base, 'plugins', k], k, { global: false, service: view.name || view.id }));
    arr(svc.routes).forEach((route, j) => {
      if (!isObj(route)) return;
      const rbase: Path = [...base, 'routes', j];
      const rr = add(kongResource(file, document, rbase, 'KongRoute', route, j));
      deck.routes.push({ resource: rr, serviceRef: view.name || view.id });
      arr(route.plugins).forEach((p, k) => plugin(p, [...rbase, 'plugins', k], k, { global: false, route: rr.name }));
    });
  });
  arr(value.routes).forEach((route, j) => {
    if (!isObj(route)) return;
    const rbase: Path = ['routes', j];
    const rr = add(kongResource(file, document, rbase, 'KongRoute', route, j));
    deck.routes.push({ resource: rr, serviceRef: refName(route.service) });
    arr(route.plugins).forEach((p, k) => plugin(p, [...rbase, 'plugins', k], k, { global: false, route: rr.name }));
  });
  arr(value.consumers).forEach((consumer, i) => {
    if (!isObj(consumer)) return;
    const base: Path = ['consumers', i];
    const r = add(kongResource(file, document, base, 'KongConsumer', consumer, i));
    deck.consumers.push(r);
    arr(consumer.plugins).forEach((p, k) => plugin(p, [...base, 'plugins', k], k, { global: false, consumer: r.name }));
  });
  arr(value.consumer_groups).forEach((group, i) => {
    if (!isObj(group)) return;
    const base: Path = ['consumer_groups', i];
    const r = add(kongResource(file, document, base, 'KongConsumerGroup', group, i));
    arr(group.plugins).forEach((p, k) => plugin(p, [...base, 'plugins', k], k, { global: false, consumerGroup: r.name }));
  });
  arr(value.plugins).forEach((p, k) => plugin(p, ['plugins', k], k, { global: true }));
  return out;
}

/** A decK foreign key: a name string, or {name} / {id}. */
function refName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isObj(value)) return str(value.name) ?? str(value.id);
  return undefined;
}

function pluginView(resource: Resource, ref: DocumentRef, base: Path, body: Obj, scope: KongPluginView['scope'], shared?: { value: Obj; path: Path }): KongPluginView {
  const config = obj(body.config);
  const configPath = [...base, 'config'];
  const protocols = Array.isArray(body.protocols) ? body.protocols.map(String) : undefined;
  return {
    resource,
    name: str(body.name) ?? str(body.plugin) ?? '',
    enabled: body.enabled !== false && body.disabled !== true,
    protocols,
    scope,
    configAt: { document: ref, path: isObj(body.config) ? configPath : base },
    field(name: string) {
      if (Object.hasOwn(config, name)) return { value: config[name], at: { document: ref, path: [...configPath, name] }, present: true };
      if (shared && Object.hasOwn(shared.value, name)) return { value: shared.value[name], at: { document: ref, path: [...shared.path, name] }, present: true };
      return { value: undefined, at: { document: ref, path: isObj(body.config) ? configPath : base }, present: false };
    },
  };
}

/** Parses a service `url` (it sets protocol, host, port and path at once). */
function parseUrl(url: string): { protocol?: string; host?: string } {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]*\]|[^/:?#]*)/i.exec(url.trim());
  return m ? { protocol: m[1].toLowerCase(), host: m[2] } : {};
}

function serviceView(resource: Resource, defaults: Obj): KongServiceView {
  const b = resource.body;
  const url = str(b.url);
  const parsed = url ? parseUrl(url) : {};
  const protocol = (str(b.protocol) ?? parsed.protocol ?? str(defaults.protocol) ?? 'http').toLowerCase();
  const host = str(b.host) ?? parsed.host ?? str(defaults.host) ?? '';
  const protocolPath: Path = b.protocol !== undefined ? ['protocol'] : url !== undefined ? ['url'] : resource.anchor;
  const hostPath: Path = b.host !== undefined ? ['host'] : url !== undefined ? ['url'] : resource.anchor;
  return { resource, name: str(b.name) ?? '', id: str(b.id), enabled: b.enabled !== false, protocol, host, protocolPath, hostPath };
}

// ---------------------------------------------------------------------------------------------------------------
// Kubernetes: typed views of the Kong CRDs and annotated objects

export interface KongCrdPlugin {
  readonly resource: Resource;
  readonly view: KongPluginView;
  readonly cluster: boolean;
  readonly global: boolean;
}

/** KongPlugin / KongClusterPlugin: `plugin`, `config`, `disabled`, `protocols` are top-level (not under spec). */
export function crdPluginView(resource: Resource): KongCrdPlugin {
  const b = resource.body;
  const ref: DocumentRef = { file: resource.source.file, document: resource.source.document };
  const base = resource.source.base;
  const cluster = resource.kind === 'KongClusterPlugin';
  const global = cluster && resource.labels.global === 'true';
  const view = pluginView(resource, ref, base, { ...b, name: b.plugin }, { global });
  return { resource, view, cluster, global };
}

export function kongPluginCrds(graph: Graph): readonly KongCrdPlugin[] {
  return graph.memo('kong:crdPlugins', (g) =>
    [...g.ofKind('KongPlugin', KONG_GROUP), ...g.ofKind('KongClusterPlugin', KONG_GROUP)].filter((r) => r.format === 'kubernetes').map(crdPluginView));
}

/** Comma-separated plugin names of `konghq.com/plugins` (whitespace trimmed; `namespace:name` allowed). */
export function annotatedPlugins(resource: Resource): string[] {
  const raw = resource.annotations['konghq.com/plugins'];
  return raw ? raw.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

/** Resolves a plugin reference from an object in `namespace`: a KongPlugin there, else a KongClusterPlugin. */
function resolvePlugin(graph: Graph, namespace: string, ref: string): KongCrdPlugin | undefined {
  const index = graph.memo('kong:crdByName', (g) => {
    const m = new Map<string, KongCrdPlugin>();
    for (const p of kongPluginCrds(g)) m.set(p.cluster ? `cluster/${p.resource.name}` : `${p.resource.namespace}/${p.resource.name}`, p);
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
  if (resource.kind === 'Ingress') return isKongClass(str(get(resource.body, 'spec', 'ingressClassName'))) || isKongClass(resource.annotations['kubernetes.io/ingress.class']);
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
  const override = annotations['konghq.com/override'] ? graph.find('KongIngress', resource.namespace, annotations['konghq.com/override'].trim()) : undefined;
  const overridden = arr(get(override?.body, 'route', 'protocols')).map((p) => String(p).toLowerCase());
  const protocols = raw ? raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean) : forceSsl ? ['https'] : overridden.length > 0 ? overridden : ['http', 'https'];
  const annotationsPath: Path = Object.keys(resource.annotations).length > 0 ? ['metadata', 'annotations'] : resource.anchor;
  return {
    resource,
    protocols,
    protocolsExplicit: raw !== undefined || forceSsl || overridden.length > 0,
    protocolsPath: raw !== undefined ? ['metadata', 'annotations', 'konghq.com/protocols'] : annotationsPath,
    pluginsPath: annotations['konghq.com/plugins'] !== undefined ? ['metadata', 'annotations', 'konghq.com/plugins'] : resource.anchor,
    plugins,
    unresolved,
    active: true,
    redirectsHttps: !protocols.includes('http'),
  };
}

function globalCrdPlugins(graph: Graph): readonly KongCrdPlugin[] {
  return graph.memo('kong:globalCrds', (g) => kongPluginCrds(g).filter((p) => p.global && p.view.enabled));
}

// ---------------------------------------------------------------------------------------------------------------
// The route -> plugins index

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
    else if (p.scope.service) (byServiceRef.get(p.scope.service) ?? byServiceRef.set(p.scope.service, []).get(p.scope.service)!).push(p);
  }
  return deck.routes.map(({ resource, serviceRef }) => {
    const service = serviceRef ? byService.get(serviceRef) : undefined;
    const b = resource.body;
    const explicit = Array.isArray(b.protocols) ? b.protocols.map((p) => String(p).toLowerCase()) : Array.isArray(defaults.protocols) ? defaults.protocols.map((p) => String(p).toLowerCase()) : undefined;
    const protocols = explicit ?? ['http', 'https'];
    const keys = [str(b.name), str(b.id)].filter((k): k is string => Boolean(k));
    const plugins = [
      ...global,
      ...(service ? [...(byServiceRef.get(service.name) ?? []), ...(service.id && service.id !== service.name ? byServiceRef.get(service.id) ?? [] : [])] : []),
      ...keys.flatMap((k) => byRouteRef.get(k) ?? []),
    ];
    return {
      resource,
      service,
      protocols,
      protocolsExplicit: explicit !== undefined,
      protocolsPath: Array.isArray(b.protocols) ? ['protocols'] : resource.anchor,
      pluginsPath: resource.anchor,
      plugins: [...new Set(plugins)],
      unresolved: [],
      active: service ? service.enabled : true,
      redirectsHttps: !protocols.includes('http'),
    };
  });
}

/** Every Kong route of the scan (decK routes, Kong-served Ingresses and HTTPRoutes) with the plugins that apply. */
export function kongRoutes(graph: Graph): readonly KongRouteView[] {
  return graph.memo('kong:routes', (g) => {
    const out: KongRouteView[] = [];
    for (const deck of deckFiles(g)) out.push(...deckRouteViews(deck));
    for (const kind of ['Ingress', 'HTTPRoute', 'GRPCRoute']) {
      for (const r of g.ofKind(kind)) {
        if (r.format === 'kubernetes' && servedByKong(g, r)) out.push(k8sRouteView(g, r));
      }
    }
    return out;
  });
}

export function deckFiles(graph: Graph): readonly DeckFile[] {
  return graph.memo('kong:deckFiles', (g) => {
    const seen = new Set<DeckFile>();
    for (const r of g.resources) {
      const m = r.format === 'kong' ? META.get(r) : undefined;
      if (m) seen.add(m.deck);
    }
    return [...seen];
  });
}

/** Every enabled plugin instance: decK plugins and KongPlugin / KongClusterPlugin CRDs. */
export function kongPlugins(graph: Graph): readonly KongPluginView[] {
  return graph.memo('kong:plugins', (g) => [...deckFiles(g).flatMap((d) => d.plugins), ...kongPluginCrds(g).map((p) => p.view)].filter((p) => p.enabled));
}

/** Every decK service. */
export function kongServices(graph: Graph): readonly KongServiceView[] {
  return graph.memo('kong:services', (g) => deckFiles(g).flatMap((d) => d.services));
}

/** Kubernetes Services that back a Kong-served route, with the namespace-qualified key. */
export function kongBackendServices(graph: Graph): readonly Resource[] {
  return graph.memo('kong:k8sBackends', (g) => {
    const out = new Set<Resource>();
    for (const route of kongRoutes(g)) {
      if (route.resource.format !== 'kubernetes') continue;
      for (const name of backendServices(route.resource)) {
        const svc = g.find('Service', route.resource.namespace, name);
        if (svc) out.add(svc);
      }
    }
    return [...out];
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Hosts

/** 'loopback', 'cluster' (an in-cluster service name), 'unknown' (templated), or 'external'. */
export function hostScope(host: string): 'loopback' | 'cluster' | 'unknown' | 'external' {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (!h || /\$\{|\{\{|\{vault:/.test(h)) return 'unknown';
  if (h === 'localhost' || h === '::1' || /^127\./.test(h)) return 'loopback';
  if (/\.svc(\.cluster\.local)?\.?$|\.cluster\.local\.?$/.test(h)) return 'cluster';
  if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(h)) return 'cluster'; // a bare name: a Service (or a Kong upstream) in the same namespace
  return 'external';
}

export type { Obj };

/** The decK file a decK resource comes from. */
export function deckOf(resource: Resource): DeckFile | undefined {
  return META.get(resource)?.deck;
}

/**
 * A decK upstream named `name`, when the file defines it: the hosts of its targets ("host:port" strings), and whether
 * it stands for a Kubernetes Service (KIC writes upstreams tagged k8s-kind:Service whose targets are filled at run time).
 */
export function upstreamTargets(deck: DeckFile, name: string): { hosts: string[]; kubernetes: boolean } | undefined {
  const upstream = arr(deck.value.upstreams).find((u) => get(u, 'name') === name);
  if (!upstream) return undefined;
  const hosts = arr(get(upstream, 'targets')).map((t) => String(get(t, 'target') ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '')).filter(Boolean);
  const kubernetes = arr(get(upstream, 'tags')).some((t) => typeof t === 'string' && t.startsWith('k8s-'));
  return { hosts, kubernetes };
}

/** "the cors plugin on route \"orders\"", "the global key-auth plugin", "KongPlugin shop/cors (cors)": how messages name a plugin. */
export function describePlugin(p: KongPluginView): string {
  if (p.resource.format === 'kubernetes') return `${p.resource.kind} ${p.resource.namespace ? `${p.resource.namespace}/` : ''}${p.resource.name} (${p.name})`;
  const s = p.scope;
  const where = s.route ? `route "${s.route}"` : s.service ? `service "${s.service}"` : s.consumer ? `consumer "${s.consumer}"` : s.consumerGroup ? `consumer group "${s.consumerGroup}"` : '';
  return where ? `the ${p.name} plugin on ${where}` : `the global ${p.name} plugin`;
}

// ---------------------------------------------------------------------------------------------------------------
// Secret-bearing fields, for the hardcoded-secret detector (issue 5's `secret-hardcoded` owns the rule)

/** A value Kong resolves at run time instead of a literal: a whole `{vault://...}` reference (kong/pdk/vault.lua
 * is_reference: starts with `{vault://`, ends with `}`) or a whole decK `${{ env "DECK_..." }}` template. */
export function isKongReference(value: string): boolean {
  const v = value.trim();
  return (v.startsWith('{vault://') && v.endsWith('}')) || /^\$\{\{\s*env\s+"DECK_[A-Za-z0-9_]+"(?:\s*\|[^}]*|\s*)\}\}$/.test(v);
}

/** Plugin config leaf names that hold secrets (x-encrypted in Kong's 3.15 schemas, plus OSS redis_password). */
export const KONG_SECRET_LEAVES = new Set([
  'access_token', 'api_key', 'api_token', 'apikey', 'auth_password', 'authorization_value', 'aws_access_key_id',
  'aws_secret_access_key', 'aws_key', 'aws_secret', 'azure_client_secret', 'client_secret', 'client_jwk',
  'cluster_api_key', 'cluster_api_secret', 'confluent_cloud_api_key', 'confluent_cloud_api_secret', 'content_safety_key',
  'eab_hmac_key', 'gcp_service_account_json', 'header_value', 'param_value', 'ldap_password', 'password',
  'provision_key', 'secret', 'secret_v1', 'sentinel_password', 'session_secret', 'token', 'request_signing_key',
  'response_encryption_key', 'redis_password',
]);

const CREDENTIAL_FIELDS: Readonly<Record<string, readonly string[]>> = {
  keyauth_credentials: ['key'],
  basicauth_credentials: ['password'],
  hmacauth_credentials: ['secret'],
  jwt_secrets: ['secret'],
  oauth2_credentials: ['client_secret'],
};

export interface KongSecretField {
  readonly document: DocumentRef;
  /** From the document root. */
  readonly path: Path;
  readonly value: string;
  /** What the field is ("keyauth_credentials key", "rate-limiting plugin config.redis.password" ...). */
  readonly what: string;
  /** Kong stores it hashed (basic-auth sha1/sha256 hex, PHC oauth2 secrets): lower severity. */
  readonly hashed: boolean;
  /** Base64 in a Secret's `data`. */
  readonly base64?: boolean;
}

const HASHED = /^([0-9a-f]{40}|[0-9a-f]{64})$|^\$(argon2|2[aby]\$|pbkdf2)/;

/**
 * Every literal (non-reference) value of a secret-bearing Kong field in the scan: decK consumer credentials,
 * certificate keys, vault and partial configs, plugin configs (decK, `_plugin_configs`, KongPlugin /
 * KongClusterPlugin), credential Secrets (label konghq.com/credential) and KongCredential* CRDs.
 */
export function kongSecretFields(graph: Graph): readonly KongSecretField[] {
  return graph.memo('kong:secretFields', (g) => {
    const out: KongSecretField[] = [];
    const push = (document: DocumentRef, path: Path, value: unknown, what: string, extra: Partial<KongSecretField> = {}) => {
      if (typeof value !== 'string' || value === '' || isKongReference(value)) return;
      out.push({ document, path, value, what, hashed: HASHED.test(value), ...extra });
    };
    const leaves = (document: DocumentRef, base: Path, value: unknown, what: string, depth = 0) => {
      if (depth > 12) return;
      if (Array.isArray(value)) value.forEach((v, i) => leaves(document, [...base, i], v, what, depth + 1));
      else if (isObj(value)) {
        for (const [k, v] of Object.entries(value)) {
          if (KONG_SECRET_LEAVES.has(k) && typeof v === 'string') push(document, [...base, k], v, `${what}.${k}`);
          else if (k === 'headers' && isObj(v)) for (const [h, hv] of Object.entries(v)) { if (/^authorization$/i.test(h)) push(document, [...base, k, h], hv, `${what}.headers.${h}`); }
          else leaves(document, [...base, k], v, what, depth + 1);
        }
      }
    };
    for (const deck of deckFiles(g)) {
      const doc = deck.ref;
      const root = deck.value;
      arr(root.consumers).forEach((c, i) => {
        for (const [list, fields] of Object.entries(CREDENTIAL_FIELDS)) {
          arr(get(c, list)).forEach((cred, j) => {
            for (const f of fields) push(doc, ['consumers', i, list, j, f], get(cred, f), `${list} ${f}`);
          });
        }
      });
      arr(root.certificates).forEach((c, i) => {
        for (const f of ['key', 'key_alt']) push(doc, ['certificates', i, f], get(c, f), `certificate ${f}`);
      });
      arr(root.vaults).forEach((v, i) => {
        for (const [k, val] of Object.entries(obj(get(v, 'config')))) if (/token|secret|password|key/i.test(k)) push(doc, ['vaults', i, 'config', k], val, `vault config ${k}`);
      });
      arr(root.partials).forEach((p, i) => leaves(doc, ['partials', i, 'config'], get(p, 'config'), 'partial config'));
      for (const [name, config] of Object.entries(obj(root._plugin_configs))) leaves(doc, ['_plugin_configs', name], config, `_plugin_configs ${name}`);
      for (const p of deck.plugins) leaves(doc, [...p.resource.source.base, 'config'], p.resource.body.config, `${p.name} plugin config`);
    }
    for (const p of kongPluginCrds(g)) {
      const r = p.resource;
      leaves({ file: r.source.file, document: r.source.document }, [...r.source.base, 'config'], r.body.config, `${p.view.name} plugin config`);
    }
    for (const secret of g.ofKind('Secret', '')) {
      const type = secret.labels['konghq.com/credential'] ?? str(get(secret.body, 'stringData', 'kongCredType'));
      if (!type) continue;
      const ref: DocumentRef = { file: secret.source.file, document: secret.source.document };
      for (const k of ['key', 'password', 'secret', 'client_secret']) {
        push(ref, [...secret.source.base, 'stringData', k], get(secret.body, 'stringData', k), `${type} credential ${k}`);
        push(ref, [...secret.source.base, 'data', k], get(secret.body, 'data', k), `${type} credential ${k}`, { base64: true });
      }
    }
    for (const r of g.resources) {
      if (r.format !== 'kubernetes' || r.group !== KONG_GROUP || !r.kind.startsWith('KongCredential')) continue;
      const ref: DocumentRef = { file: r.source.file, document: r.source.document };
      for (const k of ['key', 'password', 'secret']) push(ref, [...r.source.base, 'spec', k], get(r.body, 'spec', k), `${r.kind} ${k}`);
    }
    return out;
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
    g.ofKind('KongConsumer', KONG_GROUP).filter((r) => r.format === 'kubernetes').map((r) => ({
      resource: r,
      username: str(r.body.username),
      customId: str(r.body.custom_id),
      credentials: arr(r.body.credentials).filter((c): c is string => typeof c === 'string').map((name) => {
        const secret = g.find('Secret', r.namespace, name);
        return { name, secret, type: secret?.labels['konghq.com/credential'] ?? str(get(secret?.body, 'stringData', 'kongCredType')) };
      }),
      plugins: annotatedPlugins(r),
    })));
}
