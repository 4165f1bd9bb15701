// Istio resources by kind, the mesh settings the rules receive, and the namespaces a namespace-level finding can
// point at.
import type { Graph } from '../graph.js';
import { groupBy } from '../graph.js';
import type { Resource, Workload } from '../resource.js';

/** The `mesh:` settings (config), as the rules receive them. */
export interface MeshSettings {
  readonly rootNamespace: string;
  readonly assumeInjected: boolean;
  /** Whether the configuration sets rootNamespace itself (it then wins over the repository's mesh config). */
  readonly rootNamespaceConfigured?: boolean;
}

export const SECURITY_GROUP = 'security.istio.io';

export const NETWORKING_GROUP = 'networking.istio.io';

export const TELEMETRY_GROUP = 'telemetry.istio.io';

/** Istio resources of a kind (security.istio.io, networking.istio.io or telemetry.istio.io by kind). */
export function istioResources(graph: Graph, kind: string): readonly Resource[] {
  const group =
    kind === 'Telemetry'
      ? TELEMETRY_GROUP
      : ['PeerAuthentication', 'AuthorizationPolicy', 'RequestAuthentication'].includes(kind)
        ? SECURITY_GROUP
        : NETWORKING_GROUP;
  return graph.ofKind(kind, group);
}

/** Namespaces the repo holds workloads of, each with the resource a namespace finding is reported on. */
export function workloadNamespaces(
  graph: Graph,
): readonly { namespace: string; anchor: Resource; workloads: readonly Workload[] }[] {
  return graph.memo('istio:workloadNamespaces', (g) =>
    [...groupBy(g.workloads, (w) => w.namespace).entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([namespace, workloads]) => ({ namespace, anchor: g.namespace(namespace) ?? workloads[0], workloads })),
  );
}

/**
 * "Deployment shop/web, Deployment shop/api (+3 more)": names for messages. A name the graph holds several times
 * (the same object in several files or overlays) is named once, and counted once in "more".
 */
export function nameList(resources: readonly Resource[], max = 3): string {
  // Once per list and bound: rules name the same shared list (a namespace's workloads, a selection) in many findings.
  // (Kept with the length it was made for: a list grown since is named again.)
  let byMax = NAME_LISTS.get(resources);
  if (!byMax) NAME_LISTS.set(resources, (byMax = new Map()));
  const known = byMax.get(max);
  if (known?.length === resources.length) return known.text;
  const text = listNames(resources, max);
  byMax.set(max, { length: resources.length, text });
  return text;
}

const NAME_LISTS = new WeakMap<readonly Resource[], Map<number, { readonly length: number; readonly text: string }>>();

function listNames(resources: readonly Resource[], max: number): string {
  const names = [
    ...new Set(resources.map((r) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name || '(unnamed)'}`)),
  ];
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} (+${names.length - max} more)` : shown;
}
