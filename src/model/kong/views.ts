// Typed views of Kong objects: plugins (decK and the KongPlugin / KongClusterPlugin CRDs), services, routes, hosts,
// and how messages name them. Sources: Kong/kong kong/db/schema/entities/{services,routes}.lua,
// Kong/kubernetes-ingress-controller internal/annotations/annotations.go.
import type { DocumentRef } from '../graph.js';
import type { Resource } from '../resource.js';
import { arr, get, isObj, obj, str, type Obj, type Path } from '../values.js';

export const KONG_GROUP = 'configuration.konghq.com';

export const AUTH_PLUGINS = new Set([
  'key-auth',
  'key-auth-enc',
  'jwt',
  'oauth2',
  'oauth2-introspection',
  'basic-auth',
  'hmac-auth',
  'openid-connect',
  'ldap-auth',
  'ldap-auth-advanced',
  'mtls-auth',
  'header-cert-auth',
  'session',
  'vault-auth',
  'saml',
  'jwe-decrypt',
]);

export const RATE_LIMIT_PLUGINS = new Set([
  'rate-limiting',
  'rate-limiting-advanced',
  'response-ratelimiting',
  'service-protection',
  'graphql-rate-limiting-advanced',
  'ai-rate-limiting-advanced',
]);

/** Route protocols that speak HTTP (auth and rate-limit plugins run on these; stream routes cannot carry them). */
const HTTP_PROTOCOLS = new Set(['http', 'https', 'grpc', 'grpcs', 'ws', 'wss']);

/** Where a value sits: a document and a path from its root (configs may live in `_plugin_configs`). */
export interface DocumentPath {
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
  readonly scope: {
    readonly global: boolean;
    readonly service?: string;
    readonly route?: string;
    readonly consumer?: string;
    readonly consumerGroup?: string;
  };
  /** A config field: value and where it is (the plugin's config, else its `_plugin_configs` entry). */
  field(name: string): { value: unknown; at: DocumentPath; present: boolean };
  /** Where a finding about a config field left at its default points: the `config` key, else the plugin's name. */
  readonly defaultsAt: DocumentPath;
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

/** The kinds of decK entities read as resources. */
export type DeckKind = 'KongService' | 'KongRoute' | 'KongConsumer' | 'KongConsumerGroup' | 'KongPlugin';

/** One decK document: its resources and lookups (a decK file is its own configuration: scopes do not cross files). */
export interface DeckFile {
  readonly ref: DocumentRef;
  /** The namespace of the Kubernetes object holding the file (a ConfigMap key), else ''. */
  readonly namespace: string;
  readonly services: KongServiceView[];
  readonly routes: Resource[];
  /**
   * The service each route names (by index, beside `routes`: a pair object per route was ~40 bytes more on a file of
   * 40,000 routes).
   */
  readonly routeServices: (string | undefined)[];
  readonly plugins: KongPluginView[];
  readonly consumers: Resource[];
  readonly value: Obj;
}

/** `nameKey`: the key that names the plugin type in the file (`name` in decK, `plugin` in the CRDs). */
export function pluginView(
  resource: Resource,
  ref: DocumentRef,
  base: Path,
  body: Obj,
  nameKey: string,
  scope: KongPluginView['scope'],
  shared?: { value: Obj; path: Path },
): KongPluginView {
  return new PluginView(resource, ref, base, body, nameKey, scope, shared);
}

/**
 * A plugin's view: paths made when asked for (a rule asks of a few plugins: kept per view, they were ~0.5 KB a plugin
 * on a decK file). A class, not an object literal with a getter: a literal's getter is a new closure per object, and
 * V8 keeps every such object as a dictionary (slow reads of every field by every rule, ~2x a Kong rule's time).
 */
class PluginView implements KongPluginView {
  readonly name: string;
  readonly enabled: boolean;
  readonly protocols: readonly string[] | undefined;
  readonly #ref: DocumentRef;
  readonly #base: Path;
  readonly #body: Obj;
  readonly #nameKey: string;
  readonly #shared: { value: Obj; path: Path } | undefined;

  constructor(
    readonly resource: Resource,
    ref: DocumentRef,
    base: Path,
    body: Obj,
    nameKey: string,
    readonly scope: KongPluginView['scope'],
    shared: { value: Obj; path: Path } | undefined,
  ) {
    this.name = str(body.name) ?? str(body.plugin) ?? '';
    this.enabled = body.enabled !== false && body.disabled !== true;
    this.protocols = Array.isArray(body.protocols) ? body.protocols.map(String) : undefined;
    this.#ref = ref;
    this.#base = base;
    this.#body = body;
    this.#nameKey = nameKey;
    this.#shared = shared;
  }

  get defaultsAt(): DocumentPath {
    return { document: this.#ref, path: this.#base.concat(this.#body.config !== undefined ? 'config' : this.#nameKey) };
  }

  field(name: string): { value: unknown; at: DocumentPath; present: boolean } {
    const document = this.#ref;
    const base = this.#base;
    const config = obj(this.#body.config);
    if (Object.hasOwn(config, name))
      return { value: config[name], at: { document, path: base.concat('config', name) }, present: true };
    const shared = this.#shared;
    if (shared && Object.hasOwn(shared.value, name))
      return { value: shared.value[name], at: { document, path: [...shared.path, name] }, present: true };
    const path = isObj(this.#body.config) ? base.concat('config') : base;
    return { value: undefined, at: { document, path }, present: false };
  }
}

/**
 * Parses a service `url` (it sets protocol, host, port and path at once) with the WHATWG URL parser, as Kong's own
 * parser reads it: user info (`http://svc:@ext.example.com/`) is not the host. A templated url is returned whole as
 * the host, which hostScope classifies as unknown.
 */
export function parseServiceUrl(url: string): { protocol?: string; host?: string } {
  const text = url.trim();
  if (TEMPLATE.test(text)) return { host: text };
  try {
    const parsed = new URL(text);
    return { protocol: parsed.protocol.replace(/:$/, '').toLowerCase(), host: parsed.hostname.replace(/^\[|\]$/g, '') };
  } catch {
    return {};
  }
}

const TEMPLATE = /\$\{|\{\{|\{vault:/;

export function serviceView(resource: Resource, defaults: Obj): KongServiceView {
  const b = resource.body;
  const url = str(b.url);
  const parsed = url ? parseServiceUrl(url) : {};
  const protocol = (str(b.protocol) ?? parsed.protocol ?? str(defaults.protocol) ?? 'http').toLowerCase();
  const host = str(b.host) ?? parsed.host ?? str(defaults.host) ?? '';
  const protocolPath: Path = b.protocol !== undefined ? ['protocol'] : url !== undefined ? ['url'] : resource.anchor;
  const hostPath: Path = b.host !== undefined ? ['host'] : url !== undefined ? ['url'] : resource.anchor;
  return {
    resource,
    name: str(b.name) ?? '',
    id: str(b.id),
    enabled: b.enabled !== false,
    protocol,
    host,
    protocolPath,
    hostPath,
  };
}

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
  const view = pluginView(resource, ref, base, { ...b, name: b.plugin }, 'plugin', { global });
  return { resource, view, cluster, global };
}

/** Comma-separated plugin names of `konghq.com/plugins` (whitespace trimmed; `namespace:name` allowed). */
export function annotatedPlugins(resource: Resource): string[] {
  const raw = resource.annotations['konghq.com/plugins'];
  return raw
    ? raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

/** How in-cluster names resolve: the cluster domain (kubelet `clusterDomain`) and the namespaces the scan knows. */
export interface ClusterDns {
  readonly clusterDomain: string;
  readonly namespaces: ReadonlySet<string>;
}

const DEFAULT_DNS: ClusterDns = { clusterDomain: 'cluster.local', namespaces: new Set() };

/**
 * Top-level domains common enough that `name.<tld>` is far more likely a public host than a Service `name` in a
 * namespace `<tld>` (two-letter country codes are all treated so).
 */
const PUBLIC_TLDS = new Set([
  'com',
  'net',
  'org',
  'edu',
  'gov',
  'mil',
  'int',
  'info',
  'biz',
  'dev',
  'app',
  'cloud',
  'xyz',
  'online',
  'site',
  'tech',
  'store',
  'shop',
  'page',
  'name',
  'pro',
  'aero',
  'mobi',
  'asia',
  'travel',
  'jobs',
  'museum',
  'coop',
  'tel',
  'local',
  'internal',
  'localhost',
  'test',
  'example',
  'invalid',
  'arpa',
  'digital',
  'software',
  'services',
  'systems',
  'network',
  'solutions',
  'company',
  'global',
  'world',
  'live',
  'today',
  'news',
  'media',
  'agency',
  'group',
  'host',
  'space',
]);

/**
 * 'loopback', 'cluster' (a name Kubernetes DNS resolves to a Service), 'unknown' (templated), or 'external'. A pod
 * resolves names through its search path (`<ns>.svc.<domain> svc.<domain> <domain>`, ndots 5; Kong's resolver
 * applies it too), so `svc`, `svc.ns`, `svc.ns.svc` and `svc.ns.svc.<domain>` are Services. `svc.ns` is told apart
 * from `host.tld` by the namespaces the scan holds, then by the last label: a common public TLD or a two-letter
 * country code is a public name. A trailing dot makes a name absolute: no search path applies.
 */
export function hostScope(
  host: string,
  dns: ClusterDns = DEFAULT_DNS,
): 'loopback' | 'cluster' | 'unknown' | 'external' {
  const raw = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (!raw || TEMPLATE.test(raw)) return 'unknown';
  const absolute = raw.endsWith('.');
  const h = absolute ? raw.slice(0, -1) : raw;
  if (h === 'localhost' || h === '::1' || /^127\./.test(h)) return 'loopback';
  if (h.includes(':') || /^\d+(\.\d+){3}$/.test(h)) return 'external'; // an IP address that is not loopback
  const domain = dns.clusterDomain.toLowerCase().replace(/^\.|\.$/g, '');
  if (h === domain || h.endsWith(`.${domain}`)) return 'cluster';
  if (absolute) return 'external';
  const labels = h.split('.');
  if (labels.some((label) => !/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$/.test(label))) return 'external';
  if (labels.length === 1) return 'cluster'; // a Service in the same namespace (or a Kong upstream)
  if (labels.length === 3 && labels[2] === 'svc') return 'cluster';
  if (labels.length === 2) {
    const [, last] = labels;
    if (dns.namespaces.has(last)) return 'cluster';
    return /^[a-z]{2}$/.test(last) || PUBLIC_TLDS.has(last) ? 'external' : 'cluster';
  }
  return 'external';
}

export type { Obj };

/** The decK file a decK resource comes from. */
export function deckOf(resource: Resource): DeckFile | undefined {
  return resource.format === 'kong' ? resource.deck : undefined;
}

/**
 * A decK upstream named `name`, when the file defines it: the hosts of its targets ("host:port" strings), and whether
 * it stands for a Kubernetes Service (KIC writes upstreams tagged k8s-kind:Service whose targets are filled at run time).
 */
export function upstreamTargets(deck: DeckFile, name: string): { hosts: string[]; kubernetes: boolean } | undefined {
  const upstream = upstreamsByName(deck).get(name);
  if (!upstream) return undefined;
  const hosts = arr(get(upstream, 'targets'))
    .map((t) =>
      String(get(t, 'target') ?? '')
        .replace(/:\d+$/, '')
        .replace(/^\[|\]$/g, ''),
    )
    .filter(Boolean);
  const kubernetes = arr(get(upstream, 'tags')).some((t) => typeof t === 'string' && t.startsWith('k8s-'));
  return { hosts, kubernetes };
}

const UPSTREAMS_BY_NAME = new WeakMap<DeckFile, ReadonlyMap<unknown, unknown>>();

/** A decK file's upstreams by name (the first of a name, as a search finds), once per file: each service asks. */
function upstreamsByName(deck: DeckFile): ReadonlyMap<unknown, unknown> {
  let byName = UPSTREAMS_BY_NAME.get(deck);
  if (!byName) {
    const index = new Map<unknown, unknown>();
    for (const u of arr(deck.value.upstreams)) {
      const name = get(u, 'name');
      if (!index.has(name)) index.set(name, u);
    }
    UPSTREAMS_BY_NAME.set(deck, (byName = index));
  }
  return byName;
}

/** "the cors plugin on route \"orders\"", "the global key-auth plugin", "KongPlugin shop/cors (cors)": how messages name a plugin. */
export function describePlugin(p: KongPluginView): string {
  if (p.resource.format === 'kubernetes')
    return `${p.resource.kind} ${p.resource.namespace ? `${p.resource.namespace}/` : ''}${p.resource.name} (${p.name})`;
  const s = p.scope;
  const where = s.route
    ? `route "${s.route}"`
    : s.service
      ? `service "${s.service}"`
      : s.consumer
        ? `consumer "${s.consumer}"`
        : s.consumerGroup
          ? `consumer group "${s.consumerGroup}"`
          : '';
  return where ? `the ${p.name} plugin on ${where}` : `the global ${p.name} plugin`;
}

/**
 * Plugins that answer a request themselves, so the route's service is never called: request-termination (unless its
 * `trigger` limits it to requests carrying a header or query parameter of that name) and redirect (Kong 3.9+). Kong
 * runs them in the access phase and returns their response (kong/plugins/request-termination/handler.lua: `kong.response.exit`).
 */
export function terminates(plugin: KongPluginView): boolean {
  if (plugin.name === 'redirect') return true;
  if (plugin.name !== 'request-termination') return false;
  const trigger = plugin.field('trigger').value;
  return trigger === undefined || trigger === null || trigger === '';
}

/** The plugin that answers every request of the route (applying to it, for all its protocols), if any. */
export function terminatingPlugin(route: KongRouteView): KongPluginView | undefined {
  return routeFact('terminating', route, () => route.plugins.find((p) => terminates(p) && coversRoute(p, route)));
}

const ROUTE_FACTS = new WeakMap<readonly KongPluginView[], Map<string, unknown>>();

/**
 * What follows from a route's plugins for its protocols alone (`compute` may read nothing else of the route), once
 * per list of plugins and protocols: the routes of a service without plugins of their own share its list, and each
 * would read every plugin of it again.
 */
export function routeFact<T>(question: string, route: KongRouteView, compute: () => T): T {
  // A short list costs little to read again, and is most often a route's own: nothing kept for it (40,000 routes).
  if (route.plugins.length <= 8) return compute();
  let facts = ROUTE_FACTS.get(route.plugins);
  if (!facts) ROUTE_FACTS.set(route.plugins, (facts = new Map()));
  const key = `${question}\0${route.protocols.join(',')}`;
  if (facts.has(key)) return facts.get(key) as T;
  const fact = compute();
  facts.set(key, fact);
  return fact;
}

/**
 * The anonymous consumer of an authentication plugin (`config.anonymous`: a consumer id or username): requests without
 * credentials pass as that consumer instead of being refused (Kong's authentication plugins, "anonymous").
 */
export function anonymousConsumer(plugin: KongPluginView): string | undefined {
  const value = plugin.field('anonymous').value;
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
