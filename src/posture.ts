// The mesh's posture as plain data, for reports that show more than findings (the HTML page): the effective mTLS
// mode of every workload port with the policy that decided it, who may call whom (Istio and Linkerd authorization),
// the entry points (Envoy listeners, Kong routes) with their TLS, authentication and rate-limit status, and what
// was not linted. Built once per scan from the model's views; reporters read it and never the graph. This module
// is the one place that turns model objects into report data, so it is the only report-side importer of the model.
import { keptDocuments, type SourceFile } from './parse/source.js';
import type { LocationRequest, Finding } from './engine/run.js';
import type { LocationMemo } from './location/memo.js';
import type { Settings } from './engine/rule.js';
import type { Graph } from './model/graph.js';
import { describe, type Resource, type Workload } from './model/resource.js';
import { arr, get, obj, str, type Path } from './model/values.js';
import {
  authorizationPolicies,
  effectiveMtls,
  inboundCaptured,
  isEmptyRule,
  membership,
  parsePrincipal,
  portList,
  portMtls,
  principalTargets,
  selectedWorkloads,
  serviceAccountOf,
  workloadPorts,
  type PeerAuthentication,
} from './model/istio/index.js';
import {
  DEFAULT_INBOUND_POLICY,
  SKIP_PORT_ANNOTATIONS,
  linkerdDefaultPolicy,
  linkerdInjected,
  linkerdResources,
  meshTlsIdentities,
  serverWorkloads,
} from './model/linkerd/index.js';
import { child, envoyListeners, formatAddress, type ListenerView, RATE_LIMIT_FILTERS } from './model/envoy/index.js';
import {
  AUTH_PLUGINS,
  RATE_LIMIT_PLUGINS,
  coversRoute,
  isHttpRoute,
  kongRoutes,
  type KongRouteView,
} from './model/kong/index.js';
import { findingExcerpts } from './excerpts.js';
import { compareText } from './arrays.js';

export const POSTURE_VERSION = 1;

/** A place in the repository: shown as file:line. Views refer to sites by their index in `Posture.sites`. */
export interface Site {
  readonly file: string;
  readonly line: number;
}

/** The effective inbound mode of a port, or why no mode applies. */
export type PortMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE' | 'outside' | 'bypassed' | 'gateway' | 'unknown';
export const PORT_MODES: readonly PortMode[] = [
  'STRICT',
  'PERMISSIVE',
  'DISABLE',
  'bypassed',
  'gateway',
  'outside',
  'unknown',
];

export interface PortPosture {
  /** The container port; null for a workload that declares none (the workload-wide mode). */
  readonly port: number | null;
  readonly name?: string;
  readonly container?: string;
  readonly mode: PortMode;
  /** Why, in a sentence. */
  readonly why: string;
  /** The policy (or annotation) that decided the mode, and where. */
  readonly decidedBy?: { readonly name: string; readonly at: number };
}

export interface WorkloadPosture {
  /** Kind/namespace/name (a repository may define the same object in several files: `at` tells them apart). */
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly at: number;
  readonly mesh: 'istio-sidecar' | 'istio-ambient' | 'linkerd' | 'none' | 'unknown';
  readonly serviceAccount: string;
  readonly ports: readonly PortPosture[];
}

export interface NamespacePosture {
  readonly name: string;
  readonly workloads: readonly WorkloadPosture[];
}

export type SourceKind = 'any' | 'authenticated' | 'unauthenticated' | 'principal' | 'namespace' | 'jwt' | 'network';

/** A caller in the authorization graph. */
export interface AuthzSource {
  readonly id: string;
  readonly kind: SourceKind;
  readonly label: string;
  /** Matches more than one named identity: `*`, a pattern, any namespace, every address. */
  readonly wildcard: boolean;
  /** The namespace the caller belongs to, when its identity names one (lets a large graph fold per namespace). */
  readonly namespace?: string;
  /** Workload ids running as this principal, when the scan holds them. */
  readonly workloads?: readonly string[];
}

/** One policy rule: its sources may call its targets (ALLOW), or are refused (DENY). */
export interface AuthzGrant {
  readonly system: 'istio' | 'linkerd';
  readonly policy: string;
  readonly at: number;
  /** ALLOW, DENY, CUSTOM, AUDIT (Linkerd policies are ALLOW). */
  readonly action: string;
  readonly dryRun: boolean;
  /** The rule matches every request (no from, to nor when). */
  readonly allowAll: boolean;
  /** The rule narrows requests further (to operations, when conditions). */
  readonly conditional: boolean;
  readonly sources: readonly string[];
  readonly targets: readonly string[];
}

export interface AuthzPosture {
  readonly sources: readonly AuthzSource[];
  readonly grants: readonly AuthzGrant[];
  /** Workloads an ALLOW policy without rules selects: nothing may call them. */
  readonly allowNothing: readonly { readonly workload: string; readonly policy: string; readonly at: number }[];
}

/** 'yes' with what provides it, 'no', 'partial' (some chains or protocols only), 'unknown', 'n/a'. */
export interface Status {
  readonly state: 'yes' | 'no' | 'partial' | 'unknown' | 'n/a';
  readonly detail: string;
}

export interface EntryPoint {
  readonly kind: 'envoy-listener' | 'kong-route';
  readonly name: string;
  /** Addresses of a listener; protocols, hosts and paths of a route. */
  readonly match: string;
  readonly local: boolean;
  readonly tls: Status;
  readonly auth: Status;
  readonly rateLimit: Status;
  readonly at: number;
}

export interface Posture {
  readonly version: number;
  readonly rootNamespace: string;
  readonly sites: readonly Site[];
  readonly namespaces: readonly NamespacePosture[];
  readonly authz: AuthzPosture;
  readonly entryPoints: readonly EntryPoint[];
  /** Documents that parsed but that no reader recognised (not Kubernetes, Envoy nor Kong), per file. */
  readonly unrecognised: readonly { readonly file: string; readonly documents: number }[];
  /** Source lines of the reported findings, by "file:line"; lines that hold a secret are replaced. */
  readonly excerpts: Readonly<Record<string, string>>;
}

export { REDACTED_LINE } from './excerpts.js';

export interface PostureDraft {
  /** Where the posture's sites must be located; resolve them with the findings' (parser threads) before finish(). */
  readonly requests: readonly LocationRequest[];
  /**
   * Resolves the sites and adds the excerpts of `reported` findings. `all` are every finding of the run (suppressed
   * and baselined ones included): a line any secret finding covers is never shown.
   */
  finish(all: readonly Finding[], reported: readonly Finding[], secretRules: ReadonlySet<string>): Posture;
}

export function draftPosture(
  graph: Graph,
  files: readonly SourceFile[],
  settings: Settings,
  locations: LocationMemo,
): PostureDraft {
  const mesh = settings.mesh;
  const pending: { resource: Resource; path: Path }[] = [];
  const siteIndex = new Map<Resource, Map<string, number>>();
  const site = (resource: Resource, path: Path = resource.anchor): number => {
    let byPath = siteIndex.get(resource);
    if (!byPath) siteIndex.set(resource, (byPath = new Map()));
    const key = path.join('\0');
    let index = byPath.get(key);
    if (index === undefined) {
      index = pending.length;
      pending.push({ resource, path });
      byPath.set(key, index);
    }
    return index;
  };
  const idOf = (w: Resource) => `${w.kind}/${w.namespace}/${w.name}`;

  // mTLS map
  const byNamespace = new Map<string, WorkloadPosture[]>();
  for (const w of graph.workloads) {
    const list = byNamespace.get(w.namespace) ?? [];
    list.push(workloadPosture(graph, settings, w, site, idOf(w)));
    byNamespace.set(w.namespace, list);
  }
  const namespaces = [...byNamespace.entries()]
    .sort(([a], [b]) => naturalCompare(a, b))
    .map(([name, workloads]) => ({
      name,
      workloads: workloads.sort((a, b) => naturalCompare(a.name, b.name) || compareText(a.kind, b.kind)),
    }));

  const authz = authzPosture(graph, settings, site, idOf);
  const entryPoints = [
    ...envoyListeners(graph).map((l) => listenerEntry(l, site)),
    ...kongRoutes(graph).map((r) => routeEntry(r, site)),
  ];

  const unrecognised: { file: string; documents: number }[] = [];
  const recognised = new Set(graph.resources.map((r) => r.source.document));
  for (const file of files) {
    // Documents not kept are of no format (nothing reads them), and none is empty.
    const count =
      keptDocuments(file).filter((d) => d.value !== undefined && d.value !== null && !recognised.has(d)).length +
      (file.unkeptDocuments ?? 0);
    if (count) unrecognised.push({ file: file.path, documents: count });
  }

  const requests: LocationRequest[] = pending.map(({ resource, path }) => ({
    file: resource.source.file,
    document: resource.source.document,
    path: [...resource.source.base, ...path],
    target: 'key',
  }));

  return {
    requests,
    finish(all, reported, secretRules) {
      const sites = requests.map((r) => ({
        file: r.file.path,
        line: locations.locate(r.file, r.document, r.path, r.target).range.startLine,
      }));
      const byPath = new Map(files.map((f) => [f.path, f.text]));
      const excerpts = findingExcerpts((path) => byPath.get(path), all, reported, secretRules);
      return {
        version: POSTURE_VERSION,
        rootNamespace: mesh.rootNamespace,
        sites,
        namespaces,
        authz,
        entryPoints,
        unrecognised,
        excerpts,
      };
    },
  };
}

/** team-2 before team-10: runs of digits compare as numbers (deterministic, no locale). */
function naturalCompare(a: string, b: string): number {
  const x = a.split(/(\d+)/);
  const y = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const order = i % 2 === 1 ? Number(x[i]) - Number(y[i]) || compareText(x[i], y[i]) : compareText(x[i], y[i]);
    if (order) return order;
  }
  return x.length - y.length;
}

// ---------------------------------------------------------------------------------------------------------------
// mTLS per workload port

type SiteOf = (resource: Resource, path?: Path) => number;

// The capture annotations inboundCaptured reads.
const INCLUDE_INBOUND = 'traffic.sidecar.istio.io/includeInboundPorts';
const EXCLUDE_INBOUND = 'traffic.sidecar.istio.io/excludeInboundPorts';

function workloadPosture(graph: Graph, settings: Settings, w: Workload, site: SiteOf, id: string): WorkloadPosture {
  const m = membership(graph, settings.mesh, w);
  const istio = m.dataplane === 'sidecar' || m.dataplane === 'ambient';
  const linkerd = !istio && linkerdInjected(graph, w);
  const mesh: WorkloadPosture['mesh'] =
    m.dataplane === 'sidecar'
      ? 'istio-sidecar'
      : m.dataplane === 'ambient'
        ? 'istio-ambient'
        : linkerd
          ? 'linkerd'
          : m.dataplane === 'unknown'
            ? 'unknown'
            : 'none';
  const declared = workloadPorts(w);
  const ports: readonly ((typeof declared)[number] | undefined)[] = declared.length ? declared : [undefined];
  const base = {
    kind: w.kind,
    name: w.name,
    namespace: w.namespace,
    id,
    at: site(w),
    mesh,
    serviceAccount: serviceAccountOf(w),
  };
  return {
    ...base,
    ports: ports.map((p): PortPosture => {
      const port = p
        ? { port: p.number, ...(p.name ? { name: p.name } : {}), container: p.container.name }
        : { port: null };
      if (istio) {
        if (m.gateway)
          return {
            ...port,
            mode: 'gateway',
            why: 'An Istio gateway pod: PeerAuthentication does not govern its listeners; its Gateway resources do.',
          };
        if (p && m.dataplane === 'sidecar' && !inboundCaptured(w, p.number)) {
          const key = portList(w.pod.annotations[EXCLUDE_INBOUND]).includes(p.number)
            ? EXCLUDE_INBOUND
            : INCLUDE_INBOUND;
          return {
            ...port,
            mode: 'bypassed',
            why: `Inbound traffic to port ${p.number} does not reach the sidecar (${key}): no mTLS, no policy.`,
            decidedBy: { name: describe(w), at: site(w, [...w.pod.path, 'metadata', 'annotations', key]) },
          };
        }
        const e = effectiveMtls(graph, settings.mesh, w);
        const pm = p ? portMtls(e, p.number) : { mode: e.mode, decidedBy: e.decidedBy, path: undefined };
        const conflict = e.conflicts.length
          ? ` Several policies compete at the ${e.conflicts.map((c) => c.scope).join(' and ')} scope; Istio keeps the oldest, which the manifests do not show.`
          : '';
        const ambient = m.dataplane === 'ambient' ? ' (ambient: ztunnel)' : '';
        if (!pm.decidedBy)
          return {
            ...port,
            mode: pm.mode,
            why: `No PeerAuthentication sets a mode for it: Istio's default, PERMISSIVE${ambient}.${conflict}`,
          };
        return {
          ...port,
          mode: pm.mode,
          why: `Set by ${scopeText(pm.decidedBy, Boolean(pm.path))}${ambient}. In the mesh because ${m.reason}.${conflict}`,
          decidedBy: {
            name: describe(pm.decidedBy.resource),
            at: site(pm.decidedBy.resource, pm.path ?? pm.decidedBy.modePath),
          },
        };
      }
      if (linkerd)
        return { ...port, ...linkerdPort(graph, w, p?.number, site, settings.mesh.linkerdDefaultInboundPolicy) };
      if (m.dataplane === 'unknown')
        return {
          ...port,
          mode: 'unknown',
          why: `Mesh membership unknown: ${m.reason} (set mesh.assumeInjected, or add the Namespace).`,
        };
      return { ...port, mode: 'outside', why: `Outside the mesh: ${m.reason}.` };
    }),
  };
}

function scopeText(p: PeerAuthentication, portLevel: boolean): string {
  if (portLevel) return `the port-level entry (portLevelMtls) of the workload's PeerAuthentication`;
  return p.scope === 'mesh'
    ? 'the mesh-wide PeerAuthentication (root namespace, no selector)'
    : p.scope === 'namespace'
      ? 'the namespace-wide PeerAuthentication (no selector)'
      : `the workload's PeerAuthentication (selector)`;
}

/** Linkerd: meshed clients always use mTLS, but the proxy accepts plaintext unless the inbound policy requires identity. */
const SKIP_INBOUND_PORTS = SKIP_PORT_ANNOTATIONS[0];

function linkerdPort(
  graph: Graph,
  w: Workload,
  port: number | undefined,
  site: SiteOf,
  configuredDefault: string | undefined,
): Pick<PortPosture, 'mode' | 'why' | 'decidedBy'> {
  const ns = graph.namespace(w.namespace);
  // The pod template's annotation wins over the namespace's (the proxy injector copies the namespace's when unset).
  const annotation = (name: string) => {
    const own = w.pod.annotations[name];
    if (own !== undefined)
      return { value: own, holder: w as Resource, path: [...w.pod.path, 'metadata', 'annotations', name] };
    const value = ns && str(ns.annotations[name]);
    return value !== undefined && ns ? { value, holder: ns, path: ['metadata', 'annotations', name] } : undefined;
  };
  const skip = annotation(SKIP_INBOUND_PORTS);
  if (skip && port !== undefined && portList(skip.value).includes(port)) {
    return {
      mode: 'bypassed',
      why: `Port ${port} skips the Linkerd proxy (${SKIP_INBOUND_PORTS}): no mTLS, no policy.`,
      decidedBy: { name: describe(skip.holder), at: site(skip.holder, skip.path) },
    };
  }
  const policy = annotation(DEFAULT_INBOUND_POLICY);
  // No annotation: the cluster default (configured, the repository's Linkerd install, else all-unauthenticated).
  const cluster = policy ? undefined : linkerdDefaultPolicy(graph, w, configuredDefault);
  const value = policy?.value ?? cluster?.policy;
  const holder = policy
    ? { resource: policy.holder, path: policy.path }
    : cluster?.resource && { resource: cluster.resource, path: cluster.path ?? [] };
  const decidedBy = holder && { name: describe(holder.resource), at: site(holder.resource, holder.path) };
  const strict = value === 'all-authenticated' || value === 'cluster-authenticated' || value === 'deny';
  const what = cluster
    ? `no default-inbound-policy annotation, so the cluster default applies: ${value}, set by ${cluster.describe}`
    : `default inbound policy ${value}`;
  const why = strict
    ? `Linkerd: ${what}: only callers with a mesh identity (or none, for deny) where no Server says otherwise.`
    : `Linkerd: ${what}: plaintext callers are accepted where no Server says otherwise.`;
  return { mode: strict ? 'STRICT' : 'PERMISSIVE', why, ...(decidedBy ? { decidedBy } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// Authorization graph

function authzPosture(graph: Graph, settings: Settings, site: SiteOf, idOf: (r: Resource) => string): AuthzPosture {
  const sources = new Map<string, AuthzSource>();
  const source: AddSource = (kind, label, wildcard, workloads, namespace) => {
    const id = `${kind}:${label}`;
    if (!sources.has(id))
      sources.set(id, {
        id,
        kind,
        label,
        wildcard,
        ...(namespace ? { namespace } : {}),
        ...(workloads?.length ? { workloads: workloads.map(idOf) } : {}),
      });
    return id;
  };
  const principal = (value: string): string => {
    if (value === '*') return source('authenticated', 'any mesh identity', true);
    const parsed = parsePrincipal(value);
    const workloads = parsed ? principalTargets(graph, parsed.namespace, parsed.serviceAccount).workloads : undefined;
    return source(
      'principal',
      value,
      value.includes('*'),
      workloads,
      parsed?.namespace ?? /\/ns\/([^/*]+)\//.exec(value)?.[1],
    );
  };
  const grants: AuthzGrant[] = [];
  const allowNothing: AuthzPosture['allowNothing'][number][] = [];

  for (const p of authorizationPolicies(graph)) {
    const targets = selectedWorkloads(graph, settings.mesh, p);
    if (!targets.length) continue;
    const name = describe(p.resource);
    if (!p.rules || p.rules.length === 0) {
      if (p.action === 'ALLOW')
        for (const t of targets) allowNothing.push({ workload: idOf(t), policy: name, at: site(p.resource, ['spec']) });
      continue;
    }
    p.rules.forEach((rule, r) => {
      const ids: string[] = [];
      const froms = arr(get(rule, 'from'));
      if (froms.length === 0) ids.push(source('any', 'anyone (no source condition)', true));
      froms.forEach((from) => {
        const s = obj(get(from, 'source'));
        let named = false;
        const each = (field: string, add: (v: string) => string) => {
          for (const v of arr(s[field]))
            if (typeof v === 'string') {
              ids.push(add(v));
              named = true;
            }
        };
        each('principals', principal);
        each('namespaces', (v) =>
          source(
            'namespace',
            v === '*' ? 'any namespace' : v,
            v.includes('*'),
            undefined,
            v.includes('*') ? undefined : v,
          ),
        );
        each('requestPrincipals', (v) => source('jwt', v === '*' ? 'any JWT' : v, v.includes('*')));
        each('ipBlocks', (v) => source('network', v, /\/0$/.test(v)));
        each('remoteIpBlocks', (v) => source('network', v, /\/0$/.test(v)));
        if (arr(s.notPrincipals).includes('*') || arr(s.notRequestPrincipals).includes('*')) {
          ids.push(source('unauthenticated', 'unauthenticated callers', true));
          named = true;
        }
        if (!named) ids.push(source('any', 'anyone (other source conditions)', true));
      });
      grants.push({
        system: 'istio',
        policy: name,
        at: site(p.resource, ['spec', 'rules', r]),
        action: p.action,
        dryRun: p.dryRun,
        allowAll: isEmptyRule(rule),
        conditional: get(rule, 'to') !== undefined || get(rule, 'when') !== undefined,
        sources: [...new Set(ids)],
        targets: targets.map(idOf),
      });
    });
  }

  linkerdGrants(graph, site, idOf, source, grants);
  const sorted = [...sources.values()].sort((a, b) => compareText(a.kind, b.kind) || naturalCompare(a.label, b.label));
  return { sources: sorted, grants, allowNothing };
}

type AddSource = (
  kind: SourceKind,
  label: string,
  wildcard: boolean,
  workloads?: readonly Workload[],
  namespace?: string,
) => string;

function linkerdGrants(
  graph: Graph,
  site: SiteOf,
  idOf: (r: Resource) => string,
  source: AddSource,
  grants: AuthzGrant[],
): void {
  const serviceAccount = (namespace: string, name: string) =>
    source(
      'principal',
      `${namespace}/sa/${name}`,
      false,
      principalTargets(graph, namespace, name).workloads,
      namespace,
    );
  // Linkerd identities read <sa>.<ns>.serviceaccount.identity.linkerd.<trust domain>.
  const identity = (v: string) =>
    v === '*'
      ? source('authenticated', 'any mesh identity', true)
      : source('principal', v, v.includes('*'), undefined, /^[^.]+\.([^.*]+)\.serviceaccount\./.exec(v)?.[1]);
  const network = (cidr: string) => source('network', cidr, /\/0$/.test(cidr));
  const grant = (resource: Resource, path: Path, ids: string[], targets: readonly Workload[]) => {
    if (!targets.length || !ids.length) return;
    grants.push({
      system: 'linkerd',
      policy: describe(resource),
      at: site(resource, path),
      action: 'ALLOW',
      dryRun: false,
      allowAll: ids.some((id) => id.startsWith('unauthenticated:') || id === 'network:0.0.0.0/0'),
      conditional: false,
      sources: [...new Set(ids)],
      targets: targets.map(idOf),
    });
  };
  const servers = (namespace: string, name: string) =>
    linkerdResources(graph, 'Server').filter((s) => s.namespace === namespace && s.name === name);

  for (const sa of linkerdResources(graph, 'ServerAuthorization')) {
    const spec = obj(sa.body.spec);
    const serverName = str(get(spec, 'server', 'name'));
    const selector = get(spec, 'server', 'selector');
    const selected =
      serverName !== undefined
        ? servers(sa.namespace, serverName)
        : linkerdResources(graph, 'Server').filter(
            (s) => s.namespace === sa.namespace && selector !== undefined && matchesLabels(s.labels, selector),
          );
    const targets = unique(selected.flatMap((s) => serverWorkloads(graph, s)));
    const client = obj(spec.client);
    const ids: string[] = [];
    if (client.unauthenticated === true) ids.push(source('unauthenticated', 'unauthenticated callers', true));
    for (const v of arr(get(client, 'meshTLS', 'identities'))) if (typeof v === 'string') ids.push(identity(v));
    for (const ref of arr(get(client, 'meshTLS', 'serviceAccounts'))) {
      const name = str(get(ref, 'name'));
      if (name) ids.push(serviceAccount(str(get(ref, 'namespace')) ?? sa.namespace, name));
    }
    if (get(client, 'meshTLS', 'unauthenticatedTLS') === true)
      ids.push(source('unauthenticated', 'unauthenticated TLS callers', true));
    for (const n of arr(client.networks)) {
      const cidr = str(get(n, 'cidr'));
      if (cidr) ids.push(network(cidr));
    }
    grant(sa, ['spec', 'client'], ids, targets);
  }

  for (const policy of linkerdResources(graph, 'AuthorizationPolicy')) {
    const spec = obj(policy.body.spec);
    const kind = str(get(spec, 'targetRef', 'kind'));
    const name = str(get(spec, 'targetRef', 'name')) ?? '';
    let targets: readonly Workload[] = [];
    if (kind === 'Server') targets = unique(servers(policy.namespace, name).flatMap((s) => serverWorkloads(graph, s)));
    else if (kind === 'Namespace') targets = graph.workloadsIn(name || policy.namespace);
    else if (kind === 'HTTPRoute') {
      const routes = graph.inNamespace('HTTPRoute', policy.namespace).filter((r) => r.name === name);
      const parents = routes.flatMap((r) =>
        arr(get(r.body, 'spec', 'parentRefs'))
          .map((ref) => str(get(ref, 'name')))
          .filter((n): n is string => !!n),
      );
      targets = unique(parents.flatMap((n) => servers(policy.namespace, n).flatMap((s) => serverWorkloads(graph, s))));
    }
    const ids: string[] = [];
    for (const ref of arr(spec.requiredAuthenticationRefs)) {
      const refKind = str(get(ref, 'kind'));
      const refName = str(get(ref, 'name')) ?? '';
      const refNs = str(get(ref, 'namespace')) ?? policy.namespace;
      if (refKind === 'ServiceAccount') ids.push(serviceAccount(refNs, refName));
      else if (refKind === 'MeshTLSAuthentication') {
        for (const auth of linkerdResources(graph, 'MeshTLSAuthentication').filter(
          (a) => a.namespace === refNs && a.name === refName,
        )) {
          for (const { value } of meshTlsIdentities(auth)) ids.push(identity(value));
          for (const idRef of arr(get(auth.body, 'spec', 'identityRefs'))) {
            const idKind = str(get(idRef, 'kind'));
            const idName = str(get(idRef, 'name'));
            if (idKind === 'ServiceAccount' && idName)
              ids.push(serviceAccount(str(get(idRef, 'namespace')) ?? auth.namespace, idName));
            else if (idKind === 'ServiceAccount') ids.push(source('authenticated', 'any mesh identity', true));
          }
        }
      } else if (refKind === 'NetworkAuthentication') {
        for (const auth of linkerdResources(graph, 'NetworkAuthentication').filter(
          (a) => a.namespace === refNs && a.name === refName,
        )) {
          for (const n of arr(get(auth.body, 'spec', 'networks'))) {
            const cidr = str(get(n, 'cidr'));
            if (cidr) ids.push(network(cidr));
          }
        }
      }
    }
    grant(policy, ['spec'], ids, targets);
  }
}

function matchesLabels(labels: Readonly<Record<string, string>>, selector: unknown): boolean {
  const match = obj(get(selector, 'matchLabels'));
  return Object.entries(match).every(([k, v]) => labels[k] === v);
}

function unique<T>(list: readonly T[]): T[] {
  return [...new Set(list)];
}

// ---------------------------------------------------------------------------------------------------------------
// Entry points

const ENVOY_AUTH = /\.(jwt_authn|ext_authz|rbac|oauth2|basic_auth|api_key_auth)$/;

function listenerEntry(l: ListenerView, site: SiteOf): EntryPoint {
  const chains = l.chains;
  const tlsCount = chains.filter((c) => c.transport.kind === 'tls').length;
  const mutual = chains.filter(
    (c) => c.transport.tls && child(c.transport.tls.context, 'require_client_certificate').value === true,
  ).length;
  const tls: Status =
    chains.length === 0
      ? { state: 'unknown', detail: 'no filter chains' }
      : tlsCount === chains.length
        ? { state: 'yes', detail: mutual === chains.length ? 'TLS, client certificate required' : 'TLS' }
        : tlsCount === 0
          ? { state: 'no', detail: 'plaintext' }
          : { state: 'partial', detail: `TLS on ${tlsCount} of ${chains.length} filter chains` };
  const filterNames = (isKind: (extension: string) => boolean) => {
    const names = new Set<string>();
    let http = 0;
    for (const c of chains) {
      for (const f of c.filters) if (isKind(f.extension)) names.add(short(f.extension));
      for (const h of c.hcms) {
        http++;
        for (const f of h.httpFilters) if (!f.disabled && isKind(f.extension)) names.add(short(f.extension));
      }
    }
    return { names: [...names].sort(), http };
  };
  const status = (isKind: (extension: string) => boolean, what: string): Status => {
    const { names, http } = filterNames(isKind);
    if (names.length) return { state: 'yes', detail: names.join(', ') };
    return chains.length === 0
      ? { state: 'unknown', detail: 'no filter chains' }
      : { state: 'no', detail: `no ${what} filter${http ? '' : ' (TCP proxy: network filters only)'}` };
  };
  return {
    kind: 'envoy-listener',
    name: describe(l.resource),
    match: l.addresses.map(formatAddress).join(', ') || '(no address)',
    local: l.local,
    tls,
    auth: status((extension) => ENVOY_AUTH.test(extension), 'authentication'),
    rateLimit: status((extension) => RATE_LIMIT_FILTERS.has(extension), 'rate-limit'),
    at: site(l.resource),
  };
}

function short(extension: string): string {
  return extension.replace(/^envoy\.filters\.(http|network)\./, '');
}

function routeEntry(route: KongRouteView, site: SiteOf): EntryPoint {
  const body = route.resource.body;
  const strings = (list: readonly unknown[]) => list.filter((v): v is string => typeof v === 'string');
  // decK routes carry hosts and paths; Ingress rules and HTTPRoute hostnames/matches hold them in the spec.
  const rules = arr(get(body, 'spec', 'rules'));
  const hosts = unique(
    strings([...arr(body.hosts), ...arr(get(body, 'spec', 'hostnames')), ...rules.map((r) => get(r, 'host'))]),
  );
  const paths = unique(
    strings([
      ...arr(body.paths),
      ...rules.flatMap((r) => arr(get(r, 'http', 'paths')).map((p) => get(p, 'path'))),
      ...rules.flatMap((r) => arr(get(r, 'matches')).map((m) => get(m, 'path', 'value'))),
    ]),
  );
  const match = [route.protocols.join('/'), hosts.join(' '), paths.join(' ')].filter(Boolean).join(' ');
  const plain = route.protocols.filter((p) => ['http', 'grpc', 'ws', 'tcp', 'udp'].includes(p));
  const tls: Status =
    plain.length === 0
      ? { state: 'yes', detail: route.protocols.join(', ') }
      : plain.length === route.protocols.length
        ? { state: 'no', detail: `plaintext (${plain.join(', ')})` }
        : { state: 'partial', detail: `also plaintext: ${plain.join(', ')}` };
  const plugins = (set: ReadonlySet<string>): Status => {
    if (!isHttpRoute(route)) return { state: 'n/a', detail: 'stream route' };
    const applying = route.plugins.filter((p) => set.has(p.name));
    const covering = applying.filter((p) => coversRoute(p, route));
    if (covering.length) return { state: 'yes', detail: unique(covering.map((p) => p.name)).join(', ') };
    if (applying.length)
      return { state: 'partial', detail: `${unique(applying.map((p) => p.name)).join(', ')} (not on every protocol)` };
    if (route.unresolved.length)
      return { state: 'unknown', detail: `unresolved plugins: ${route.unresolved.join(', ')}` };
    return { state: 'no', detail: `no ${set === AUTH_PLUGINS ? 'authentication' : 'rate-limit'} plugin` };
  };
  return {
    kind: 'kong-route',
    name: describe(route.resource) + (route.active ? '' : ' (service disabled)'),
    match,
    local: false,
    tls,
    auth: plugins(AUTH_PLUGINS),
    rateLimit: plugins(RATE_LIMIT_PLUGINS),
    at: site(route.resource),
  };
}
