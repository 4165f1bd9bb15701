// What custom rules look at: resources as written, and the views the model computes (containers with the pod's
// settings inherited, workloads with their effective mTLS, AuthorizationPolicies, Kong routes with their plugins,
// Envoy listeners). A view is a plain value plus `origin`, which maps a path in the value back to the path in the
// resource it comes from, so that a finding lands on the key that failed, or its nearest existing parent.
import type { Settings } from '../engine/rule.js';
import {
  authorizationPolicies,
  describe,
  effectiveMtls,
  envoyListeners,
  get,
  isObj,
  kongRoutes,
  matchesSelector,
  membership,
  obj,
  selectedWorkloads,
  type Graph,
  type Path,
  type Resource,
  type Workload,
} from './model.js';

export const VIEWS = [
  'resource',
  'container',
  'workload',
  'authorizationPolicy',
  'kongRoute',
  'envoyListener',
] as const;
export type View = (typeof VIEWS)[number];

export interface TargetItem {
  readonly resource: Resource;
  readonly value: unknown;
  /** How messages name it ({{target}}): "container app of Deployment shop/web", or the resource. */
  readonly label: string;
  /** The path in the resource (relative to it) that a path in `value` comes from. */
  origin(path: Path): Path;
}

export interface TargetDefinition {
  readonly view?: View;
  readonly apiVersion?: string | readonly string[];
  readonly kind?: string | readonly string[];
  readonly namespaces?: string | readonly string[];
  readonly excludeNamespaces?: string | readonly string[];
  readonly labels?: Readonly<Record<string, unknown>>;
}

/** The items of a target in a scan: the view's items whose resource passes the filters. */
export type TargetSelector = (graph: Graph, settings: Settings) => readonly TargetItem[];

export function compileTarget(target: TargetDefinition = {}): TargetSelector {
  const view = target.view ?? 'resource';
  const kinds = list(target.kind);
  const literalKinds = kinds && kinds.every((k) => !/[*?]/.test(k)) ? kinds : undefined;
  const filters: ((r: Resource) => boolean)[] = [];
  const apiVersion = globs(target.apiVersion);
  if (apiVersion) filters.push((r) => apiVersion(r.apiVersion));
  const kind = globs(target.kind);
  if (kind && !literalKinds) filters.push((r) => kind(r.kind));
  const namespaces = globs(target.namespaces);
  if (namespaces) filters.push((r) => namespaces(namespaceOf(r)));
  const excluded = globs(target.excludeNamespaces);
  if (excluded) filters.push((r) => !excluded(namespaceOf(r)));
  if (target.labels) {
    const selector = target.labels;
    filters.push((r) => matchesSelector(r.labels, selector));
  }
  const keep = (r: Resource) => filters.every((f) => f(r));
  return (graph, settings) => {
    if (view === 'resource') {
      const candidates = literalKinds ? literalKinds.flatMap((k) => graph.ofKind(k)) : graph.resources;
      return candidates.filter(keep).map(asWritten);
    }
    const items = VIEW_BUILDERS[view](graph, settings);
    return items.filter((item) => keep(item.resource) && (!literalKinds || literalKinds.includes(item.resource.kind)));
  };
}

/** For a Namespace object, the namespace it is (as Kyverno's namespace filters read it). */
function namespaceOf(r: Resource): string {
  return r.kind === 'Namespace' && r.group === '' ? r.name : r.namespace;
}

function list(value: string | readonly string[] | undefined): readonly string[] | undefined {
  return value === undefined ? undefined : typeof value === 'string' ? [value] : value;
}

/** Globs with * (any run of characters) and ? (one character), matched whole; literal names by a set lookup. */
export function globs(value: string | readonly string[] | undefined): ((text: string) => boolean) | undefined {
  const patterns = list(value);
  if (!patterns) return undefined;
  const literal = new Set(patterns.filter((p) => !/[*?]/.test(p)));
  const wild = patterns.filter((p) => /[*?]/.test(p));
  return (text) => literal.has(text) || wild.some((glob) => globMatch(glob, text));
}

/**
 * Greedy matching with one backtrack point (the last *): at most length(glob) x length(text) steps, without
 * a regular expression (names and namespaces are short).
 */
export function globMatch(glob: string, text: string): boolean {
  let g = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (g < glob.length && (glob[g] === '?' || (glob[g] !== '*' && glob[g] === text[t]))) {
      g++;
      t++;
    } else if (g < glob.length && glob[g] === '*') {
      star = g++;
      resume = t;
    } else if (star !== -1) {
      g = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (g < glob.length && glob[g] === '*') g++;
  return g === glob.length;
}

function asWritten(resource: Resource): TargetItem {
  return { resource, value: resource.body, label: describe(resource), origin: (path) => path };
}

/** Path prefixes of a view -> where they come from; `exact` ones (computed values) point at one place. */
type Mount = readonly [view: Path, resource: Path, exact?: boolean];

function mounted(mounts: readonly Mount[]): (path: Path) => Path {
  const table = new Map(mounts.map(([view, real, exact]) => [view.join('\0'), { real, exact }]));
  return (path) => {
    for (let n = path.length; n >= 0; n--) {
      const hit = table.get(path.slice(0, n).join('\0'));
      if (hit) return hit.exact ? hit.real : [...hit.real, ...path.slice(n)];
    }
    return path;
  };
}

/** Container securityContext fields that default from the pod's securityContext (PodSecurityContext). */
const INHERITED_SECURITY_CONTEXT = [
  'runAsUser',
  'runAsGroup',
  'runAsNonRoot',
  'seLinuxOptions',
  'seccompProfile',
  'appArmorProfile',
  'windowsOptions',
];

/** The pod spec with the template's metadata: `pod.hostNetwork`, `pod.metadata.labels`. */
function podValue(w: Workload): { value: unknown; mounts: Mount[] } {
  const metadata = obj(get(w.body, ...w.pod.path)).metadata;
  return {
    value: { ...w.pod.spec, ...(metadata !== undefined ? { metadata } : {}) },
    mounts: [
      [['pod'], w.pod.specPath],
      [
        ['pod', 'metadata'],
        [...w.pod.path, 'metadata'],
      ],
    ],
  };
}

const VIEW_BUILDERS: Record<Exclude<View, 'resource'>, (graph: Graph, settings: Settings) => readonly TargetItem[]> = {
  container: (graph) =>
    graph.memo('custom:view:container', (g) =>
      g.workloads.flatMap((w) => {
        const pod = podValue(w);
        const podSecurity = obj(w.pod.spec.securityContext);
        return w.pod.containers.map((c): TargetItem => {
          const own = c.spec.securityContext;
          const inherited = INHERITED_SECURITY_CONTEXT.filter(
            (k) => podSecurity[k] !== undefined && !(isObj(own) && own[k] !== undefined),
          );
          const securityContext = inherited.length
            ? { ...Object.fromEntries(inherited.map((k) => [k, podSecurity[k]])), ...obj(own) }
            : own;
          const value = { ...c.spec, securityContext, containerType: c.group, pod: pod.value, workload: w.body };
          const mounts: Mount[] = [
            [[], c.path],
            ...inherited.map(
              (k): Mount => [
                ['securityContext', k],
                [...w.pod.specPath, 'securityContext', k],
              ],
            ),
            [['containerType'], c.path, true],
            ...pod.mounts,
            [['workload'], []],
          ];
          return { resource: w, value, label: `container ${c.name} of ${describe(w)}`, origin: mounted(mounts) };
        });
      }),
    ),

  workload: (graph, settings) =>
    graph.memo('custom:view:workload', (g) =>
      g.workloads.map((w): TargetItem => {
        const pod = podValue(w);
        const m = membership(g, settings.mesh, w);
        const e = effectiveMtls(g, settings.mesh, w);
        const value = {
          ...w.body,
          pod: pod.value,
          mesh: { dataplane: m.dataplane, gateway: m.gateway },
          mtls: { mode: e.mode, ...(e.decidedBy ? { policy: describe(e.decidedBy.resource) } : {}) },
        };
        const mounts: Mount[] = [[[], []], ...pod.mounts, [['mesh'], w.anchor, true], [['mtls'], w.anchor, true]];
        return { resource: w, value, label: describe(w), origin: mounted(mounts) };
      }),
    ),

  authorizationPolicy: (graph, settings) =>
    graph.memo('custom:view:authorizationPolicy', (g) =>
      authorizationPolicies(g).map((p): TargetItem => {
        const value = {
          ...p.resource.body,
          action: p.action,
          dryRun: p.dryRun,
          workloads: selectedWorkloads(g, settings.mesh, p).map(describe),
        };
        const mounts: Mount[] = [
          [[], []],
          [['action'], ['spec', 'action'], true],
          [['dryRun'], ['metadata', 'annotations', 'istio.io/dry-run'], true],
          [['workloads'], ['spec', 'selector'], true],
        ];
        return { resource: p.resource, value, label: describe(p.resource), origin: mounted(mounts) };
      }),
    ),

  kongRoute: (graph) =>
    graph.memo('custom:view:kongRoute', (g) =>
      kongRoutes(g).map((route): TargetItem => {
        const r = route.resource;
        const value = {
          ...obj(r.body),
          protocols: route.protocols,
          plugins: route.plugins.map((p) => p.name),
          active: route.active,
          ...(route.service
            ? { service: { name: route.service.name, protocol: route.service.protocol, host: route.service.host } }
            : {}),
        };
        const mounts: Mount[] = [
          [[], []],
          [['protocols'], route.protocolsPath],
          [['plugins'], route.pluginsPath, true],
          [['active'], r.anchor, true],
          [['service'], r.anchor, true],
        ];
        return { resource: r, value, label: describe(r), origin: mounted(mounts) };
      }),
    ),

  envoyListener: (graph) =>
    graph.memo('custom:view:envoyListener', (g) =>
      envoyListeners(g).map((l): TargetItem => {
        const r = l.resource;
        const value = {
          ...obj(r.body),
          addresses: l.addresses.map((a) => ({
            host: a.host,
            ...(a.port !== undefined ? { port: a.port } : {}),
            scope: a.scope,
          })),
          local: l.local,
          chains: l.chains.map((c) => ({
            default: c.isDefault,
            transport: c.transport.kind,
            filters: c.filters.map((f) => f.extension || f.name),
            httpFilters: c.hcms.flatMap((h) =>
              h.httpFilters.filter((f) => !f.disabled).map((f) => f.extension || f.name),
            ),
          })),
        };
        const mounts: Mount[] = [
          [[], []],
          ...l.addresses.map((a, i): Mount => [['addresses', i], a.node.path, true]),
          [['local'], r.anchor, true],
          ...l.chains.flatMap((c, i): Mount[] => [
            [['chains', i], c.node.path, true],
            [['chains', i, 'transport'], c.transport.node.path, true],
            ...c.filters.map((f, j): Mount => [['chains', i, 'filters', j], f.node.path, true]),
          ]),
        ];
        return { resource: r, value, label: describe(r), origin: mounted(mounts) };
      }),
    ),
};
