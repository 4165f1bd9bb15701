// PeerAuthentication scopes and the effective inbound mTLS mode per (workload, container port), following istiod:
// istio/istio pilot/pkg/security/authn/policy_applier.go ComposePeerAuthentication and
// pilot/pkg/model/authentication.go.
import type { Graph } from '../graph.js';
import { policiesByWorkload } from './by-workload.js';
import { groupBy } from '../graph.js';
import type { Resource, Workload } from '../resource.js';
import { arr, get, isObj, obj, str, strMap, type Path } from '../values.js';
import { membership, portNumber } from './membership.js';
import { istioResources, type MeshSettings } from './resources.js';

export type MtlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';

export interface PeerAuthentication {
  readonly resource: Resource;
  /** matchLabels when non-empty (an empty selector is no selector). */
  readonly selector?: Readonly<Record<string, string>>;
  /** The mode, or undefined when `mtls` is absent or UNSET (inherit). Unknown strings are kept as they are. */
  readonly mode?: string;
  readonly modePath: Path;
  readonly ports: readonly {
    readonly key: string;
    readonly number?: number;
    readonly mode?: string;
    readonly path: Path;
  }[];
  readonly scope: 'mesh' | 'namespace' | 'workload' | 'ignored';
}

function readMode(value: unknown): string | undefined {
  const mode = str(value);
  return mode === undefined || mode === 'UNSET' ? undefined : mode;
}

/** Where every PeerAuthentication sets its mode: one frozen copy, not an array per policy kept for the run. */
const MODE_PATH: Path = Object.freeze(['spec', 'mtls', 'mode']);

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
      return {
        resource,
        selector,
        mode: readMode(get(spec, 'mtls', 'mode')),
        modePath: MODE_PATH,
        ports,
        scope,
      } satisfies PeerAuthentication;
    }),
  );
}

function peerAuthByNamespace(graph: Graph, mesh: MeshSettings): Map<string, PeerAuthentication[]> {
  return graph.memo('istio:peerAuthByNamespace', (g) =>
    groupBy(peerAuthentications(g, mesh), (p) => p.resource.namespace),
  );
}

export interface EffectiveMtls {
  /** The mode for ports without a port-level entry. */
  readonly mode: MtlsMode;
  /** The policy whose mode decided it (undefined: nothing set a mode, so Istio's default PERMISSIVE). */
  readonly decidedBy?: PeerAuthentication;
  readonly workloadPolicy?: PeerAuthentication;
  /** Scopes where several policies compete for this workload: Istio keeps the oldest, which manifests do not show. */
  readonly conflicts: readonly {
    readonly scope: 'mesh' | 'namespace' | 'workload';
    readonly policies: readonly PeerAuthentication[];
  }[];
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
  const sorted = [...list].sort(
    (a, b) =>
      (creationTime(a) ?? 0) - (creationTime(b) ?? 0) ||
      (a.resource.name < b.resource.name ? -1 : a.resource.name > b.resource.name ? 1 : 0),
  );
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

/** The candidates of each scope, grouped once: by namespace, and by selected workload (in policy order). */
function peerAuthCandidates(graph: Graph, mesh: MeshSettings) {
  return graph.memo('istio:peerAuthCandidates', (g) => {
    const meshWide: PeerAuthentication[] = [];
    const byNamespace = new Map<string, PeerAuthentication[]>();
    const byWorkload = new Map<Workload, readonly PeerAuthentication[]>();
    for (const [ns, list] of peerAuthByNamespace(g, mesh)) {
      const workloadScoped: PeerAuthentication[] = [];
      for (const p of list) {
        if (ns === mesh.rootNamespace) {
          if (p.scope === 'mesh') meshWide.push(p);
          continue; // a workload in the root namespace takes only mesh-wide policies
        }
        if (p.scope === 'namespace') {
          const own = byNamespace.get(ns);
          if (own) own.push(p);
          else byNamespace.set(ns, [p]);
        } else if (p.scope === 'workload') workloadScoped.push(p);
      }
      // Workloads selected by the same policies share one list of candidates (see policiesByWorkload).
      const selectedBy = policiesByWorkload(workloadScoped, (p) => g.workloadsWithLabels(p.selector!, ns));
      for (const [w, policies] of selectedBy) byWorkload.set(w, policies);
    }
    return { meshWide, byNamespace, byWorkload };
  });
}

/**
 * oldest() of one scope's candidates, and them without repeats when they compete: once per list, not per workload (a
 * namespace's list is that of each of its workloads: sorting it and copying it for each grew with their product).
 */
function scopeWinner(
  graph: Graph,
  list: readonly PeerAuthentication[],
): { readonly winner?: PeerAuthentication; readonly competing?: readonly PeerAuthentication[] } {
  if (list.length === 0) return NO_WINNER;
  if (list.length === 1) return { winner: list[0] }; // most scopes: nothing to decide, nothing kept
  return graph.memoFor('istio:scopeWinner', list, () => {
    const { winner, conflict } = oldest(list);
    return conflict ? { winner, competing: distinctByName(list) } : { winner };
  });
}

const NO_POLICIES: readonly PeerAuthentication[] = Object.freeze([]);
const NO_WINNER = Object.freeze({});

/** The usual answer: kept for the run by every workload's memo, one frozen list rather than an empty one each. */
const NO_CONFLICTS: EffectiveMtls['conflicts'] = Object.freeze([]);

function computeEffective(graph: Graph, mesh: MeshSettings, w: Workload): EffectiveMtls {
  const candidates = peerAuthCandidates(graph, mesh);
  const ambient = membership(graph, mesh, w).dataplane === 'ambient';
  const meshCands = candidates.meshWide;
  const inRoot = w.namespace === mesh.rootNamespace;
  const nsCands = inRoot ? NO_POLICIES : (candidates.byNamespace.get(w.namespace) ?? NO_POLICIES);
  const wlCands = inRoot ? NO_POLICIES : (candidates.byWorkload.get(w) ?? NO_POLICIES);
  const conflicts: { scope: 'mesh' | 'namespace' | 'workload'; policies: readonly PeerAuthentication[] }[] = [];
  const pick = (scope: 'mesh' | 'namespace' | 'workload', list: readonly PeerAuthentication[]) => {
    const { winner, competing } = scopeWinner(graph, list);
    if (competing) conflicts.push({ scope, policies: competing });
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
  return { mode, decidedBy, workloadPolicy: wlPolicy, conflicts: conflicts.length ? conflicts : NO_CONFLICTS, ambient };
}

/** The mode for one container port: the winning workload policy's portLevelMtls entry, else the workload mode. */
export function portMtls(
  e: EffectiveMtls,
  port: number,
): { mode: MtlsMode; decidedBy?: PeerAuthentication; path?: Path } {
  const entry = e.workloadPolicy?.ports.find((p) => p.number === port);
  const m = entry && normalize(entry.mode, e.ambient);
  if (entry && m) return { mode: m, decidedBy: e.workloadPolicy, path: entry.path };
  return { mode: e.mode, decidedBy: e.decidedBy };
}

/** Workloads of the repo a PeerAuthentication could apply to (its scope and selector; not whether it wins). */
export function peerAuthWorkloads(graph: Graph, p: PeerAuthentication): readonly Workload[] {
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

export interface DestinationRuleTlsBlock {
  readonly path: Path;
  readonly tls: Record<string, unknown>;
  /** A subset's `labels`: its traffic reaches only the endpoints carrying them. */
  readonly subsetLabels?: unknown;
}

/** Every `tls` block of a DestinationRule: top level, port level, and the same inside subsets. */
export function destinationRuleTlsBlocks(dr: Resource): DestinationRuleTlsBlock[] {
  const out: DestinationRuleTlsBlock[] = [];
  const policy = (base: Path, subsetLabels?: unknown) => {
    const tp = get(dr.body, ...base);
    const tls = get(tp, 'tls');
    if (isObj(tls)) out.push({ path: [...base, 'tls'], tls, subsetLabels });
    arr(get(tp, 'portLevelSettings')).forEach((pl, i) => {
      const ptls = get(pl, 'tls');
      if (isObj(ptls)) out.push({ path: [...base, 'portLevelSettings', i, 'tls'], tls: ptls, subsetLabels });
    });
  };
  policy(['spec', 'trafficPolicy']);
  arr(get(dr.body, 'spec', 'subsets')).forEach((subset, i) =>
    policy(['spec', 'subsets', i, 'trafficPolicy'], get(subset, 'labels')),
  );
  return out;
}
