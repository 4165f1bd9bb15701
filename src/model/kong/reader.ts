// decK declarative files -> resources (services, routes, consumers, consumer groups, plugins at every scope). A decK
// document is its own configuration: scopes do not cross files, so each resource keeps its DeckFile.
// Sources: Kong/go-database-reconciler pkg/file/types.go and kong_json_schema.json.
import type { SourceDocument, SourceFile } from '../../parse/source.js';
import type { DocumentRef } from '../graph.js';
import type { KongResource, Resource } from '../resource.js';
import { arr, get, isObj, obj, str, type Obj, type Path } from '../values.js';
import { type DeckFile, type DeckKind, type KongPluginView, pluginView, serviceView } from './views.js';

/** Top-level keys of a decK file (kong_json_schema.json `properties`). */
export const DECK_KEYS = new Set([
  '_format_version',
  '_info',
  '_konnect',
  '_plugin_configs',
  '_transform',
  '_workspace',
  'ca_certificates',
  'certificates',
  'cloned_plugins',
  'consumer_groups',
  'consumers',
  'custom_entities',
  'custom_plugins',
  'filter_chains',
  'key_sets',
  'keys',
  'licenses',
  'partials',
  'plugins',
  'rbac_roles',
  'routes',
  'service_packages',
  'services',
  'upstreams',
  'vaults',
]);

const DECK_ENTITY_LISTS = [
  'services',
  'routes',
  'consumers',
  'plugins',
  'upstreams',
  'consumer_groups',
  'certificates',
  'ca_certificates',
];

function isDeck(value: unknown): value is Obj {
  if (!isObj(value) || typeof value.apiVersion === 'string' || typeof value.kind === 'string') return false;
  if ('_format_version' in value) return true;
  const keys = Object.keys(value);
  if (keys.length === 0 || !keys.every((k) => DECK_KEYS.has(k))) return false;
  return DECK_ENTITY_LISTS.some(
    (k) => Array.isArray(value[k]) && (value[k] as unknown[]).length > 0 && (value[k] as unknown[]).every(isObj),
  );
}

// decK entities have no labels or annotations, and are anchored at one of four keys: one frozen object or path each,
// shared by every resource (a large file has tens of thousands), not three small objects per resource.
const NO_METADATA: Readonly<Record<string, string>> = Object.freeze({});
const ANCHORS: Readonly<Record<string, Path>> = Object.freeze({
  name: Object.freeze(['name']),
  username: Object.freeze(['username']),
  custom_id: Object.freeze(['custom_id']),
  id: Object.freeze(['id']),
  none: Object.freeze([]),
});

function kongResource(deck: DeckFile, base: Path, kind: DeckKind, body: unknown, index: number): KongResource {
  const b = obj(body);
  const name = str(b.name) ?? str(b.username) ?? str(b.custom_id) ?? str(b.id) ?? `#${index}`;
  const anchorKey = ['name', 'username', 'custom_id', 'id'].find((k) => b[k] !== undefined);
  return {
    format: 'kong',
    apiVersion: 'deck/v3',
    group: '',
    kind,
    name,
    namespace: deck.namespace,
    labels: NO_METADATA,
    annotations: NO_METADATA,
    body: b,
    // A copy of exact size: the caller's path grew in steps, and one is kept per resource.
    source: { file: deck.ref.file, document: deck.ref.document, base: base.slice() },
    anchor: anchorKey ? ANCHORS[anchorKey] : ANCHORS.none,
    deck,
  };
}

/** Format reader: a decK declarative file. */
export function readKong(file: SourceFile, document: SourceDocument, namespace = ''): Resource[] | undefined {
  const value = document.value;
  if (!isDeck(value)) return undefined;
  const ref: DocumentRef = { file, document };
  const deck: DeckFile = {
    ref,
    namespace,
    services: [],
    routes: [],
    routeServices: [],
    plugins: [],
    consumers: [],
    value,
  };
  const out: Resource[] = [];
  const add = (r: Resource) => {
    out.push(r);
    return r;
  };
  const defaults = obj(get(value, '_info', 'defaults'));
  const pluginConfigs = obj(value._plugin_configs);

  const plugin = (body: unknown, base: Path, index: number, scope: KongPluginView['scope']) => {
    if (!isObj(body)) return;
    const r = add(kongResource(deck, base, 'KongPlugin', body, index));
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
    deck.plugins.push(
      pluginView(
        r,
        ref,
        r.source.base, // (the resource's copy of exact size: the caller's grew in steps, and the view keeps it)
        body,
        'name',
        s,
        shared !== undefined && isObj(pluginConfigs[shared])
          ? { value: pluginConfigs[shared] as Obj, path: ['_plugin_configs', shared] }
          : undefined,
      ),
    );
  };

  arr(value.services).forEach((svc, i) => {
    if (!isObj(svc)) return;
    const base: Path = ['services', i];
    const r = add(kongResource(deck, base, 'KongService', svc, i));
    const view = serviceView(r, obj(defaults.service));
    deck.services.push(view);
    arr(svc.plugins).forEach((p, k) =>
      plugin(p, [...base, 'plugins', k], k, { global: false, service: view.name || view.id }),
    );
    arr(svc.routes).forEach((route, j) => {
      if (!isObj(route)) return;
      const rbase: Path = [...base, 'routes', j];
      const rr = add(kongResource(deck, rbase, 'KongRoute', route, j));
      deck.routes.push(rr);
      deck.routeServices.push(view.name || view.id);
      arr(route.plugins).forEach((p, k) => plugin(p, [...rbase, 'plugins', k], k, { global: false, route: rr.name }));
    });
  });
  arr(value.routes).forEach((route, j) => {
    if (!isObj(route)) return;
    const rbase: Path = ['routes', j];
    const rr = add(kongResource(deck, rbase, 'KongRoute', route, j));
    deck.routes.push(rr);
    deck.routeServices.push(refName(route.service));
    arr(route.plugins).forEach((p, k) => plugin(p, [...rbase, 'plugins', k], k, { global: false, route: rr.name }));
  });
  arr(value.consumers).forEach((consumer, i) => {
    if (!isObj(consumer)) return;
    const base: Path = ['consumers', i];
    const r = add(kongResource(deck, base, 'KongConsumer', consumer, i));
    deck.consumers.push(r);
    arr(consumer.plugins).forEach((p, k) => plugin(p, [...base, 'plugins', k], k, { global: false, consumer: r.name }));
  });
  arr(value.consumer_groups).forEach((group, i) => {
    if (!isObj(group)) return;
    const base: Path = ['consumer_groups', i];
    const r = add(kongResource(deck, base, 'KongConsumerGroup', group, i));
    arr(group.plugins).forEach((p, k) =>
      plugin(p, [...base, 'plugins', k], k, { global: false, consumerGroup: r.name }),
    );
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
