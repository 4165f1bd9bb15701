// Istio's typed views and indexes, shared by the mesh rules: mesh membership (sidecar injection, ambient), the
// workload -> container port and Service -> workload/targetPort edges, the PeerAuthentication scopes and the
// effective inbound mTLS mode per (workload, container port), AuthorizationPolicy / RequestAuthentication
// selection (root namespace included), DestinationRule host resolution and principal -> ServiceAccount edges.
// The algorithm follows istiod (see ../shared/reference/istio-semantics.md for the upstream sources):
//   pilot/pkg/security/authn/policy_applier.go ComposePeerAuthentication, pilot/pkg/model/authentication.go,
//   pkg/kube/inject/inject.go injectRequired, manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml.
import type { Graph } from './graph.js';
import { groupBy } from './graph.js';
import type { Container, Resource, Workload } from './resource.js';
import { arr, get, isObj, obj, str, strMap, type Path } from './values.js';

/** The `mesh:` settings (config), as the rules receive them. */
export interface MeshSettings {
  readonly rootNamespace: string;
  readonly assumeInjected: boolean;
}

export const SECURITY_GROUP = 'security.istio.io';
export const NETWORKING_GROUP = 'networking.istio.io';
export const TELEMETRY_GROUP = 'telemetry.istio.io';

/** Istio resources of a kind (security.istio.io, networking.istio.io or telemetry.istio.io by kind). */
export function istioResources(graph: Graph, kind: string): readonly Resource[] {
  const group = kind === 'Telemetry' ? TELEMETRY_GROUP : ['PeerAuthentication', 'AuthorizationPolicy', 'RequestAuthentication'].includes(kind) ? SECURITY_GROUP : NETWORKING_GROUP;
  return graph.ofKind(kind, group);
}

export function usesIstio(graph: Graph): boolean {
  return graph.memo('istio:uses', (g) => g.resources.some((r) => r.group.endsWith('.istio.io')));
}

// ---------------------------------------------------------------------------------------------------------------
// Mesh membership

export type Dataplane = 'sidecar' | 'ambient' | 'none' | 'unknown';

export interface Membership {
  readonly dataplane: Dataplane;
  /** Why, for messages: 'namespace shop has istio-injection=enabled'. */
  readonly reason: string;
  /** An Istio gateway (router) pod: PeerAuthentication does not apply to its listeners. */
  readonly gateway: boolean;
  /** The namespace is injected (label, or assumed): a pod opt-out there is a bypass. */
  readonly injectedNamespace: boolean;
}

/** Namespaces the injector always skips (pkg/kube/inject/initializer.go IgnoredNamespaces). */
const IGNORED_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);
const GATEWAY_LABELS = new Set(['ingressgateway', 'egressgateway', 'eastwestgateway']);

export const INJECT = 'sidecar.istio.io/inject';
export const DATAPLANE_MODE = 'istio.io/dataplane-mode';

/** The value of sidecar.istio.io/inject on the pod template: the label wins over the (deprecated) annotation. */
export function injectSetting(w: Workload): { value: string; where: 'labels' | 'annotations' } | undefined {
  if (w.pod.labels[INJECT] !== undefined) return { value: w.pod.labels[INJECT], where: 'labels' };
  if (w.pod.annotations[INJECT] !== undefined) return { value: w.pod.annotations[INJECT], where: 'annotations' };
  return undefined;
}

export function isGatewayPod(w: Workload): boolean {
  const labels = w.pod.labels;
  if (GATEWAY_LABELS.has(labels.istio ?? '')) return true;
  if (labels['gateway.networking.k8s.io/gateway-name'] || labels['istio.io/gateway-name']) return true;
  if ((w.pod.annotations['inject.istio.io/templates'] ?? '').includes('gateway')) return true;
  return w.pod.containers.some((c) => c.name === 'istio-proxy' && arr(c.spec.args).includes('router'));
}

/** Whether the pod gets a sidecar or is captured by ztunnel, following the injection webhook and istio-cni. */
export function membership(graph: Graph, mesh: MeshSettings, w: Workload): Membership {
  return graph.memoFor('istio:membership', w, () => computeMembership(graph, mesh, w));
}

function computeMembership(graph: Graph, mesh: MeshSettings, w: Workload): Membership {
  const gateway = isGatewayPod(w);
  const ns = graph.namespace(w.namespace);
  const nsLabels = ns?.labels ?? {};
  const injectedNamespace = ns
    ? nsLabels['istio-injection'] === 'enabled' || (nsLabels['istio-injection'] === undefined && nsLabels['istio.io/rev'] !== undefined)
    : mesh.assumeInjected;
  const out = (dataplane: Dataplane, reason: string): Membership => ({ dataplane, reason, gateway, injectedNamespace });
  if (w.pod.spec.hostNetwork === true) return out('none', 'hostNetwork pods are never injected');
  if (IGNORED_NAMESPACES.has(w.namespace)) return out('none', `the injector ignores namespace ${w.namespace}`);
  const inject = injectSetting(w);
  if (inject?.value === 'false') return out('none', `the pod template sets ${INJECT}: "false"`);
  const podMode = w.pod.labels[DATAPLANE_MODE];
  if (podMode === 'ambient') return out('ambient', `the pod is labelled ${DATAPLANE_MODE}=ambient`);
  if (w.pod.containers.some((c) => c.name === 'istio-proxy')) return out('sidecar', 'the pod carries an istio-proxy container');
  if (ns) {
    const injection = nsLabels['istio-injection'];
    if (injection !== undefined) {
      return injection === 'enabled' ? out('sidecar', `namespace ${w.namespace} has istio-injection=enabled`) : out('none', `namespace ${w.namespace} has istio-injection=${injection}`);
    }
    if (nsLabels['istio.io/rev'] !== undefined) return out('sidecar', `namespace ${w.namespace} has istio.io/rev=${nsLabels['istio.io/rev']}`);
  }
  // The webhook's object selectors (namespace without injection labels): a sidecar wins over the namespace's ambient
  // mode, since istio-cni does not capture pods that have one (cni/pkg/util/podutil.go podHasSidecar).
  if (w.pod.labels[INJECT] === 'true') return out('sidecar', `the pod is labelled ${INJECT}=true`);
  if (w.pod.labels['istio.io/rev'] !== undefined) return out('sidecar', `the pod is labelled istio.io/rev`);
  if (ns && nsLabels[DATAPLANE_MODE] === 'ambient' && podMode !== 'none') return out('ambient', `namespace ${w.namespace} has ${DATAPLANE_MODE}=ambient`);
  if (ns) return out('none', `namespace ${w.namespace} is not labelled for injection`);
  if (mesh.assumeInjected) return out('sidecar', 'mesh.assumeInjected is set and the repository has no Namespace object for it');
  return out('unknown', `the repository has no Namespace object for ${w.namespace}`);
}

export function inMesh(m: Membership): boolean {
  return m.dataplane === 'sidecar' || m.dataplane === 'ambient';
}

// ---------------------------------------------------------------------------------------------------------------
// Ports

export interface WorkloadPort {
  readonly number: number;
  readonly name?: string;
  readonly container: Container;
  /** Path of the port entry, relative to the workload. */
  readonly path: Path;
}

function portNumber(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

/** Container ports the app containers declare (init containers serve no traffic; native sidecars are skipped too). */
export function workloadPorts(w: Workload): readonly WorkloadPort[] {
  const out: WorkloadPort[] = [];
  for (const container of w.pod.containers) {
    if (container.group !== 'containers' || container.name === 'istio-proxy') continue;
    arr(container.spec.ports).forEach((p, i) => {
      const number = portNumber(get(p, 'containerPort'));
      if (number !== undefined) out.push({ number, name: str(get(p, 'name')), container, path: [...container.path, 'ports', i, 'containerPort'] });
    });
  }
  return out;
}

/** Resolves a port reference (number, or a named container port) against the workload. */
export function resolvePort(w: Workload, ref: unknown): number | undefined {
  const n = portNumber(ref);
  if (n !== undefined) return n;
  const name = str(ref);
  return name === undefined ? undefined : workloadPorts(w).find((p) => p.name === name)?.number;
}

/** Ports used by liveness/readiness/startup probes. */
export function probePorts(w: Workload): Set<number> {
  const out = new Set<number>();
  for (const c of w.pod.containers) {
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      for (const kind of ['httpGet', 'tcpSocket', 'grpc']) {
        const port = resolvePort(w, get(c.spec, probe, kind, 'port'));
        if (port !== undefined) out.add(port);
      }
    }
  }
  return out;
}

/** Istio's own ports, always excluded from inbound capture by the injector (15090, 15021 and the status port 15020). */
export const ISTIO_PORTS = new Set([15020, 15021, 15090]);

export function portList(value: string | undefined): number[] {
  if (!value) return [];
  return value.split(',').map((s) => portNumber(s.trim())).filter((n): n is number => n !== undefined);
}

/** Whether inbound traffic to the port reaches the sidecar (traffic.sidecar.istio.io/include|excludeInboundPorts). */
export function inboundCaptured(w: Workload, port: number): boolean {
  const a = w.pod.annotations;
  const include = a['traffic.sidecar.istio.io/includeInboundPorts'];
  if (include !== undefined && include.trim() !== '*') {
    if (!portList(include).includes(port)) return false;
  }
  return !portList(a['traffic.sidecar.istio.io/excludeInboundPorts']).includes(port);
}

// ---------------------------------------------------------------------------------------------------------------
// Services

export interface ServicePort {
  readonly port: number;
  readonly targetPort: unknown;
  readonly name?: string;
  readonly path: Path;
}

export function servicePorts(service: Resource): readonly ServicePort[] {
  const out: ServicePort[] = [];
  arr(get(service.body, 'spec', 'ports')).forEach((p, i) => {
    const port = portNumber(get(p, 'port'));
    if (port !== undefined) out.push({ port, targetPort: get(p, 'targetPort') ?? port, name: str(get(p, 'name')), path: ['spec', 'ports', i] });
  });
  return out;
}

/** Service -> the workloads its selector picks (a Service without selector selects none). */
export function serviceWorkloads(graph: Graph, service: Resource): readonly Workload[] {
  const index = graph.memo('istio:serviceWorkloads', (g) => {
    const map = new Map<Resource, readonly Workload[]>();
    for (const s of g.ofKind('Service', '')) {
      const selector = strMap(get(s.body, 'spec', 'selector'));
      map.set(s, Object.keys(selector).length ? g.selectWorkloads(s.namespace, selector) : []);
    }
    return map;
  });
  return index.get(service) ?? [];
}

/** Workload -> the Services that select it. */
export function workloadServices(graph: Graph, w: Workload): readonly Resource[] {
  const index = graph.memo('istio:workloadServices', (g) => {
    const map = new Map<Workload, Resource[]>();
    for (const s of g.ofKind('Service', '')) {
      for (const sw of serviceWorkloads(g, s)) {
        const list = map.get(sw);
        if (list) list.push(s);
        else map.set(sw, [s]);
      }
    }
    return map;
  });
  return index.get(w) ?? [];
}

/** Container port numbers that some Service of the workload targets. */
export function serviceTargetPorts(graph: Graph, w: Workload): Map<number, { service: Resource; port: ServicePort }> {
  const out = new Map<number, { service: Resource; port: ServicePort }>();
  for (const service of workloadServices(graph, w)) {
    for (const sp of servicePorts(service)) {
      const target = resolvePort(w, sp.targetPort);
      if (target !== undefined && !out.has(target)) out.set(target, { service, port: sp });
    }
  }
  return out;
}

export const CLUSTER_DOMAIN = 'svc.cluster.local';

/** `name.namespace.svc.cluster.local` -> Service. */
function servicesByHost(graph: Graph): Map<string, Resource> {
  return graph.memo('istio:servicesByHost', (g) => new Map(g.ofKind('Service', '').map((s) => [`${s.name}.${s.namespace}.${CLUSTER_DOMAIN}`, s])));
}

/**
 * Resolves a DestinationRule/VirtualService host to the Services of the repo. Short names (no dot) are expanded
 * in the resource's namespace (pilot/pkg/model ResolveShortnameToFQDN: `reviews` -> reviews.<ns>.svc.cluster.local;
 * a name with a dot such as `reviews.prod` is taken as fully qualified and is not expanded); `*` and `*.suffix`
 * wildcards match by suffix.
 */
export function resolveHost(graph: Graph, host: string, namespace: string): { fqdn: string; services: readonly Resource[] } {
  const byHost = servicesByHost(graph);
  const fqdn = host === '*' || host.includes('.') ? host : `${host}.${namespace}.${CLUSTER_DOMAIN}`;
  if (fqdn === '*') return { fqdn, services: [...byHost.values()] };
  if (fqdn.startsWith('*')) {
    const suffix = fqdn.slice(1);
    return { fqdn, services: [...byHost.entries()].filter(([h]) => h.endsWith(suffix)).map(([, s]) => s) };
  }
  const s = byHost.get(fqdn.toLowerCase());
  return { fqdn, services: s ? [s] : [] };
}

// ---------------------------------------------------------------------------------------------------------------
// PeerAuthentication and the effective inbound mTLS mode

export type MtlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';

export interface PeerAuthentication {
  readonly resource: Resource;
  /** matchLabels when non-empty (an empty selector is no selector). */
  readonly selector?: Readonly<Record<string, string>>;
  /** The mode, or undefined when `mtls` is absent or UNSET (inherit). Unknown strings are kept as they are. */
  readonly mode?: string;
  readonly modePath: Path;
  readonly ports: readonly { readonly key: string; readonly number?: number; readonly mode?: string; readonly path: Path }[];
  readonly scope: 'mesh' | 'namespace' | 'workload' | 'ignored';
}

function readMode(value: unknown): string | undefined {
  const mode = str(value);
  return mode === undefined || mode === 'UNSET' ? undefined : mode;
}

export function peerAuthentications(graph: Graph, mesh: MeshSettings): readonly PeerAuthentication[] {
  return graph.memo('istio:peerAuthentications', (g) =>
    istioResources(g, 'PeerAuthentication').map((resource) => {
      const spec = obj(resource.body.spec);
      const labels = strMap(get(spec, 'selector', 'matchLabels'));
      const selector = Object.keys(labels).length ? labels : undefined;
      const root = resource.namespace === mesh.rootNamespace;
      const scope = selector ? (root ? 'ignored' : 'workload') : root ? 'mesh' : 'namespace';
      const ports = Object.entries(obj(spec.portLevelMtls)).map(([key, value]) => ({
        key,
        number: portNumber(key),
        mode: readMode(get(value, 'mode')),
        path: ['spec', 'portLevelMtls', key] as Path,
      }));
      return { resource, selector, mode: readMode(get(spec, 'mtls', 'mode')), modePath: ['spec', 'mtls', 'mode'], ports, scope } satisfies PeerAuthentication;
    }),
  );
}

function peerAuthByNamespace(graph: Graph, mesh: MeshSettings): Map<string, PeerAuthentication[]> {
  return graph.memo('istio:peerAuthByNamespace', (g) => groupBy(peerAuthentications(g, mesh), (p) => p.resource.namespace));
}

export interface EffectiveMtls {
  /** The mode for ports without a port-level entry. */
  readonly mode: MtlsMode;
  /** The policy whose mode decided it (undefined: nothing set a mode, so Istio's default PERMISSIVE). */
  readonly decidedBy?: PeerAuthentication;
  readonly workloadPolicy?: PeerAuthentication;
  /** Scopes where several policies compete for this workload: Istio keeps the oldest, which manifests do not show. */
  readonly conflicts: readonly { readonly scope: 'mesh' | 'namespace' | 'workload'; readonly policies: readonly PeerAuthentication[] }[];
  readonly ambient: boolean;
}

function creationTime(p: PeerAuthentication): number | undefined {
  const t = str(get(p.resource.body, 'metadata', 'creationTimestamp'));
  const ms = t === undefined ? NaN : Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Istio keeps the oldest policy of a scope (creationTimestamp, then name); ties are undecidable from manifests. */
function oldest(all: readonly PeerAuthentication[]): { winner?: PeerAuthentication; conflict: boolean } {
  const list = distinctByName(all);
  if (list.length <= 1) return { winner: list[0], conflict: false };
  const times = list.map(creationTime);
  const sorted = [...list].sort((a, b) => (creationTime(a) ?? 0) - (creationTime(b) ?? 0) || (a.resource.name < b.resource.name ? -1 : a.resource.name > b.resource.name ? 1 : 0));
  const decidable = times.every((t) => t !== undefined) && new Set(times).size === times.length;
  return { winner: sorted[0], conflict: !decidable };
}

/** The same namespace/name twice is one object applied twice (the later file wins), not two competing policies. */
export function distinctByName(list: readonly PeerAuthentication[]): PeerAuthentication[] {
  return [...new Map(list.map((p) => [p.resource.name, p])).values()];
}

function normalize(mode: string | undefined, ambient: boolean): MtlsMode | undefined {
  if (mode === 'STRICT' || mode === 'PERMISSIVE') return mode;
  if (mode === 'DISABLE') return ambient ? 'PERMISSIVE' : 'DISABLE';
  return undefined; // unknown values: schema-invalid reports them; Istio rejects the resource
}

/** The workload's inbound mTLS, composed as istiod's ComposePeerAuthentication does. */
export function effectiveMtls(graph: Graph, mesh: MeshSettings, w: Workload): EffectiveMtls {
  return graph.memoFor('istio:effectiveMtls', w, () => computeEffective(graph, mesh, w));
}

function computeEffective(graph: Graph, mesh: MeshSettings, w: Workload): EffectiveMtls {
  const byNs = peerAuthByNamespace(graph, mesh);
  const ambient = membership(graph, mesh, w).dataplane === 'ambient';
  const meshCands = (byNs.get(mesh.rootNamespace) ?? []).filter((p) => p.scope === 'mesh');
  const own = w.namespace === mesh.rootNamespace ? [] : byNs.get(w.namespace) ?? [];
  const nsCands = own.filter((p) => p.scope === 'namespace');
  const wlCands = own.filter((p) => p.scope === 'workload' && Object.entries(p.selector!).every(([k, v]) => w.pod.labels[k] === v));
  const conflicts: { scope: 'mesh' | 'namespace' | 'workload'; policies: PeerAuthentication[] }[] = [];
  const pick = (scope: 'mesh' | 'namespace' | 'workload', list: PeerAuthentication[]) => {
    const { winner, conflict } = oldest(list);
    if (conflict) conflicts.push({ scope, policies: distinctByName(list) });
    return winner;
  };
  const meshPolicy = pick('mesh', meshCands);
  const nsPolicy = pick('namespace', nsCands);
  const wlPolicy = pick('workload', wlCands);
  let mode: MtlsMode = 'PERMISSIVE';
  let decidedBy: PeerAuthentication | undefined;
  for (const p of [meshPolicy, nsPolicy, wlPolicy]) {
    const m = p && normalize(p.mode, ambient);
    if (p && m) {
      mode = m;
      decidedBy = p;
    }
  }
  return { mode, decidedBy, workloadPolicy: wlPolicy, conflicts, ambient };
}

/** The mode for one container port: the winning workload policy's portLevelMtls entry, else the workload mode. */
export function portMtls(e: EffectiveMtls, port: number): { mode: MtlsMode; decidedBy?: PeerAuthentication; path?: Path } {
  const entry = e.workloadPolicy?.ports.find((p) => p.number === port);
  const m = entry && normalize(entry.mode, e.ambient);
  if (entry && m) return { mode: m, decidedBy: e.workloadPolicy, path: entry.path };
  return { mode: e.mode, decidedBy: e.decidedBy };
}

/** Workloads of the repo a PeerAuthentication could apply to (its scope and selector; not whether it wins). */
export function peerAuthWorkloads(graph: Graph, mesh: MeshSettings, p: PeerAuthentication): readonly Workload[] {
  switch (p.scope) {
    case 'mesh':
      return graph.whole.workloads;
    case 'namespace':
      return graph.workloadsIn(p.resource.namespace);
    case 'workload':
      return graph.selectWorkloads(p.resource.namespace, p.selector);
    default:
      return [];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// AuthorizationPolicy and RequestAuthentication selection

export interface PolicyScope {
  readonly resource: Resource;
  readonly selector?: Readonly<Record<string, string>>;
  /** targetRef(s): the policy is for waypoints / Gateway-API gateways; sidecars ignore it (policyattachment.go). */
  readonly targetRefs: boolean;
}

export function policyScope(resource: Resource): PolicyScope {
  const spec = obj(resource.body.spec);
  const labels = strMap(get(spec, 'selector', 'matchLabels'));
  return {
    resource,
    selector: Object.keys(labels).length ? labels : undefined,
    targetRefs: spec.targetRef !== undefined || arr(spec.targetRefs).length > 0,
  };
}

/**
 * Workloads an AuthorizationPolicy or RequestAuthentication applies to: its namespace (all of them when it is the
 * root namespace), narrowed by the selector (which in the root namespace matches in every namespace, unlike
 * PeerAuthentication). Policies with targetRefs do not apply to sidecars.
 */
export function selectedWorkloads(graph: Graph, mesh: MeshSettings, scope: PolicyScope): readonly Workload[] {
  if (scope.targetRefs) return [];
  const ns = scope.resource.namespace;
  const sel = scope.selector;
  const matches = (w: Workload) => !sel || Object.entries(sel).every(([k, v]) => w.pod.labels[k] === v);
  if (ns === mesh.rootNamespace) return graph.whole.workloads.filter(matches);
  return graph.workloadsIn(ns).filter(matches);
}

/** Whether the repo holds the workloads a policy could apply to (so "selects nothing" is meaningful). */
export function scopeWorkloadsKnown(graph: Graph, mesh: MeshSettings, resource: Resource): boolean {
  return resource.namespace === mesh.rootNamespace ? graph.whole.workloads.length > 0 : graph.workloadsIn(resource.namespace).length > 0;
}

export interface AuthorizationPolicy extends PolicyScope {
  /** ALLOW (default), DENY, CUSTOM, AUDIT, or whatever string the manifest holds. */
  readonly action: string;
  /** spec.rules as written; undefined when absent (allow-nothing for ALLOW). */
  readonly rules?: readonly unknown[];
  readonly dryRun: boolean;
}

export function authorizationPolicies(graph: Graph): readonly AuthorizationPolicy[] {
  return graph.memo('istio:authorizationPolicies', (g) =>
    istioResources(g, 'AuthorizationPolicy').map((resource) => {
      const spec = obj(resource.body.spec);
      return {
        ...policyScope(resource),
        action: str(spec.action) ?? 'ALLOW',
        rules: Array.isArray(spec.rules) ? spec.rules : undefined,
        dryRun: resource.annotations['istio.io/dry-run'] === 'true',
      };
    }),
  );
}

/** Workload -> the AuthorizationPolicies that apply to it. */
export function policiesFor(graph: Graph, mesh: MeshSettings, w: Workload): readonly AuthorizationPolicy[] {
  const index = graph.memo('istio:policiesByWorkload', (g) => {
    const map = new Map<Workload, AuthorizationPolicy[]>();
    for (const p of authorizationPolicies(g)) {
      for (const sw of selectedWorkloads(g, mesh, p)) {
        const list = map.get(sw);
        if (list) list.push(p);
        else map.set(sw, [p]);
      }
    }
    return map;
  });
  return index.get(w) ?? [];
}

/** The source fields whose values are peer identities (need mTLS), and their negations. */
export const MTLS_SOURCE_FIELDS = ['principals', 'namespaces', 'serviceAccounts', 'notPrincipals', 'notNamespaces', 'notServiceAccounts'] as const;
export const MTLS_CONDITION_KEYS = ['source.principal', 'source.namespace', 'source.serviceAccount', 'source.trustDomain'] as const;

export interface SourceValue {
  readonly field: string;
  readonly value: string;
  /** Path relative to the policy resource. */
  readonly path: Path;
  readonly ruleIndex: number;
}

/** Every string of `rules[].from[].source.<field>` (and of `when` conditions on the given keys). */
export function sourceValues(policy: AuthorizationPolicy, fields: readonly string[], whenKeys: readonly string[] = []): SourceValue[] {
  const out: SourceValue[] = [];
  (policy.rules ?? []).forEach((rule, r) => {
    arr(get(rule, 'from')).forEach((from, f) => {
      const source = obj(get(from, 'source'));
      for (const field of fields) {
        arr(source[field]).forEach((v, i) => {
          if (typeof v === 'string') out.push({ field, value: v, path: ['spec', 'rules', r, 'from', f, 'source', field, i], ruleIndex: r });
        });
      }
    });
    arr(get(rule, 'when')).forEach((cond, c) => {
      const key = str(get(cond, 'key'));
      if (!key || !whenKeys.includes(key)) return;
      for (const valuesField of ['values', 'notValues']) {
        arr(get(cond, valuesField)).forEach((v, i) => {
          if (typeof v === 'string') out.push({ field: valuesField === 'values' ? key : `not ${key}`, value: v, path: ['spec', 'rules', r, 'when', c, valuesField, i], ruleIndex: r });
        });
      }
    });
  });
  return out;
}

/** A rule with no from, to nor when: it matches every request. */
export function isEmptyRule(rule: unknown): boolean {
  return isObj(rule) && rule.from === undefined && rule.to === undefined && rule.when === undefined;
}

/** `DENY` with a rule `from: [{source: {notPrincipals: ["*"]}}]` and nothing else: Istio's "require mTLS" pattern. */
export function requiresMtlsByDeny(policy: AuthorizationPolicy): boolean {
  if (policy.action !== 'DENY' || policy.dryRun) return false;
  return (policy.rules ?? []).some((rule) => {
    if (!isObj(rule) || rule.to !== undefined || rule.when !== undefined) return false;
    const froms = arr(rule.from);
    return froms.length > 0 && froms.every((f) => {
      const source = obj(get(f, 'source'));
      const keys = Object.keys(source);
      return keys.length === 1 && (keys[0] === 'notPrincipals' || keys[0] === 'notNamespaces') && arr(source[keys[0]]).includes('*');
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Principals -> ServiceAccounts and workloads

/** `<trust-domain>/ns/<namespace>/sa/<service-account>` without wildcards. */
export function parsePrincipal(principal: string): { trustDomain: string; namespace: string; serviceAccount: string } | undefined {
  if (principal.includes('*')) return undefined;
  const m = /^([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(principal);
  return m ? { trustDomain: m[1], namespace: m[2], serviceAccount: m[3] } : undefined;
}

export function serviceAccountOf(w: Workload): string {
  return str(w.pod.spec.serviceAccountName) ?? str(w.pod.spec.serviceAccount) ?? 'default';
}

export interface NamespaceIdentities {
  /** Service account names the repo shows for the namespace: ServiceAccount objects and workloads' serviceAccountName. */
  readonly names: ReadonlySet<string>;
  /** Whether the repo holds ServiceAccounts or workloads of the namespace at all. */
  readonly known: boolean;
}

export function namespaceIdentities(graph: Graph, namespace: string): NamespaceIdentities {
  const index = graph.memo('istio:identities', (g) => {
    const map = new Map<string, Set<string>>();
    const add = (ns: string, name: string) => {
      if (!name) return;
      if (!map.has(ns)) map.set(ns, new Set(['default']));
      map.get(ns)!.add(name);
    };
    for (const sa of g.ofKind('ServiceAccount', '')) add(sa.namespace, sa.name);
    for (const w of g.workloads) add(w.namespace, serviceAccountOf(w));
    return map;
  });
  const names = index.get(namespace);
  return { names: names ?? new Set(), known: names !== undefined };
}

/** Principal -> the ServiceAccount object and the workloads running under it. */
export function principalTargets(graph: Graph, namespace: string, serviceAccount: string): { serviceAccount?: Resource; workloads: readonly Workload[] } {
  const bySa = graph.memo('istio:workloadsBySa', (g) => groupBy(g.workloads, (w) => `${w.namespace}/${serviceAccountOf(w)}`));
  return { serviceAccount: graph.find('ServiceAccount', namespace, serviceAccount), workloads: bySa.get(`${namespace}/${serviceAccount}`) ?? [] };
}

// ---------------------------------------------------------------------------------------------------------------
// Namespaces with workloads, and where a namespace-level finding points

/** Namespaces the repo holds workloads of, each with the resource a namespace finding is reported on. */
export function workloadNamespaces(graph: Graph): readonly { namespace: string; anchor: Resource; workloads: readonly Workload[] }[] {
  return graph.memo('istio:workloadNamespaces', (g) =>
    [...groupBy(g.workloads, (w) => w.namespace).entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([namespace, workloads]) => ({ namespace, anchor: g.namespace(namespace) ?? workloads[0], workloads })),
  );
}

/** "Deployment shop/web, Deployment shop/api (+3 more)": names for messages. */
export function nameList(resources: readonly Resource[], max = 3): string {
  const names = resources.slice(0, max).map((r) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name || '(unnamed)'}`);
  return resources.length > max ? `${names.join(', ')} (+${resources.length - max} more)` : names.join(', ');
}
